// The hub's camera poller against 8 simulated ONVIF cameras with faults: statuses and reasons, a
// change within one poll interval after a fault is switched, and a dead or hung camera never
// slowing the healthy ones. Real hub, real SQLite, real HTTP/SOAP to firmware-sim cameras.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAMERA_TEST_SETTINGS, startCameraHub, type CameraHub } from './helpers/hub-cameras.js';

const INTERVAL_MS = CAMERA_TEST_SETTINGS.pollIntervalSec * 1000;

describe('camera poller with 8 simulated cameras', () => {
  let h: CameraHub;

  beforeAll(async () => {
    h = await startCameraHub({ count: 8, firstHost: '127.0.5.1' });
    h.farm.setFaults(1, { dead: true });
    h.farm.setFaults(2, { slowMs: 600 }); // over slowMs (400), under the timeout (1000)
    h.farm.setFaults(3, { clockSkewMs: 95_000 });
    h.farm.setFaults(4, { wrongPassword: true });
    h.farm.setFaults(5, { slowMs: 10_000 }); // hung: accepts, never answers within the timeout
    await h.hub.hub.cameras.pollAll();
  }, 20_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('gives each camera the status and reason of its fault', () => {
    const s = (i: number) => h.view(h.ids[i]!);
    expect(s(0)).toMatchObject({ status: 'online', reason: null, reasons: [] });
    expect(s(0).device).toMatchObject({ manufacturer: 'Loa Simulator', model: 'SimCam S1' });
    expect(s(0).profiles.map((p) => p.token)).toEqual(['profile_main', 'profile_sub']);
    expect(s(0).streamUri).toMatch(/^rtsp:\/\/127\.0\.5\.1:554\/profile_main$/);
    expect(s(0).snapshotUrl).toBe('/api/v1/cameras/cam-1/snapshot');
    expect(s(0).lastSeenAt).not.toBeNull();
    // Each reason coded for readers to translate, with its English text beside.
    expect(s(1)).toMatchObject({
      status: 'offline',
      reasons: [{ code: 'camera.reset', params: { error: 'ECONNRESET' } }],
      reason: 'connection reset (ECONNRESET)',
    });
    expect(s(2).status).toBe('degraded');
    expect(s(2).reasons).toEqual([{ code: 'camera.slow', params: { ms: expect.any(Number) } }]);
    expect(s(2).reason).toMatch(/^slow answer \(\d+ ms\)$/);
    expect(s(3).status).toBe('degraded');
    expect(s(3).reasons).toEqual([{ code: 'camera.clock-skew', params: { s: expect.any(Number) } }]);
    expect(s(3).reason).toMatch(/^clock skew 9[56] s$/);
    expect(Math.abs(s(3).clockSkewMs! - 95_000)).toBeLessThan(1500);
    expect(s(4)).toMatchObject({ status: 'unauthorised', reasons: [{ code: 'camera.unauthorised', params: { via: 'ter:NotAuthorized' } }] });
    expect(s(4).reason).toBe('user name or password refused (ter:NotAuthorized)');
    expect(s(5)).toMatchObject({ status: 'offline', reasons: [{ code: 'camera.timeout', params: { ms: 1000 } }], reason: 'no answer within 1000 ms' });
    for (const i of [6, 7]) expect(s(i).status).toBe('online');
    expect(s(4).openAlarms).toEqual(['camera-unauthorised']);
  });

  it('healthy cameras are checked every interval while a hung one times out', async () => {
    const healthy = [0, 6, 7].map((i) => h.ids[i]!);
    const seen = new Map(healthy.map((id) => [id, new Set<number>()]));
    const hungBefore = h.view(h.ids[5]!).lastCheckedAt!;
    const start = Date.now();
    while (Date.now() - start < 2000) {
      for (const id of healthy) seen.get(id)!.add(h.view(id).lastCheckedAt!);
      await new Promise((r) => setTimeout(r, 20));
    }
    // 2 s at 0.3 s: 6 or 7 checks each (at least 4 on a loaded machine); were the hung camera's 1 s
    // timeouts holding them back, they would get 2.
    for (const id of healthy) expect(seen.get(id)!.size, id).toBeGreaterThanOrEqual(4);
    const hung = h.view(h.ids[5]!);
    expect(hung.status).toBe('offline');
    expect(hung.lastCheckedAt! - hungBefore).toBeGreaterThanOrEqual(1000);
  });

  it('a fault switched on shows within one poll interval', async () => {
    const id = h.ids[6]!;
    h.farm.setFaults(6, { clockSkewMs: -120_000 });
    const switchedAt = Date.now();
    const v = await h.waitView(id, (x) => x.status === 'degraded', 'degraded by clock skew');
    expect(v.reason).toMatch(/^clock skew -1(19|20) s$/);
    expect(Date.now() - switchedAt).toBeLessThan(INTERVAL_MS + 400);

    h.farm.setFaults(7, { wrongPassword: true });
    const t2 = Date.now();
    await h.waitView(h.ids[7]!, (x) => x.status === 'unauthorised', 'unauthorised');
    expect(Date.now() - t2).toBeLessThan(INTERVAL_MS + 400);

    h.farm.setFaults(0, { dead: true });
    const t3 = Date.now();
    await h.waitView(h.ids[0]!, (x) => x.status === 'offline', 'offline');
    expect(Date.now() - t3).toBeLessThan(INTERVAL_MS + 400);
  });

  it('a camera back from a fault is online again, with its alarms cleared', async () => {
    h.farm.setFaults(4, { wrongPassword: false });
    const v = await h.waitView(h.ids[4]!, (x) => x.status === 'online', 'online with the password fixed');
    expect(v.openAlarms).toEqual([]);
    h.farm.setFaults(1, { dead: false });
    // Offline cameras are retried with backoff (here at most 0.6 s).
    await h.waitView(h.ids[1]!, (x) => x.status === 'online', 'online after dead');
  });

  it('bumps the version when views change and exposes gauges by status', async () => {
    const v0 = h.hub.hub.cameras.version;
    await h.hub.hub.cameras.pollAll();
    expect(h.hub.hub.cameras.version).toBeGreaterThan(v0);
    const metrics = await h.hub.api<string>('GET', '/metrics');
    expect(metrics.body).toMatch(/loa_cameras\{status="online"\} \d+/);
    expect(metrics.body).toMatch(/loa_cameras\{status="offline"\} \d+/);
  });
});

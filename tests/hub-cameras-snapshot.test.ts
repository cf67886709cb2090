// The snapshot proxy: a JPEG fetched over HTTP Digest with the stored credentials, cached for a few
// seconds, and 20 concurrent viewers costing the camera one picture request (counted at a proxy in
// front of the simulated camera); its errors (unknown camera, refused, timeout) with their codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoaError } from '../common/errors.js';
import { startCameraHub, type CameraHub } from './helpers/hub-cameras.js';
import { startCameraProxy, type CameraProxy } from './helpers/hub-cameras-proxy.js';

describe('camera snapshot proxy', () => {
  let h: CameraHub;
  let proxy: CameraProxy;

  beforeAll(async () => {
    h = await startCameraHub({ count: 2, firstHost: '127.0.5.61', addCameras: false, cameras: { snapshotCacheMs: 800 } });
    const cam = h.farm.cameras[0]!;
    proxy = await startCameraProxy('127.0.5.63', { host: cam.host, port: cam.port });
    h.hub.hub.cameras.add({ id: 'cam-1', host: proxy.host, port: proxy.port, user: 'admin', password: 'admin' });
    h.hub.hub.cameras.add({ id: 'cam-2', host: h.farm.cameras[1]!.host, port: h.farm.cameras[1]!.port, user: 'admin', password: 'admin' });
    await h.hub.hub.cameras.pollAll();
  }, 20_000);
  afterAll(async () => {
    await h?.stop();
    await proxy?.stop();
  });

  it('serves the camera JPEG through the API, the camera address pinned to the configured one', async () => {
    const r = await fetch(`${h.hub.addresses.httpUrl}/api/v1/cameras/cam-1/snapshot`, { headers: { authorization: `Bearer ${h.hub.token}` } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/jpeg');
    const jpeg = Buffer.from(await r.arrayBuffer());
    expect([jpeg[0], jpeg[1]]).toEqual([0xff, 0xd8]);
    // The sim announces its own address; the picture still came through the configured proxy.
    expect(proxy.snapshotGets.withAuth).toBe(1);
  });

  it('20 concurrent viewers cost the camera one picture request; then the cache answers', async () => {
    await new Promise((r) => setTimeout(r, 900)); // past snapshotCacheMs
    const before = { ...proxy.snapshotGets };
    const snaps = await Promise.all(Array.from({ length: 20 }, () => h.hub.hub.cameras.snapshot('cam-1')));
    expect(proxy.snapshotGets.withAuth - before.withAuth).toBe(1);
    // The Digest challenge of the first test's fetch is reused (rising nonce count): no new 401 round.
    expect(proxy.snapshotGets.withoutAuth - before.withoutAuth).toBe(0);
    expect(snaps.filter((s) => !s.cached)).toHaveLength(1);
    expect(new Set(snaps.map((s) => s.takenAt)).size).toBe(1);
    const again = await h.hub.hub.cameras.snapshot('cam-1');
    expect(again.cached).toBe(true);
    expect(proxy.snapshotGets.withAuth - before.withAuth).toBe(1);
  });

  const failure = async (p: Promise<unknown>): Promise<LoaError> => {
    const e = await p.then(
      () => null,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(LoaError);
    return e as LoaError;
  };

  it('an unknown camera is LOA_CAMERA_NOT_FOUND 404', async () => {
    const e = await failure(h.hub.hub.cameras.snapshot('nope'));
    expect([e.code, e.status]).toEqual(['LOA_CAMERA_NOT_FOUND', 404]);
  });

  it('a camera answering with something else than a JPEG is LOA_CAMERA_UNAVAILABLE 502', async () => {
    await new Promise((r) => setTimeout(r, 900));
    proxy.tamper.set('snapshot', (own) => (own.status === 200 ? { type: 'text/html', body: '<html>login</html>' } : null));
    let e = await failure(h.hub.hub.cameras.snapshot('cam-1'));
    expect([e.code, e.status]).toEqual(['LOA_CAMERA_UNAVAILABLE', 502]);
    expect(e.message).toContain('not a JPEG (text/html)');
    proxy.tamper.set('snapshot', (own) => (own.status === 200 ? { type: 'image/jpeg', body: Buffer.alloc(6 * 1024 * 1024, 0xff) } : null));
    e = await failure(h.hub.hub.cameras.snapshot('cam-1'));
    expect(e.message).toContain('picture over 5242880 bytes');
    proxy.tamper.delete('snapshot');
  });

  it('refused credentials are LOA_CAMERA_UNAVAILABLE with the HTTP status', async () => {
    await new Promise((r) => setTimeout(r, 900));
    h.farm.setFaults(0, { wrongPassword: true });
    const e = await failure(h.hub.hub.cameras.snapshot('cam-1'));
    expect([e.code, e.status]).toEqual(['LOA_CAMERA_UNAVAILABLE', 502]);
    expect(e.message).toContain('HTTP 401');
    h.farm.setFaults(0, { wrongPassword: false });
  });

  it('a camera too slow to answer is LOA_CAMERA_TIMEOUT 504; an offline one fails at once', async () => {
    // Slow only on the picture: the ONVIF checks still answer, so the camera stays online.
    proxy.tamper.set('snapshot', (own) => ({ status: own.status, type: own.type, body: own.body, delayMs: 3000 }));
    await new Promise((r) => setTimeout(r, 900));
    const t = Date.now();
    const e = await failure(h.hub.hub.cameras.snapshot('cam-1'));
    expect([e.code, e.status]).toEqual(['LOA_CAMERA_TIMEOUT', 504]);
    expect(Date.now() - t).toBeLessThan(1800);
    proxy.tamper.delete('snapshot');

    h.farm.setFaults(1, { dead: true });
    await h.waitView('cam-2', (v) => v.status === 'offline', 'offline');
    const t2 = Date.now();
    const off = await failure(h.hub.hub.cameras.snapshot('cam-2'));
    expect([off.code, off.status]).toEqual(['LOA_CAMERA_UNAVAILABLE', 502]);
    expect(off.message).toContain('offline: connection reset (ECONNRESET)');
    expect(Date.now() - t2).toBeLessThan(200);
  });
});

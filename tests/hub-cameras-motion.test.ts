// Motion alarms from pull-point subscriptions on simulated cameras: IsMotion true raises
// camera-motion in the events feed and false clears it; a camera restart (its subscriptions
// forgotten) is followed by a new subscription; it is renewed in time; stopping the hub does not
// wait for held pulls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedEvent } from '../hub/alarms/types.js';
import { waitFor } from './helpers/hub.js';
import { startCameraHub, type CameraHub } from './helpers/hub-cameras.js';
import { startCameraProxy } from './helpers/hub-cameras-proxy.js';

describe('camera motion through pull-point subscriptions', () => {
  let h: CameraHub;
  const feed = (after = 0): FeedEvent[] => h.hub.hub.store.alarms.events(after, 1000).filter((e) => e.subjectType === 'camera' && e.kind === 'camera-motion');

  beforeAll(async () => {
    h = await startCameraHub({ count: 2, firstHost: '127.0.5.41', cameras: { motion: true } });
    await h.hub.hub.cameras.pollAll();
    await waitFor(() => h.farm.cameras.every((c) => c.subscriptionCount === 1), { what: 'one subscription per camera' });
  }, 20_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('keeps one subscription while nothing happens (a held pull outlasts the 1 s request timeout)', async () => {
    await new Promise((r) => setTimeout(r, 2500));
    expect(h.farm.cameras.map((c) => c.subscriptionCount)).toEqual([1, 1]);
  });

  it('raises camera-motion on IsMotion true and clears it on false', async () => {
    const cam = h.farm.cameras[0]!;
    cam.triggerMotion(400);
    const raised = await waitFor(() => feed().find((e) => e.type === 'alarm-raised' && e.subjectId === 'cam-1'), { what: 'motion raised' });
    expect(raised).toMatchObject({
      severity: 'warning',
      detailCode: 'camera.motion',
      detailParams: { topic: 'RuleEngine/CellMotionDetector/Motion' },
      detail: 'reported by RuleEngine/CellMotionDetector/Motion',
    });
    expect(h.view('cam-1').openAlarms).toContain('camera-motion');
    const cleared = await waitFor(() => feed(raised.id).find((e) => e.type === 'alarm-cleared' && e.subjectId === 'cam-1'), { what: 'motion cleared' });
    expect(cleared).toMatchObject({ detailCode: 'camera.motion-over', detail: 'motion over' });
    expect(h.view('cam-1').openAlarms).not.toContain('camera-motion');
    // The other camera saw nothing.
    expect(feed().some((e) => e.subjectId === 'cam-2')).toBe(false);
  });

  it('subscribes again after the camera restarts, and motion still arrives', async () => {
    const cam = h.farm.cameras[1]!;
    await cam.restart();
    expect(cam.subscriptionCount).toBe(0);
    await waitFor(() => cam.subscriptionCount === 1, { what: 'a new subscription after restart', timeoutMs: 8000 });
    const mark = feed().at(-1)?.id ?? 0;
    cam.triggerMotion(300);
    await waitFor(() => feed(mark).find((e) => e.type === 'alarm-raised' && e.subjectId === 'cam-2'), { what: 'motion after restart' });
    await waitFor(() => feed(mark).find((e) => e.type === 'alarm-cleared' && e.subjectId === 'cam-2'), { what: 'motion cleared after restart' });
  }, 15_000);

  it('motion open when the camera goes offline is cleared as unknown', async () => {
    const cam = h.farm.cameras[0]!;
    const mark = feed().at(-1)?.id ?? 0;
    cam.triggerMotion(60_000);
    await waitFor(() => feed(mark).find((e) => e.type === 'alarm-raised' && e.subjectId === 'cam-1'), { what: 'motion raised' });
    h.farm.setFaults(0, { dead: true });
    const cleared = await waitFor(() => feed(mark).find((e) => e.type === 'alarm-cleared' && e.subjectId === 'cam-1'), { what: 'motion cleared by offline' });
    expect(cleared).toMatchObject({ detailCode: 'camera.motion-unknown-offline', detail: 'motion unknown: camera offline' });
    h.farm.setFaults(0, { dead: false });
    await h.waitView('cam-1', (v) => v.status === 'online', 'online again');
  });

  it('stopping the hub cuts held pulls at once and unsubscribes', async () => {
    // cam-1 still holds the subscription from before its dead spell (nobody could unsubscribe it; it
    // expires on the camera) beside the hub's new one; each camera loses exactly the hub's one.
    await waitFor(() => h.farm.cameras[0]!.subscriptionCount === 2 && h.farm.cameras[1]!.subscriptionCount === 1, { what: 'subscriptions' });
    const before = h.farm.cameras.map((c) => c.subscriptionCount);
    const t = Date.now();
    await h.hub.hub.stop();
    expect(Date.now() - t).toBeLessThan(2500);
    expect(h.farm.cameras.map((c) => c.subscriptionCount)).toEqual(before.map((n) => n - 1));
  });
});

describe('motion subscription renewal', () => {
  it('renews a subscription before its termination time', async () => {
    const h = await startCameraHub({ count: 1, firstHost: '127.0.5.45', addCameras: false, cameras: { motion: true } });
    const cam = h.farm.cameras[0]!;
    const proxy = await startCameraProxy('127.0.5.47', { host: cam.host, port: cam.port });
    try {
      // The camera grants 10 s instead of the 2 min asked for: the hub must renew within that.
      proxy.tamper.set('CreatePullPointSubscription', (own) => {
        const xml = own.body.toString('utf8');
        const now = /CurrentTime>([^<]+)</.exec(xml)?.[1];
        if (!now) return null;
        const end = new Date(Date.parse(now) + 10_000).toISOString();
        return { status: own.status, type: own.type, body: xml.replace(/(TerminationTime>)[^<]+(<)/, `$1${end}$2`) };
      });
      h.hub.hub.cameras.add({ id: 'cam-r', host: proxy.host, port: proxy.port, user: 'admin', password: 'admin' });
      await waitFor(() => proxy.counts.get('PullMessages'), { what: 'pulling' });
      // Pulls are held until something happens; a motion after 5.5 s ends one, and the hub renews
      // (at half the granted time) before the next.
      await new Promise((r) => setTimeout(r, 5500));
      expect(proxy.counts.get('Renew') ?? 0).toBe(0);
      cam.triggerMotion(100);
      await waitFor(() => proxy.counts.get('Renew'), { what: 'a Renew', timeoutMs: 3000 });
      expect(proxy.counts.get('CreatePullPointSubscription')).toBe(1);
      expect(cam.subscriptionCount).toBe(1);
    } finally {
      await h.stop();
      await proxy.stop();
    }
  }, 20_000);
});

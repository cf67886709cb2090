// loa-sim hands over from one item to the next at the next item's startAt (not when its play
// arrives), ends an item at its stopAt, keeps at most one waiting item and refuses a stopAt that
// is not after startAt; real aedes broker, real MQTT.js client as the hub.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import { createFleet, type Fleet } from '../firmware-sim/index.js';
import { ackSchema } from '../protocol/index.js';
import { startTestBroker, type TestBroker } from './helpers/sim-broker.js';
import { TestHub, type HubMessage } from './helpers/sim-hub.js';
import { TEST_HUB_KEY } from './helpers/signing.js';

const clusterIds = ['rep-01', 'rep-02', 'rep-03', 'rep-04', 'rep-05', 'rep-06'];
const secretOf = (id: string) => `secret-of-${id}`;
let broker: TestBroker;
let hub: TestHub;
const fleets: Fleet[] = [];
let next = 0;

beforeAll(async () => {
  broker = await startTestBroker(new Map(clusterIds.map((id) => [id, secretOf(id)])));
  hub = await TestHub.connect(broker.url);
});
afterEach(async () => {
  await Promise.all(fleets.splice(0).map((f) => f.stop()));
});
afterAll(async () => {
  await hub.close();
  await broker.stop();
});

/** One simulated cluster of its own per test. */
async function cluster(): Promise<string> {
  const id = clusterIds[next++]!;
  const fleet = createFleet({
    mqttUrl: broker.url,
    hubKeys: [TEST_HUB_KEY],
    clusters: [{ id, secret: secretOf(id) }],
    logger: silentLogger(),
    fetchDelayMs: { min: 5, max: 40 },
    healthIntervalMs: 60_000,
  });
  fleets.push(fleet);
  await fleet.start();
  await fleet.waitForConnected(1, 10_000);
  return id;
}

const acksOf = (id: string, cmdId: string) => hub.of(id, 'ack').filter((m) => m.body.cmdId === cmdId);
const ackOf = (id: string, cmdId: string, status: string) =>
  hub.waitUntil(() => acksOf(id, cmdId).find((m) => m.body.status === status), 5_000, `${cmdId} ${status}`);
const body = (m: HubMessage) => ackSchema.parse(m.body);
const order = (id: string, cmdId: string, status: string) => hub.of(id, 'ack').findIndex((m) => m.body.cmdId === cmdId && m.body.status === status);

describe('loa-sim replacement at startAt and stopAt', () => {
  it('keeps playing the current item until the next one’s startAt, then replaces it', async () => {
    const id = await cluster();
    const a = hub.play(id, { startAt: Date.now() + 50, durationMs: 10_000, broadcastId: 'item-a' });
    await hub.send(id, a);
    const aStarted = body(await ackOf(id, a.id, 'started'));
    const b = hub.play(id, { startAt: Date.now() + 800, durationMs: 300, broadcastId: 'item-b' });
    await hub.send(id, b);
    await ackOf(id, b.id, 'accepted');

    const aStopped = body(await ackOf(id, a.id, 'stopped'));
    const bStarted = body(await ackOf(id, b.id, 'started'));
    expect(aStopped).toMatchObject({ reason: 'replaced', broadcastId: 'item-a' });
    // Cut at B's startAt, not when B's play arrived 800 ms before.
    expect(aStopped.at).toBeGreaterThanOrEqual(b.startAt);
    expect(aStopped.at).toBeLessThan(b.startAt + 100);
    const playedMs = aStopped.at - aStarted.at;
    expect(playedMs).toBeGreaterThan(800);
    expect(Math.abs((aStopped.positionMs ?? 0) - playedMs)).toBeLessThanOrEqual(20);
    expect(bStarted.at).toBeGreaterThanOrEqual(b.startAt);
    expect(bStarted.at).toBeLessThan(b.startAt + 100);
    expect(order(id, b.id, 'accepted')).toBeLessThan(order(id, a.id, 'stopped'));
    expect(order(id, a.id, 'stopped')).toBeLessThan(order(id, b.id, 'started'));
    await ackOf(id, b.id, 'finished');
  });

  it('lets the current item finish when it ends before the next one’s startAt', async () => {
    const id = await cluster();
    const a = hub.play(id, { startAt: Date.now() + 50, durationMs: 300, broadcastId: 'item-a' });
    const b = hub.play(id, { startAt: Date.now() + 800, durationMs: 300, broadcastId: 'item-b' });
    await hub.send(id, a);
    await hub.send(id, b);
    const bStarted = body(await ackOf(id, b.id, 'started'));
    expect(acksOf(id, a.id).map((m) => m.body.status)).toEqual(['accepted', 'started', 'finished']);
    expect(body(acksOf(id, a.id)[2]!).positionMs).toBe(300);
    expect(bStarted.at).toBeGreaterThanOrEqual(b.startAt);
  });

  it('ends an item at its stopAt with finished and the position reached', async () => {
    const id = await cluster();
    const startAt = Date.now() + 100;
    const play = hub.play(id, { startAt, stopAt: startAt + 1000, durationMs: 2000, broadcastId: 'cut' });
    await hub.send(id, play);
    const finished = await ackOf(id, play.id, 'finished');
    const started = acksOf(id, play.id).find((m) => m.body.status === 'started')!;
    expect(acksOf(id, play.id).map((m) => m.body.status)).toEqual(['accepted', 'started', 'finished']);
    expect(Math.abs(body(finished).positionMs! - 1000)).toBeLessThanOrEqual(20);
    expect(finished.receivedAt - started.receivedAt).toBeGreaterThan(900);
    expect(finished.receivedAt - started.receivedAt).toBeLessThan(1200);
  });

  it('drops a waiting play when a newer one comes; the current item plays on until the newest startAt', async () => {
    const id = await cluster();
    const a = hub.play(id, { startAt: Date.now() + 50, durationMs: 10_000, broadcastId: 'item-a' });
    await hub.send(id, a);
    await ackOf(id, a.id, 'started');
    const b = hub.play(id, { startAt: Date.now() + 1500, durationMs: 300, broadcastId: 'item-b' });
    await hub.send(id, b);
    await ackOf(id, b.id, 'accepted');
    const c = hub.play(id, { startAt: Date.now() + 600, durationMs: 300, broadcastId: 'item-c' });
    await hub.send(id, c);

    const bStopped = await ackOf(id, b.id, 'stopped');
    expect(body(bStopped)).toMatchObject({ reason: 'replaced', positionMs: 0 });
    const aStopped = body(await ackOf(id, a.id, 'stopped'));
    expect(aStopped.reason).toBe('replaced');
    expect(aStopped.at).toBeGreaterThanOrEqual(c.startAt);
    expect(aStopped.at).toBeGreaterThan((bStopped.body.at as number) + 400);
    const cStarted = body(await ackOf(id, c.id, 'started'));
    expect(cStarted.at).toBeGreaterThanOrEqual(c.startAt);
    await ackOf(id, c.id, 'finished');
    expect(acksOf(id, b.id).map((m) => m.body.status)).toEqual(['accepted', 'stopped']);
  });

  it('a stop stops at once both the playing item and the one waiting for its startAt', async () => {
    const id = await cluster();
    const a = hub.play(id, { startAt: Date.now() + 50, durationMs: 10_000, broadcastId: 'item-a' });
    await hub.send(id, a);
    await ackOf(id, a.id, 'started');
    const b = hub.play(id, { startAt: Date.now() + 3000, durationMs: 300, broadcastId: 'item-b' });
    await hub.send(id, b);
    await ackOf(id, b.id, 'accepted');
    const stop = hub.command(id, { type: 'stop' });
    await hub.send(id, stop);
    await ackOf(id, stop.id, 'finished');
    expect(acksOf(id, a.id).at(-1)!.body).toMatchObject({ status: 'stopped', reason: 'stop-command' });
    expect(acksOf(id, b.id).at(-1)!.body).toMatchObject({ status: 'stopped', reason: 'stop-command', positionMs: 0 });
  });

  it('refuses a play whose stopAt is not after its startAt as invalid', async () => {
    const id = await cluster();
    const startAt = Date.now() + 300;
    const same = { ...hub.play(id, { startAt, durationMs: 2000 }), stopAt: startAt };
    const before = { ...hub.play(id, { startAt, durationMs: 2000 }), stopAt: startAt - 200 };
    await hub.send(id, JSON.stringify(same));
    await hub.send(id, JSON.stringify(before));
    for (const bad of [same, before]) {
      const refused = body(await ackOf(id, bad.id, 'refused'));
      expect(refused).toMatchObject({ reason: 'invalid', seq: bad.seq });
      expect(refused.detail).toMatch(/stopAt/);
    }
    await new Promise((r) => setTimeout(r, 400));
    expect(hub.of(id, 'ack').map((m) => m.body.status)).toEqual(['refused', 'refused']);
  });
});

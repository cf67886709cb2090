// loa-sim fleet against a real aedes broker, with a real MQTT.js client playing the hub:
// connection with own credentials, the play/stop/volume ack sequences, refusals, failures,
// clock offset and health telemetry.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import { createFleet, type AckEvent, type ClusterOverrides, type Fleet, type FleetOptions } from '../firmware-sim/index.js';
import { ackSchema, healthSchema, presenceSchema, stateSchema } from '../protocol/index.js';
import { startTestBroker, type TestBroker } from './helpers/sim-broker.js';
import { retained, TestHub } from './helpers/sim-hub.js';
import { TEST_HUB_KEY } from './helpers/signing.js';

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i + 1).padStart(2, '0')}`);
const secretOf = (id: string) => `secret-of-${id}`;

let broker: TestBroker;
let hub: TestHub;
const fleets: Fleet[] = [];

beforeAll(async () => {
  const all = [...ids('play', 20), ...ids('gate', 1), ...ids('ctl', 1), ...ids('fail', 5), ...ids('skew', 3), ...ids('hlth', 5), ...ids('slow', 2)];
  broker = await startTestBroker(new Map(all.map((id) => [id, secretOf(id)])));
  hub = await TestHub.connect(broker.url);
});
afterEach(async () => {
  await Promise.all(fleets.splice(0).map((f) => f.stop()));
});
afterAll(async () => {
  await hub.close();
  await broker.stop();
});

async function fleetOf(clusterIds: string[], extra: Partial<FleetOptions> = {}, overrides: Record<string, ClusterOverrides> = {}): Promise<Fleet> {
  const fleet = createFleet({
    mqttUrl: broker.url,
    hubKeys: [TEST_HUB_KEY],
    clusters: clusterIds.map((id) => ({ id, secret: secretOf(id), overrides: overrides[id] })),
    logger: silentLogger(),
    fetchDelayMs: { min: 5, max: 40 },
    healthIntervalMs: 60_000,
    connectRatePerSec: 500,
    ...extra,
  });
  fleets.push(fleet);
  await fleet.start();
  await fleet.waitForConnected(clusterIds.length, 10_000);
  return fleet;
}

const acksOf = (clusterId: string, cmdId: string) => hub.of(clusterId, 'ack').filter((m) => m.body.cmdId === cmdId);

describe('loa-sim fleet', () => {
  it('connects 20 clusters with their own credentials and plays accepted → started → finished in sync', async () => {
    const clusterIds = ids('play', 20);
    const fleet = await fleetOf(clusterIds);
    const fleetAcks: AckEvent[] = [];
    fleet.events.on('ack', (e) => fleetAcks.push(e));

    for (const id of clusterIds) expect(broker.logins).toContain(id);
    expect(broker.deniedPublishes).toEqual([]);
    const presence = await retained(broker.url, 'presence', 20);
    for (const id of clusterIds) expect(presenceSchema.parse(presence.get(id))).toMatchObject({ status: 'online', agent: expect.stringMatching(/^loa-sim\//) });

    const startAt = Date.now() + 600;
    const cmds = clusterIds.map((id) => hub.play(id, { startAt, durationMs: 300 }));
    const sentAt = Date.now();
    await Promise.all(clusterIds.map((id, i) => hub.send(id, cmds[i]!)));
    await hub.waitUntil(() => clusterIds.every((id, i) => acksOf(id, cmds[i]!.id).some((m) => m.body.status === 'finished')), 5_000, 'finished from all 20');

    clusterIds.forEach((id, i) => {
      const cmd = cmds[i]!;
      const acks = acksOf(id, cmd.id);
      expect(acks.map((m) => m.body.status)).toEqual(['accepted', 'started', 'finished']);
      for (const m of acks) expect(ackSchema.parse(m.body)).toMatchObject({ cmdId: cmd.id, seq: cmd.seq, broadcastId: 'b-1' });
      const [, started, finished] = acks;
      expect(started!.body.at as number).toBeGreaterThanOrEqual(startAt);
      expect(started!.receivedAt).toBeGreaterThanOrEqual(startAt);
      expect(started!.receivedAt).toBeLessThan(startAt + 500);
      // On the device's own clock (arrival times jitter with the machine's load). A start timer
      // that fires late joins at positionMs > 0 and so plays that much less.
      const played = (finished!.body.at as number) - (started!.body.at as number);
      expect(played).toBeGreaterThanOrEqual(295 - (started!.body.positionMs as number));
      expect(played).toBeLessThan(800);
      expect(finished!.body.positionMs).toBe(300);
    });
    // The retained state said "playing" in between and is idle again, with the sequence recorded.
    for (const id of clusterIds) {
      const states = hub.of(id, 'state').map((m) => stateSchema.parse(m.body));
      expect(states.some((s) => s.playing?.broadcastId === 'b-1')).toBe(true);
      expect(states.at(-1)).toMatchObject({ playing: null, lastSeq: 1 });
    }
    // What a fan-out benchmark needs: every ack with the command's arrival and the ack's send time.
    expect(fleet.counters.acks).toMatchObject({ accepted: 20, started: 20, finished: 20 });
    expect(fleet.counters.commandsReceived).toBe(20);
    expect(fleetAcks).toHaveLength(60);
    for (const e of fleetAcks) {
      expect(e.cmdReceivedAt).toBeGreaterThanOrEqual(sentAt - 5);
      expect(e.sentAt).toBeGreaterThanOrEqual(e.cmdReceivedAt);
    }
  });

  it('refuses expired and replayed commands, says why, and survives garbage', async () => {
    const [id] = ids('gate', 1) as [string];
    const fleet = await fleetOf([id]);
    const now = Date.now();

    const expired = hub.play(id, { startAt: now, durationMs: 300, expiresAt: now - 1_000 });
    await hub.send(id, expired);
    const refusedExpired = await hub.waitUntil(() => acksOf(id, expired.id)[0], 3_000, 'refusal of the expired command');
    expect(ackSchema.parse(refusedExpired.body)).toMatchObject({ status: 'refused', reason: 'expired', seq: expired.seq });

    const vol = hub.command(id, { type: 'volume', volume: 40 });
    await hub.send(id, vol);
    await hub.waitUntil(() => acksOf(id, vol.id).some((m) => m.body.status === 'finished'), 3_000, 'volume finished');
    const replay = { ...hub.command(id, { type: 'volume', volume: 90 }), seq: vol.seq };
    await hub.send(id, replay);
    const refusedReplay = await hub.waitUntil(() => acksOf(id, replay.id)[0], 3_000, 'refusal of the replay');
    expect(refusedReplay.body).toMatchObject({ status: 'refused', reason: 'replay' });

    await hub.send(id, 'this is {not json');
    await hub.send(id, JSON.stringify({ v: 1, id: 'bad-1', seq: 99, type: 'play' }));
    const invalid = await hub.waitUntil(() => acksOf(id, 'bad-1')[0], 3_000, 'refusal of the invalid command');
    expect(invalid.body).toMatchObject({ status: 'refused', reason: 'invalid', seq: 99 });
    expect(fleet.counters.commandsDropped).toBe(2);

    // Still working, and the garbage did not move the sequence: seq 99 was never admitted.
    const after = hub.command(id, { type: 'volume', volume: 55 });
    await hub.send(id, after);
    await hub.waitUntil(() => acksOf(id, after.id).some((m) => m.body.status === 'finished'), 3_000, 'volume after garbage');
    const lastState = stateSchema.parse(hub.of(id, 'state').at(-1)!.body);
    expect(lastState).toMatchObject({ volume: 55, lastSeq: after.seq });
    expect(fleet.counters.refused).toBe(3);
  });

  it('replaces a play with one whose startAt has passed at once, stops on command, and sets the volume', async () => {
    const [id] = ids('ctl', 1) as [string];
    await fleetOf([id]);
    const first = hub.play(id, { startAt: Date.now() + 50, durationMs: 10_000, broadcastId: 'b-first' });
    await hub.send(id, first);
    await hub.waitUntil(() => acksOf(id, first.id).some((m) => m.body.status === 'started'), 3_000, 'first started');

    // A startAt already past replaces at once and joins late (a future one waits: sim-replace.test.ts).
    const second = hub.play(id, { startAt: Date.now() - 300, durationMs: 10_000, broadcastId: 'b-second' });
    const sentAt = Date.now();
    await hub.send(id, second);
    const started = await hub.waitUntil(() => acksOf(id, second.id).find((m) => m.body.status === 'started'), 3_000, 'second started');
    expect(started.body.positionMs as number).toBeGreaterThanOrEqual(300);
    const replaced = acksOf(id, first.id).at(-1)!;
    expect(replaced.body).toMatchObject({ status: 'stopped', reason: 'replaced', broadcastId: 'b-first' });
    expect(replaced.receivedAt - sentAt).toBeLessThan(300);

    const stop = hub.command(id, { type: 'stop' });
    await hub.send(id, stop);
    await hub.waitUntil(() => acksOf(id, stop.id).some((m) => m.body.status === 'finished'), 3_000, 'stop finished');
    expect(acksOf(id, stop.id).map((m) => m.body.status)).toEqual(['accepted', 'finished']);
    const stopped = acksOf(id, second.id).at(-1)!;
    expect(stopped.body).toMatchObject({ status: 'stopped', reason: 'stop-command' });
    expect(stopped.body.positionMs as number).toBeGreaterThan(0);

    const vol = hub.command(id, { type: 'volume', volume: 12 });
    await hub.send(id, vol);
    await hub.waitUntil(() => acksOf(id, vol.id).some((m) => m.body.status === 'finished'), 3_000, 'volume finished');
    expect(acksOf(id, vol.id).map((m) => m.body.status)).toEqual(['accepted', 'finished']);
    expect(stateSchema.parse(hub.of(id, 'state').at(-1)!.body)).toMatchObject({ volume: 12, playing: null });
  });

  it('with failure rate 1 every play fails with player-error, unless a cluster overrides it', async () => {
    const [healthy, ...clusterIds] = ids('fail', 5) as [string, ...string[]];
    const fleet = await fleetOf([healthy, ...clusterIds], { failureRate: 1 }, { [healthy]: { failureRate: 0 } });
    const startAt = Date.now() + 200;
    const cmds = clusterIds.map((id) => hub.play(id, { startAt, durationMs: 300 }));
    const healthyCmd = hub.play(healthy, { startAt, durationMs: 300 });
    await Promise.all([...clusterIds.map((id, i) => hub.send(id, cmds[i]!)), hub.send(healthy, healthyCmd)]);
    await hub.waitUntil(() => clusterIds.every((id, i) => acksOf(id, cmds[i]!.id).length >= 2), 3_000, 'two acks each');
    await hub.waitUntil(() => acksOf(healthy, healthyCmd.id).some((m) => m.body.status === 'started'), 3_000, 'healthy started');
    clusterIds.forEach((id, i) => {
      expect(acksOf(id, cmds[i]!.id).map((m) => m.body.status)).toEqual(['accepted', 'failed']);
      expect(acksOf(id, cmds[i]!.id)[1]!.body).toMatchObject({ reason: 'player-error' });
    });
    expect(fleet.counters.failures).toBe(4);
    expect(fleet.counters.acks.started).toBe(1);
  });

  it('a clock running 500 ms ahead starts 500 ms early in hub time and stamps its own time', async () => {
    const clusterIds = ids('skew', 3);
    await fleetOf(clusterIds, { clockOffsetMs: 500, fetchDelayMs: 0 });
    const startAt = Date.now() + 1_500;
    const cmds = clusterIds.map((id) => hub.play(id, { startAt, durationMs: 300 }));
    await Promise.all(clusterIds.map((id, i) => hub.send(id, cmds[i]!)));
    await hub.waitUntil(() => clusterIds.every((id, i) => acksOf(id, cmds[i]!.id).some((m) => m.body.status === 'started')), 3_000, 'started');
    clusterIds.forEach((id, i) => {
      const [accepted, started] = acksOf(id, cmds[i]!.id);
      // Every stamp is 500 ms ahead of the hub's clock...
      expect((accepted!.body.at as number) - accepted!.receivedAt).toBeGreaterThan(400);
      expect((accepted!.body.at as number) - accepted!.receivedAt).toBeLessThanOrEqual(505);
      // ...so the box believes it started on time, while the hub hears it 500 ms early.
      expect(started!.body.at as number).toBeGreaterThanOrEqual(startAt);
      expect(started!.body.at as number).toBeLessThan(startAt + 100);
      expect(startAt - started!.receivedAt).toBeGreaterThan(380);
      expect(startAt - started!.receivedAt).toBeLessThanOrEqual(505);
    });
    // A command that expires within the offset is already expired for that box.
    const [id] = clusterIds as [string];
    const tight = hub.play(id, { startAt: Date.now() + 100, durationMs: 300, expiresAt: Date.now() + 300 });
    await hub.send(id, tight);
    const refusal = await hub.waitUntil(() => acksOf(id, tight.id)[0], 3_000, 'refusal');
    expect(refusal.body).toMatchObject({ status: 'refused', reason: 'expired' });
  });

  it('delays each message both ways by the network delay, keeping order', async () => {
    const clusterIds = ids('slow', 2);
    await fleetOf(clusterIds, { delayMs: { min: 150, max: 200 } });
    const cmds = clusterIds.map((id) => hub.command(id, { type: 'volume', volume: 30 }));
    const sentAt = Date.now();
    await Promise.all(clusterIds.map((id, i) => hub.send(id, cmds[i]!)));
    await hub.waitUntil(() => clusterIds.every((id, i) => acksOf(id, cmds[i]!.id).length === 2), 3_000, 'volume acks');
    clusterIds.forEach((id, i) => {
      const acks = acksOf(id, cmds[i]!.id);
      expect(acks.map((m) => m.body.status)).toEqual(['accepted', 'finished']);
      // One delay before handling the command, one before sending the ack.
      expect(acks[0]!.receivedAt - sentAt).toBeGreaterThanOrEqual(295);
      expect(acks[0]!.receivedAt - sentAt).toBeLessThan(700);
    });
  });

  it('reports health spread over the interval, valid per healthSchema', async () => {
    const clusterIds = ids('hlth', 5);
    const fleet = await fleetOf(clusterIds, { healthIntervalMs: 400, connectRatePerSec: 0 });
    const t0 = Date.now();
    await hub.waitUntil(() => clusterIds.every((id) => hub.of(id, 'health').length >= 3) || undefined, 5_000, 'three health reports each');
    const firstRound = clusterIds.map((id) => hub.of(id, 'health').find((m) => m.receivedAt >= t0 + 400)!.receivedAt);
    for (const id of clusterIds) {
      for (const m of hub.of(id, 'health')) {
        expect(healthSchema.parse(m.body)).toMatchObject({ player: 'idle', agent: expect.stringMatching(/^loa-sim\//), lastError: null });
      }
    }
    // One shared timer spreads the five clusters over the 400 ms, 80 ms apart, not all at once.
    expect(Math.max(...firstRound) - Math.min(...firstRound)).toBeGreaterThan(200);
    expect(fleet.counters.healthSent).toBeGreaterThanOrEqual(15);
  });
});

// Clock sync with real parts: the hub (aedes, SQLite, its time service) and four real `loa-edge`
// child processes whose box clocks are shifted with LOA_EDGE_CLOCK_OFFSET_MS (20 s fast, 20 s
// slow, right, 70 s fast). The three start one item together in hub time; command expiry is
// judged in hub time too, so the fast box takes a fresh command and the slow one refuses a stale one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EdgeProcess } from '../harness/edge-process.js';
import { spawnEdgeWithCa as spawnEdge } from './helpers/edge-process.js';
import { clusterTopic, PROTOCOL_VERSION, type Ack, type Health } from '../protocol/index.js';
import { makeTone } from './helpers/audio.js';
import { startTestHub, waitFor, type TestHub } from './helpers/hub.js';
import { makeTempDir } from './helpers/tmp.js';

/** Box clock minus real time, per cluster. */
const SHIFT: Record<string, number> = { 'sync-fast': 20_000, 'sync-slow': -20_000, 'sync-right': 0, 'sync-far': 70_000 };
const TRIO = ['sync-fast', 'sync-slow', 'sync-right'];
/** Together means within this of each other here: the 20 ms target itself is measured by
 *  `npm run bench -- sync` (docs/benchmarks.md), not asserted in a test. On a loaded 2-core CI
 *  machine one of three daemons' timers wakes 20–40 ms late now and then; 20 s apart is what a box
 *  without clock sync would do. */
const TOGETHER_MS = 100;

const tmp = makeTempDir('loa-clock-edge-');
let t: TestHub;
let mediaId = '';
const edges = new Map<string, EdgeProcess>();

/** The daemon's JSON log lines with this message. */
function logLines(id: string, msg: string): Record<string, unknown>[] {
  return edges
    .get(id)!
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.msg === msg);
}

const diagnose = () => [...edges.values()].map((e) => `--- ${e.clusterId}\n${e.output().slice(-2000)}`).join('\n');

beforeAll(async () => {
  t = await startTestHub({ dataDir: join(tmp.path, 'hub'), config: { dispatch: { leadMs: 2000 } } });
  const wav = makeTone(join(tmp.path, 'chime.wav'), 1);
  const up = await t.api<{ media: { id: string } }>('POST', '/api/v1/media?name=chime', readFileSync(wav), { headers: { accept: 'application/json' } });
  if (up.status !== 201) throw new Error(`import failed: ${JSON.stringify(up.body)}`);
  mediaId = up.body.media.id;
  for (const id of Object.keys(SHIFT)) {
    const { secret } = await t.addCluster(id);
    const env = { LOA_EDGE_CLOCK_OFFSET_MS: String(SHIFT[id]) };
    edges.set(
      id,
      spawnEdge({
        hubKeys: t.hub.hubKeys(),
        clusterId: id,
        secret,
        mqttUrl: t.addresses.mqttUrl,
        httpUrl: t.addresses.httpUrl,
        dir: join(tmp.path, id),
        logLevel: 'info',
        env,
        healthIntervalSec: 1,
      }),
    );
    // One at a time: each box measures its ffmpeg startup latency at start, and four Node
    // processes starting at once on a small machine would make that measurement noisy.
    await waitFor(() => logLines(id, 'ffmpeg startup latency').length > 0, { what: `${id} started`, timeoutMs: 15_000 });
  }
  await waitFor(() => Object.keys(SHIFT).every((id) => t.hub.store.clusters.get(id)?.online && logLines(id, 'clock synced with the hub').length > 0), {
    what: 'four daemons online and synced',
    timeoutMs: 20_000,
  }).catch((e: Error) => {
    throw new Error(`${e.message}\n${diagnose()}`);
  });
});

afterAll(async () => {
  await Promise.all([...edges.values()].map((e) => e.stop()));
  await t?.stop();
  tmp.remove();
});

describe('clock sync with real daemons', () => {
  it('each daemon measures its own clock offset to the hub and reports it in health', async () => {
    for (const [id, shift] of Object.entries(SHIFT)) {
      const synced = logLines(id, 'clock synced with the hub')[0]!;
      // Same machine, so the round trip is a few ms and the offset is the shift, negated.
      expect(Math.abs((synced.offsetMs as number) + shift), id).toBeLessThanOrEqual(3);
      expect(synced.uncertaintyMs as number, id).toBeLessThanOrEqual(5);
    }
    const health = new Map<string, Health>();
    t.hub.bus.on(health, 'health', (e) => e.health.clock && health.set(e.clusterId, e.health));
    await waitFor(() => health.size === Object.keys(SHIFT).length, { what: 'health with a clock part' });
    t.hub.bus.removeListeners(health);
    for (const [id, h] of health) expect(Math.abs(h.clock!.offsetMs + SHIFT[id]!), id).toBeLessThanOrEqual(3);
  });

  /** Plays the chime on the trio at startAt; resolves with the started acks once all three are in. */
  async function playTogether(startAt: number): Promise<{ broadcastId: string; started: Map<string, Ack> }> {
    const started = new Map<string, Ack>();
    t.hub.bus.on(started, 'ack', ({ clusterId, ack }) => ack.status === 'started' && started.set(clusterId, ack));
    const r = await t.api<{ broadcast: { id: string } }>('POST', '/api/v1/broadcasts', { mediaId, clusters: TRIO, startAt });
    expect(r.status).toBe(201);
    const broadcastId = r.body.broadcast.id;
    await waitFor(() => TRIO.every((id) => started.has(id) && logLines(id, 'playback started').some((l) => l.broadcastId === broadcastId)), {
      what: 'three started acks',
      timeoutMs: 15_000,
    }).catch((e: Error) => {
      throw new Error(`${e.message}\n${diagnose()}`);
    });
    t.hub.bus.removeListeners(started);
    return { broadcastId, started };
  }

  it('boxes 20 s fast, 20 s slow and right start the same item together in hub time', async () => {
    // A first item after start-up runs cold code (a few ms more): boxes that have been up a while
    // are what the target is about, so that one is not measured.
    await playTogether(Date.now() + 2000);
    const startAt = Date.now() + 2500;
    const { broadcastId, started } = await playTogether(startAt);

    const report = TRIO.map((id) => {
      const ack = started.get(id)!;
      const line = logLines(id, 'playback started').find((l) => l.broadcastId === broadcastId)!;
      const latencyMs = line.startupLatencyMs as number;
      // What happened, in true hub time (the box's own clock minus its shift): ffmpeg was spawned
      // to play from media position seekMs, whose schedule time is startAt + seekMs.
      const spawned = (line.boxSpawnedAt as number) - SHIFT[id]! - (line.seekMs as number);
      return { id, ack, latencyMs, spawned, reported: startAt + (ack.startErrorMs as number) };
    });
    const spread = (xs: number[]) => Math.max(...xs) - Math.min(...xs);
    const detail = JSON.stringify(report.map((x) => ({ id: x.id, spawned: x.spawned - startAt, latencyMs: x.latencyMs, reported: x.reported - startAt })));
    for (const x of report) {
      expect(x.ack.startErrorMs, x.id).toEqual(expect.any(Number));
      // Without clock sync the fast box would start 20 s early and the slow one 20 s late. Each box
      // spawns ffmpeg its own startup latency early, so that its first sample comes at startAt.
      expect(x.latencyMs, detail).toBeGreaterThan(0);
      expect(Math.abs(x.spawned + x.latencyMs - startAt), detail).toBeLessThan(200);
      // The box's estimate (first sample = spawn + its startup latency) is what happened, up to
      // its clock-sync error: the estimate does not rest on the box clock being right.
      expect(Math.abs(x.reported - (x.spawned + x.latencyMs)), detail).toBeLessThanOrEqual(3);
    }
    // First samples: when each box's spawn plus its latency says, and as each box estimates them.
    expect(spread(report.map((x) => x.spawned + x.latencyMs)), detail).toBeLessThan(TOGETHER_MS);
    expect(spread(report.map((x) => x.reported)), detail).toBeLessThan(TOGETHER_MS);
  });

  it('judges command expiry in hub time: 70 s fast takes a fresh command, 20 s slow refuses a stale one', async () => {
    const acks: { clusterId: string; ack: Ack }[] = [];
    t.hub.bus.on(acks, 'ack', (e) => acks.push(e));
    const now = Date.now();
    const volume = (id: string, cmdId: string, expiresAt: number) => ({
      v: PROTOCOL_VERSION,
      type: 'volume',
      volume: 60,
      id: cmdId,
      seq: t.hub.store.clusters.takeSeq(id),
      issuedAt: now - 1000,
      expiresAt,
    });
    // Fresh for 30 s more: a box reading its own clock (70 s ahead) would call it expired.
    await t.hub.signedMqtt.publish(clusterTopic('sync-far', 'cmd'), JSON.stringify(volume('sync-far', 'fresh-far', now + 30_000)), { qos: 1, retain: false });
    // Expired 5 s ago: a box reading its own clock (20 s behind) would still take it.
    await t.hub.signedMqtt.publish(clusterTopic('sync-slow', 'cmd'), JSON.stringify(volume('sync-slow', 'stale-slow', now - 5_000)), { qos: 1, retain: false });
    const first = (cmdId: string) => acks.find((a) => a.ack.cmdId === cmdId)?.ack;
    await waitFor(() => first('fresh-far') && first('stale-slow'), { what: 'acks of both commands' });
    t.hub.bus.removeListeners(acks);
    expect(first('fresh-far')).toMatchObject({ status: 'accepted' });
    expect(first('stale-slow')).toMatchObject({ status: 'refused', reason: 'expired' });
  });
});

// End to end with real parts: the hub (aedes, SQLite, ffmpeg import) and three real `loa-edge`
// child processes with file sinks. A broadcast plays on all three; a crafted expired and a
// replayed command are refused by a real daemon; the hub restarts on the same data directory
// and everything is still there while the daemons reconnect by themselves.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterTopic, PROTOCOL_VERSION, type Ack } from '../protocol/index.js';
import type { EdgeProcess } from '../harness/edge-process.js';
import { spawnEdgeWithCa as spawnEdge } from './helpers/edge-process.js';
import { decodedDurationS, makeTone } from './helpers/audio.js';
import { startTestHub, waitFor, type TestHub } from './helpers/hub.js';
import { makeTempDir } from './helpers/tmp.js';

const tmp = makeTempDir('loa-e2e-');
const hubDir = join(tmp.path, 'hub');
let t: TestHub;
const edges: EdgeProcess[] = [];
const creds = new Map<string, string>();
let mediaId = '';
let mediaDurationMs = 0;
const ids = ['edge-a', 'edge-b', 'edge-c'];
/** The node options systemd/loa-edge.service starts the daemon with, read from the unit itself. */
const EDGE_UNIT_NODE_ARGS = (/ExecStart=\S+node((?: --[^ ]+)*) /.exec(readFileSync('systemd/loa-edge.service', 'utf8'))?.[1] ?? '')
  .trim()
  .split(' ')
  .filter(Boolean);

async function play(clusters: string[]): Promise<string> {
  const r = await t.api<{ broadcast: { id: string } }>('POST', '/api/v1/broadcasts', { mediaId, clusters });
  expect(r.status).toBe(201);
  return r.body.broadcast.id;
}

async function waitDone(broadcastId: string) {
  return waitFor(
    () => {
      const b = t.hub.store.broadcasts.get(broadcastId)!;
      return b.targets.every((x) => ['finished', 'failed', 'refused', 'offline', 'expired', 'stopped'].includes(x.status)) ? b : null;
    },
    { timeoutMs: 20_000, what: `broadcast ${broadcastId} to end` },
  ).catch((e: Error) => {
    const b = t.hub.store.broadcasts.get(broadcastId)!;
    throw new Error(
      `${e.message}: ${JSON.stringify(b.targets.map((x) => [x.clusterId, x.status, x.reason, x.detail]))}\n` +
        edges.map((x) => x.output().slice(-1500)).join('\n'),
    );
  });
}

beforeAll(async () => {
  t = await startTestHub({ dataDir: hubDir, config: { dispatch: { leadMs: 2000 } } });
  for (const id of ids) creds.set(id, (await t.addCluster(id, { village: 'Bản Thử' })).secret);
  const wav = makeTone(join(tmp.path, 'bulletin.wav'), 2);
  const up = await t.api<{ media: { id: string; durationMs: number } }>('POST', '/api/v1/media?name=bulletin', readFileSync(wav), {
    headers: { accept: 'application/json' },
  });
  if (up.status !== 201) throw new Error(`import failed: ${JSON.stringify(up.body)}`);
  mediaId = up.body.media.id;
  mediaDurationMs = up.body.media.durationMs;
  for (const id of ids) {
    // edge-c runs with the V8 flags of systemd/loa-edge.service (lite mode: no WebAssembly).
    const nodeArgs = id === 'edge-c' ? EDGE_UNIT_NODE_ARGS : [];
    edges.push(
      spawnEdge({
        hubKeys: t.hub.hubKeys(),
        clusterId: id,
        secret: creds.get(id)!,
        mqttUrl: t.addresses.mqttUrl,
        httpUrl: t.addresses.httpUrl,
        dir: join(tmp.path, id),
        logLevel: 'warn',
        healthIntervalSec: 1,
        nodeArgs,
      }),
    );
  }
  await waitFor(() => ids.every((id) => t.hub.store.clusters.get(id)?.online), { what: 'three daemons online', timeoutMs: 20_000 }).catch((e) => {
    throw new Error(`${e.message}\n${edges.map((x) => x.output()).join('\n')}`);
  });
});

afterAll(async () => {
  await Promise.all(edges.map((e) => e.stop()));
  await t.stop();
  tmp.remove();
});

describe('hub with three real loa-edge daemons', () => {
  it('plays a broadcast on all three: each sink holds the whole item and the log shows started and finished', async () => {
    // One of them in the unit's lite mode, whose missing WebAssembly once broke the media download.
    expect(EDGE_UNIT_NODE_ARGS).toContain('--lite-mode');
    // A box that is ready late seeks forward to stay in step with the others, and says where it started.
    const startedAt = new Map<string, number>();
    t.hub.bus.on(startedAt, 'ack', ({ clusterId, ack }) => ack.status === 'started' && startedAt.set(clusterId, ack.positionMs ?? 0));
    const id = await play(ids);
    const b = await waitDone(id);
    for (const target of b.targets) {
      expect(target.status, `${target.clusterId}: ${target.reason} ${target.detail}`).toBe('finished');
      expect(target.startedAt).not.toBeNull();
      expect(target.finishedAt! - target.startedAt!).toBeGreaterThan(mediaDurationMs * 0.8);
      // Each daemon says how far from the common start time it began (its own estimate).
      expect(typeof target.startErrorMs).toBe('number');
    }
    for (const e of edges) {
      const files = readdirSync(e.sinkDir).filter((f) => f.includes(id));
      expect(files, e.clusterId).toHaveLength(1);
      const skippedS = (startedAt.get(e.clusterId) ?? 0) / 1000;
      expect(skippedS).toBeLessThan(0.5);
      expect(decodedDurationS(join(e.sinkDir, files[0]!)) + skippedS).toBeCloseTo(mediaDurationMs / 1000, 1);
    }
    t.hub.bus.removeListeners(startedAt);
    const log = await t.api<{ entries: { clusterId: string; status: string; startedAt: number; finishedAt: number }[] }>('GET', '/api/v1/log');
    const mine = log.body.entries.filter((e) => ids.includes(e.clusterId));
    expect(mine.map((e) => `${e.clusterId}:${e.status}`).sort()).toEqual(ids.map((x) => `${x}:finished`));
  });

  it('receives health from the daemons', async () => {
    await waitFor(() => ids.every((id) => t.hub.store.health.latest(id)?.agent.startsWith('loa-edge/')), { what: 'health' });
    const status = await t.api<{ clusters: { id: string; online: boolean; health: { memTotalMb: number } | null }[] }>('GET', '/api/v1/status');
    for (const c of status.body.clusters.filter((x) => ids.includes(x.id))) {
      expect(c.online).toBe(true);
      expect(c.health?.memTotalMb).toBeGreaterThan(0);
    }
  });

  it('a real daemon refuses an expired and a replayed command, and says so', async () => {
    const acks: Ack[] = [];
    t.hub.bus.on(acks, 'ack', ({ clusterId, ack }) => clusterId === 'edge-a' && acks.push(ack));
    const now = Date.now();
    const base = { v: PROTOCOL_VERSION, type: 'volume', volume: 70 } as const;
    const fresh = { ...base, id: 'fresh-1', seq: t.hub.store.clusters.takeSeq('edge-a'), issuedAt: now, expiresAt: now + 30_000 };
    const expired = { ...base, id: 'old-1', seq: t.hub.store.clusters.takeSeq('edge-a'), issuedAt: now - 120_000, expiresAt: now - 60_000 };
    const replay = { ...fresh, id: 'replay-1' };
    for (const cmd of [fresh, expired, replay]) await t.hub.signedMqtt.publish(clusterTopic('edge-a', 'cmd'), JSON.stringify(cmd), { qos: 1, retain: false });
    await waitFor(() => acks.some((a) => a.cmdId === 'replay-1'), { what: 'ack of the replay' });
    t.hub.bus.removeListeners(acks);
    expect(acks.find((a) => a.cmdId === 'fresh-1')?.status).toBe('accepted');
    expect(acks.find((a) => a.cmdId === 'old-1')).toMatchObject({ status: 'refused', reason: 'expired' });
    expect(acks.find((a) => a.cmdId === 'replay-1')).toMatchObject({ status: 'refused', reason: 'replay' });
  });

  it('after a hub restart on the same data directory, clusters, media and log are there and the daemons come back', async () => {
    const before = t.hub.store.broadcasts.log({ from: 0, to: Number.MAX_SAFE_INTEGER });
    const ports = { mqtts: t.addresses.mqttsPort ?? 0, http: t.addresses.httpPort };
    await t.stop({ keepData: true });
    await waitFor(() => edges.every((e) => e.child.exitCode === null), { what: 'daemons still running' });
    t = await startTestHub({ dataDir: hubDir, config: { mqtt: { tls: { port: ports.mqtts } }, http: { port: ports.http }, dispatch: { leadMs: 2000 } } });
    expect(t.hub.store.clusters.list().map((c) => c.id)).toEqual(expect.arrayContaining(ids));
    expect(t.hub.store.media.get(mediaId)?.name).toBe('bulletin');
    expect(t.hub.store.broadcasts.log({ from: 0, to: Number.MAX_SAFE_INTEGER })).toEqual(before);
    await waitFor(() => ids.every((id) => t.hub.store.clusters.get(id)?.online), { what: 'daemons reconnected', timeoutMs: 20_000 });
    const id = await play(ids);
    const b = await waitDone(id);
    expect(b.targets.map((x) => x.status)).toEqual(['finished', 'finished', 'finished']);
  });
});

// loa-edge on its own (in-process, real broker behind a TCP proxy the test blackholes, real media
// server, real ffmpeg writing WAVs): it plays plan items only while the link is down, joins one
// already under way where the broadcast is now, hands back to the hub when the link returns
// (withdrawing what has not started), never drops the hub's waiting play for a plan item, starts
// from plan.json with no hub at all, and delivers its play log after reconnecting, removing it
// once the broker confirmed it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import { PlanStore } from '../daemon/offline/plan-store.js';
import { freePort } from '../harness/ports.js';
import { clusterTopic, PROTOCOL_VERSION, type MediaRef, type Plan, type PlanItem, type PlayLogEntry } from '../protocol/index.js';
import { decodedDurationS } from './helpers/audio.js';
import { startEdge } from './helpers/daemon-edge.js';
import { cmd, makeOpusMedia, useDaemonRig } from './helpers/daemon-fixtures.js';
import { waitFor } from './helpers/hub.js';
import { LinkProxy } from './helpers/hub-link-proxy.js';
import { signedAsHub } from './helpers/signing.js';

let tone: { body: Buffer; ref: MediaRef };
let n = 0;
const proxies: LinkProxy[] = [];
const rig = useDaemonRig('loa-daemon-offline-', {
  setup: (r) => {
    tone = makeOpusMedia(r.tmp.path, 6, 520);
    r.media.routes.set(tone.ref.url, tone.body);
  },
  afterDaemons: async () => {
    await Promise.all(proxies.splice(0).map((p) => p.stop()));
  },
});

function planOf(items: PlanItem[], version = Date.now()): Plan {
  return { v: PROTOCOL_VERSION, version, generatedAt: Date.now(), from: Date.now(), until: Date.now() + 48 * 3600_000, items };
}
function item(broadcastId: string, startAt: number, extra: Partial<PlanItem> = {}): PlanItem {
  return { broadcastId, startAt, offsetMs: 0, media: tone.ref, priority: 'normal', ...extra };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A daemon whose link to the broker goes through a proxy the test can blackhole. */
async function edge(o: { mqttUrl?: string; before?: (dataDir: string) => Promise<void> } = {}) {
  const clusterId = `off-${++n}`;
  rig.media.credentials = { user: clusterId, password: 'sesame' };
  const proxy = new LinkProxy({ host: '127.0.0.1', port: rig.broker.port });
  await proxy.start();
  proxies.push(proxy);
  const dataDir = join(rig.tmp.path, clusterId);
  await o.before?.(dataDir);
  const sinkDir = join(rig.tmp.path, `${clusterId}-out`);
  const mqttUrl = o.mqttUrl ?? `mqtts://127.0.0.1:${proxy.port}`;
  const e = await startEdge({ clusterId, mqttUrl, httpUrl: rig.media.url, dataDir, sink: { type: 'file', dir: sinkDir }, keepaliveSec: 1 });
  rig.edges.push(e);
  const logFile = join(dataDir, 'playlog.jsonl');
  const playLog = () =>
    existsSync(logFile)
      ? readFileSync(logFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as PlayLogEntry)
      : [];
  const sink = () => (existsSync(sinkDir) ? readdirSync(sinkDir) : []);
  const logged = (msg: string) => e.logs.filter((l) => l.msg === msg);
  return { ...e, clusterId, proxy, dataDir, sinkDir, playLog, sink, logged };
}

/** The hub's side: the retained plan on the cluster's topic; waits until the box has it cached. */
async function givePlan(e: Awaited<ReturnType<typeof edge>>, plan: Plan): Promise<void> {
  await rig.watcher.client.publishAsync(clusterTopic(e.clusterId, 'plan'), signedAsHub(clusterTopic(e.clusterId, 'plan'), plan), { qos: 1, retain: true });
  const cached = () => e.daemon.offline?.plans.plan?.version === plan.version && e.daemon.cache?.state().planMissingBytes === 0;
  await waitFor(() => cached() && existsSync(join(e.dataDir, 'plan.json')), { what: 'the plan on disk and its media cached' });
}

describe('loa-edge playing its plan while the hub is unreachable', () => {
  it('plays nothing from the plan while connected; cut mid-item, joins it where the broadcast is; sends the log once back', async () => {
    const e = await edge();
    await rig.watcher.waitFor(`${e.clusterId} online`, () => rig.watcher.of(e.clusterId, 'presence').find((p) => p.status === 'online'));
    const x = item('s-under-way', Date.now() + 1500);
    await givePlan(e, planOf([x]));
    // Connected: the hub sends commands; the plan alone starts nothing.
    await sleep(x.startAt + 700 - Date.now());
    expect(e.sink()).toEqual([]);

    e.proxy.freeze();
    const entry = await waitFor(() => e.playLog()[0], { what: 'the joined item logged', timeoutMs: 12_000 });
    expect(e.proxy.liveSessions).toBe(0);
    const lateMs = entry.startedAt - x.startAt;
    expect(lateMs).toBeGreaterThan(1000);
    // Joined where the broadcast was: position = now − startAt + offsetMs (give or take the time a
    // loaded machine takes between the seek and the first sample: 101 ms seen in a CI run).
    expect(Math.abs(entry.startOffsetMs - lateMs)).toBeLessThan(200);
    expect(entry).toMatchObject({ broadcastId: x.broadcastId, outcome: 'finished' });
    expect(entry.positionMs).toBeGreaterThan(tone.ref.durationMs - 100);
    const wav = join(e.sinkDir, `${x.startAt}-${x.broadcastId}.wav`);
    expect(decodedDurationS(wav)).toBeCloseTo((tone.ref.durationMs - entry.startOffsetMs) / 1000, 0);
    // No ack for it went anywhere (the hub never sent a command).
    expect(rig.watcher.acks(e.clusterId)).toEqual([]);

    e.proxy.thaw();
    const sent = await rig.watcher.waitFor('the play log', () => rig.watcher.of(e.clusterId, 'playlog')[0]);
    expect(sent).toEqual({ v: 1, entries: [entry] });
    // Removed once the broker confirmed it; nothing is sent twice.
    await waitFor(() => e.playLog().length === 0 && e.daemon.offline?.playLog.pending.length === 0, { what: 'the play log emptied' });
    await sleep(300);
    expect(rig.watcher.of(e.clusterId, 'playlog')).toHaveLength(1);
  }, 25_000);

  it('withdraws an item handed to the player but not started when the link comes back', async () => {
    const e = await edge();
    await rig.watcher.waitFor(`${e.clusterId} online`, () => rig.watcher.of(e.clusterId, 'presence').find((p) => p.status === 'online'));
    const y = item('s-later', Date.now() + 6000);
    await givePlan(e, planOf([y]));
    e.proxy.freeze();
    // Handed over about three seconds ahead of its startAt, offline.
    await waitFor(() => e.logged('playing a plan item on our own').length > 0, { what: 'the item handed over', timeoutMs: 8000 });
    expect(Date.now()).toBeLessThan(y.startAt - 500);
    e.proxy.thaw();
    await waitFor(() => e.logged('hub reachable again; it takes over').length > 0, { what: 'the hub back', timeoutMs: 5000 });
    expect(e.logged('hub reachable again; it takes over')[0]).toMatchObject({ withdrawn: 1 });
    await sleep(y.startAt + 800 - Date.now());
    expect(e.sink()).toEqual([]);
    expect(e.playLog()).toEqual([]);
  }, 20_000);

  it("leaves the hub's waiting play alone: the plan item follows it at its own startAt", async () => {
    const e = await edge();
    await rig.watcher.waitFor(`${e.clusterId} online`, () => rig.watcher.of(e.clusterId, 'presence').find((p) => p.status === 'online'));
    // The hub's plays from before the cut: one playing, the next waiting for its startAt.
    const playing = cmd.play(1, tone.ref, { broadcastId: 'hub-now', startInMs: 100 });
    const waiting = cmd.play(2, tone.ref, { broadcastId: 'hub-next', startInMs: 4000 });
    const p = item('s-after', waiting.startAt + 1000, { stopAt: waiting.startAt + 2000 });
    await givePlan(e, planOf([p]));
    for (const c of [playing, waiting]) await rig.watcher.send(e.clusterId, c);
    await rig.watcher.waitAck(e.clusterId, waiting.id, 'accepted');
    e.proxy.freeze();
    const entry = await waitFor(() => e.playLog()[0], { what: 'the plan item played', timeoutMs: 10_000 });
    expect(entry).toMatchObject({ broadcastId: p.broadcastId, outcome: 'finished', startOffsetMs: expect.any(Number) });
    expect(Math.abs(entry.startedAt - p.startAt)).toBeLessThan(250);
    e.proxy.thaw();
    // The waiting play was not dropped for the plan item: it started at its startAt and was
    // replaced by the plan item at that one's startAt; its acks arrive after the cut.
    const started = await rig.watcher.waitAck(e.clusterId, waiting.id, 'started');
    expect(started.positionMs).toBeLessThan(100);
    expect(await rig.watcher.waitAck(e.clusterId, waiting.id, 'stopped')).toMatchObject({ reason: 'replaced' });
    expect(e.sink().sort()).toEqual([`${playing.startAt}-hub-now.wav`, `${waiting.startAt}-hub-next.wav`, `${p.startAt}-${p.broadcastId}.wav`].sort());
  }, 20_000);

  it('starts from plan.json with no hub at all and plays an item to its stopAt', async () => {
    // A port nothing listens on: every connect is refused at once.
    const port = await freePort();
    const startAt = Date.now() + 2500;
    const z = item('s-from-disk', startAt, { offsetMs: 1000, stopAt: startAt + 1500 });
    const e = await edge({
      mqttUrl: `mqtts://127.0.0.1:${port}`,
      before: async (dataDir) => {
        const store = new PlanStore(dataDir, silentLogger());
        store.offer(JSON.stringify(planOf([z])));
        await store.flushed();
      },
    });
    // Its media is not cached and the hub's HTTP is up: fetched ahead of time anyway.
    const entry = await waitFor(() => e.playLog()[0], { what: 'the item played', timeoutMs: 8000 });
    expect(entry).toMatchObject({ broadcastId: z.broadcastId, outcome: 'finished', startOffsetMs: expect.any(Number) });
    expect(Math.abs(entry.startedAt - z.startAt)).toBeLessThan(250);
    expect(entry.startOffsetMs - z.offsetMs).toBeLessThan(50);
    // Ended at stopAt: 1.5 s of media from offset 1 s.
    expect(Math.abs(entry.endedAt - z.stopAt!)).toBeLessThan(250);
    expect(entry.positionMs).toBeGreaterThan(2300);
    expect(decodedDurationS(join(e.sinkDir, `${z.startAt}-${z.broadcastId}.wav`))).toBeCloseTo(1.5, 0);
  }, 15_000);
});

// Issue 14, item 1: one box must not stop the commune's radio. A box publishes a valid retained
// state whose lastSeq is 2^53-1; the hub used to adopt it as its own counter, and the next command
// to that box (a broadcast, a scheduled item, a volume change) threw a ZodError that stopped the
// hub. Real hub, real SQLite, real MQTT.js clients as the boxes.
import { createHash } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { zonedToEpoch } from '../../hub/schedule/calendar.js';
import { clusterTopic } from '../../protocol/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { capturingLogger } from '../helpers/hub-cameras.js';
import { startTestHub, waitFor, type TestHub } from '../helpers/hub.js';
import { connectDevice } from '../helpers/mqtt.js';
import { scriptedBox } from '../helpers/scripted-box.js';
import { makeTempDir } from '../helpers/tmp.js';

const HUGE = Number.MAX_SAFE_INTEGER;
let hubs: TestHub[] = [];
const clients: MqttClient[] = [];
/** Errors nobody caught while a test ran: each one would have stopped a real hub process. */
const uncaught: unknown[] = [];
const onUncaught = (err: unknown): void => void uncaught.push(err);

afterEach(async () => {
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUncaught);
  for (const c of clients.splice(0)) c.end(true);
  for (const t of hubs.splice(0)) await t.stop();
});

function watchUncaught(): void {
  uncaught.length = 0;
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
}

async function hub(opts: Parameters<typeof startTestHub>[0] = {}): Promise<{ t: TestHub; lines: string[] }> {
  const lines: string[] = [];
  const t = await startTestHub({ logger: capturingLogger(lines), ...opts });
  hubs.push(t);
  return { t, lines };
}

/** The hostile box: online, takes commands, and reports a lastSeq the hub never issued. */
async function hostileBox(t: TestHub, c: { id: string; secret: string }, lastSeq = HUGE): Promise<MqttClient> {
  const box = await connectDevice(t.addresses.mqttUrl, c.id, c.secret);
  clients.push(box);
  await box.subscribeAsync(clusterTopic(c.id, 'cmd'), { qos: 1 });
  await box.publishAsync(clusterTopic(c.id, 'presence'), JSON.stringify({ v: 1, status: 'online', at: Date.now() }), { qos: 1, retain: true });
  const state = { v: 1, at: Date.now(), playing: null, volume: 80, lastSeq };
  await box.publishAsync(clusterTopic(c.id, 'state'), JSON.stringify(state), { qos: 1, retain: true });
  await waitFor(() => t.hub.devices.reportedState(c.id)?.lastSeq === lastSeq, { what: 'the hostile state' });
  return box;
}

async function honestBox(t: TestHub, c: { id: string; secret: string }) {
  const b = await scriptedBox(t.addresses.mqttUrl, c.id, c.secret, { finish: false });
  clients.push(b.client);
  await waitFor(() => t.hub.store.clusters.get(c.id)?.online, { what: `${c.id} online` });
  return b;
}

function nextSeq(t: TestHub, id: string): number {
  return (t.hub.store.db.prepare('SELECT next_seq FROM clusters WHERE id = ?').get(id) as { next_seq: number }).next_seq;
}

/** A media record of a set length (the scripted boxes never fetch audio). */
function media(t: TestHub, name: string, durationMs: number): string {
  const id = createHash('sha256').update(name).digest('hex');
  t.hub.store.media.upsert({ id, name, originalName: `${name}.ogg`, durationMs, bytes: 4000, format: 'ogg/opus', createdAt: t.hub.clock.now() });
  t.hub.bus.emit('mediaChanged', { mediaId: id, removed: false });
  return id;
}

const logged = (lines: string[], msg: RegExp) =>
  lines.map((l) => JSON.parse(l) as { msg: string; clusterId?: string; lastSeq?: number }).filter((l) => msg.test(l.msg));

describe('a box reporting a lastSeq the hub never issued', () => {
  it('is ignored and logged; broadcasts and volume changes to it and to others go on', async () => {
    watchUncaught();
    const { t, lines } = await hub();
    const evil = await t.addCluster('seq-evil');
    const good = await t.addCluster('seq-good');
    const before = nextSeq(t, evil.id);
    const evilBox = await hostileBox(t, evil);
    const commands: string[] = [];
    evilBox.on('message', (_topic, payload) => commands.push(payload.toString()));
    const honest = await honestBox(t, good);

    expect(nextSeq(t, evil.id)).toBeLessThanOrEqual(before + 1);
    const said = await waitFor(() => logged(lines, /never issued/).find((l) => l.clusterId === evil.id), { what: 'the ignored lastSeq logged' });
    expect(said.lastSeq).toBe(HUGE);

    const mediaId = media(t, 'tin-xa', 20_000);
    const r = await t.api<{ broadcast: { id: string } }>('POST', '/api/v1/broadcasts', { mediaId, clusters: [evil.id, good.id] });
    expect(r.status).toBe(201);
    await waitFor(() => honest.received.find((c) => c.type === 'play'), { what: "the honest box's play" });
    // The hostile box gets an ordinary command too: the hub's own next number, not 2^53.
    const toEvil = await waitFor(() => commands.map((c) => JSON.parse(c) as { type: string; seq: number }).find((c) => c.type === 'play'), {
      what: 'the play to the hostile box',
    });
    expect(toEvil.seq).toBeLessThan(HUGE);
    const vol = await t.api<{ commandId: string | null }>('POST', `/api/v1/clusters/${evil.id}/volume`, { volume: 40 });
    expect(vol.status).toBe(200);
    expect(vol.body.commandId).toEqual(expect.any(String));
    expect(uncaught).toEqual([]);
  });

  it('a lastSeq the hub did issue is taken without a warning', async () => {
    // (tests/dispatch-rejoin.test.ts covers what the hub does with it: resending a lost play.)
    const { t, lines } = await hub();
    const c = await t.addCluster('seq-seen');
    const issued = nextSeq(t, c.id) - 1;
    await hostileBox(t, c, issued);
    await new Promise((r) => setTimeout(r, 200));
    expect(logged(lines, /never issued/)).toEqual([]);
  });
});

describe('a cluster whose stored counter is already broken (a store written before the fix)', () => {
  it("recovers at the hub's start: its counter is put back, logged, and it is sent broadcasts again", async () => {
    const data = makeTempDir('loa-hub-');
    const first = await hub({ dataDir: data.path });
    const evil = await first.t.addCluster('seq-broken');
    const good = await first.t.addCluster('seq-fine');
    await first.t.stop({ keepData: true });
    hubs = [];
    // What the old hub stored after adopting the hostile lastSeq: 2^53, past what a command may carry.
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(`${data.path}/loa.db`);
    db.prepare('UPDATE clusters SET next_seq = ? WHERE id = ?').run(HUGE + 1, evil.id);
    db.close();

    watchUncaught();
    const { t, lines } = await hub({ dataDir: data.path });
    expect(nextSeq(t, evil.id)).toBeLessThan(HUGE);
    expect(logged(lines, /sequence.*(repaired|put back)/i).map((l) => l.clusterId)).toEqual([evil.id]);
    const mediaId = media(t, 'tin-xa', 20_000);
    const evilBox = await honestBox(t, evil);
    const goodBox = await honestBox(t, good);
    const r = await t.api<{ broadcast: { id: string } }>('POST', '/api/v1/broadcasts', { mediaId, clusters: [evil.id, good.id] });
    expect(r.status).toBe(201);
    await waitFor(() => goodBox.received.find((c) => c.type === 'play'), { what: 'the play to the fine cluster' });
    await waitFor(() => evilBox.received.find((c) => c.type === 'play'), { what: 'the play to the repaired cluster' });
    expect((await t.api('POST', `/api/v1/clusters/${evil.id}/volume`, { volume: 40 })).status).toBe(200);
    expect(uncaught).toEqual([]);
    data.remove();
  });
});

describe('a store restored from an older backup', () => {
  it("still sends the box numbers above those it has seen, without taking the box's word", async () => {
    const data = makeTempDir('loa-hub-');
    const first = await hub({ dataDir: data.path });
    const c = await first.t.addCluster('seq-restored');
    const b = await honestBox(first.t, c);
    const { copyFileSync } = await import('node:fs');
    // An online backup, as docs/install.md makes one.
    await first.t.hub.store.db.backup(`${data.path}/backup.db`);
    for (const volume of [50, 60, 70]) expect((await first.t.api('POST', `/api/v1/clusters/${c.id}/volume`, { volume })).status).toBe(200);
    await waitFor(() => b.received.length === 3, { what: 'three volume commands' });
    const seen = Math.max(...b.received.map((x) => x.seq));
    b.client.end(true);
    await first.t.stop({ keepData: true });
    hubs = [];
    copyFileSync(`${data.path}/backup.db`, `${data.path}/loa.db`);
    const { rmSync } = await import('node:fs');
    rmSync(`${data.path}/loa.db-wal`, { force: true });
    rmSync(`${data.path}/loa.db-shm`, { force: true });

    const { t } = await hub({ dataDir: data.path });
    const again = await honestBox(t, c);
    expect((await t.api('POST', `/api/v1/clusters/${c.id}/volume`, { volume: 40 })).status).toBe(200);
    const cmd = await waitFor(() => again.received.find((x) => x.type === 'volume'), { what: 'the volume command after the restore' });
    expect(cmd.seq).toBeGreaterThan(seen);
    data.remove();
  });
});

describe('errors nobody expected', () => {
  it('a listener that throws is logged, and the listeners after it still hear the event', async () => {
    watchUncaught();
    const { t, lines } = await hub();
    const c = await t.addCluster('bus-box');
    const heard: string[] = [];
    const owner = {};
    t.hub.bus.on(owner, 'state', () => {
      throw new Error('a module choking on a state');
    });
    t.hub.bus.on(owner, 'state', ({ clusterId }) => heard.push(clusterId));
    await hostileBox(t, c, 0);
    await waitFor(() => heard.includes(c.id), { what: 'the listener after the throwing one' });
    expect(logged(lines, /listener failed/)).toHaveLength(1);
    t.hub.bus.removeListeners(owner);
    expect(uncaught).toEqual([]);
  });

  it('a timer that throws, or whose work rejects, is logged and the hub goes on', async () => {
    watchUncaught();
    const { t, lines } = await hub();
    t.hub.clock.setTimeout(() => {
      throw new Error("a timer's bug");
    }, 0);
    // A timer callback that is async in fact (the Clock type says () => void): its rejection too.
    const asyncBug: () => void = async () => {
      throw new Error("a timer's async bug");
    };
    t.hub.clock.setTimeout(asyncBug, 0);
    await waitFor(() => logged(lines, /timer failed/).length === 2, { what: 'both timers logged' });
    expect((await t.api('GET', '/healthz')).status).toBe(200);
    expect(uncaught).toEqual([]);
  });
});

describe('a command that cannot be built for one cluster', () => {
  /** Breaks one cluster's counter under the running hub: the stand-in for any failure to build one command. */
  const breakCounter = (t: TestHub, id: string) => t.hub.store.db.prepare('UPDATE clusters SET next_seq = ? WHERE id = ?').run(HUGE + 1, id);

  it("fails that target of an operator's broadcast only; the others get it", async () => {
    watchUncaught();
    const { t } = await hub();
    const bad = await t.addCluster('cmd-bad');
    const ok = await t.addCluster('cmd-ok');
    const badBox = await honestBox(t, bad);
    const okBox = await honestBox(t, ok);
    breakCounter(t, bad.id);
    const mediaId = media(t, 'thong-bao', 20_000);
    const r = await t.api<{ broadcast: { id: string } }>('POST', '/api/v1/broadcasts', { mediaId, clusters: [bad.id, ok.id] });
    expect(r.status).toBe(201);
    await waitFor(() => okBox.received.find((c) => c.type === 'play'), { what: 'the play to the other cluster' });
    const failed = await waitFor(
      () => {
        const x = t.hub.store.broadcasts.target(r.body.broadcast.id, bad.id);
        return x?.status === 'failed' ? x : null;
      },
      { what: "the broken cluster's target failed" },
    );
    expect(failed.reason).toBe('send-failed');
    expect(badBox.received).toEqual([]);
    expect(uncaught).toEqual([]);
  });

  it("fails that cluster's scheduled item only, by the scheduler's timer; the others play it", async () => {
    watchUncaught();
    const date = '2026-12-07';
    const clock = new FakeClock(zonedToEpoch('Asia/Ho_Chi_Minh', date, 16 * 3600 + 59 * 60));
    const { t } = await hub({ clock, config: { dispatch: { leadMs: 3000, joinLeadMs: 1500 } } });
    const bad = await t.addCluster('sch-bad');
    const ok = await t.addCluster('sch-ok');
    media(t, 'tin-xa', 60_000);
    const applied = t.hub.schedules.apply(
      'site: loa-test\ntimezone: Asia/Ho_Chi_Minh\nprogrammes:\n  - id: tin-chieu\n    at: "17:00"\n    zones: [all]\n    items: [tin-xa]\n',
      'seq.yaml',
      'test',
      false,
    );
    expect(applied.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const badBox = await honestBox(t, bad);
    const okBox = await honestBox(t, ok);
    breakCounter(t, bad.id);
    await clock.runUntil(zonedToEpoch('Asia/Ho_Chi_Minh', date, 17 * 3600 + 5), 50);
    const play = await waitFor(() => okBox.received.find((c) => c.type === 'play'), { what: 'the scheduled play to the other cluster' });
    const id = play.type === 'play' ? play.broadcastId : '';
    const failed = await waitFor(
      () => {
        const x = t.hub.store.broadcasts.target(id, bad.id);
        return x?.status === 'failed' ? x : null;
      },
      { what: "the broken cluster's scheduled target failed" },
    );
    expect(failed.reason).toBe('send-failed');
    expect(badBox.received).toEqual([]);
    expect(uncaught).toEqual([]);
  });
});

// loa-edge hands over from one item to the next at the next item's startAt (not when its play
// arrives), ends an item at its stopAt, keeps at most one waiting item and refuses a stopAt that
// is not after startAt; real aedes broker, real media server, real ffmpeg writing WAV files.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Ack, MediaRef } from '../protocol/index.js';
import { decodedDurationS } from './helpers/audio.js';
import { startEdge } from './helpers/daemon-edge.js';
import { cmd, makeOpusMedia, useDaemonRig } from './helpers/daemon-fixtures.js';

/** A: long enough to be cut; B: the next item; two: a 2 s item for stopAt. */
let long: { ref: MediaRef };
let next: { ref: MediaRef };
let two: { ref: MediaRef };
let n = 0;
const rig = useDaemonRig('loa-daemon-replace-', {
  setup: (r) => {
    const made = [makeOpusMedia(r.tmp.path, 4, 330), makeOpusMedia(r.tmp.path, 1.5, 550), makeOpusMedia(r.tmp.path, 2, 770)];
    for (const m of made) r.media.routes.set(m.ref.url, m.body);
    [long, next, two] = made as [typeof long, typeof next, typeof two];
  },
});

async function edge() {
  const clusterId = `replace-${++n}`;
  rig.media.credentials = { user: clusterId, password: 'sesame' };
  const sinkDir = join(rig.tmp.path, `${clusterId}-out`);
  const e = await startEdge({
    clusterId,
    mqttUrl: rig.broker.url,
    httpUrl: rig.media.url,
    dataDir: join(rig.tmp.path, clusterId),
    sink: { type: 'file', dir: sinkDir },
  });
  rig.edges.push(e);
  await rig.watcher.waitFor(`${clusterId} state`, () => rig.watcher.of(clusterId, 'state').length > 0);
  const acksOf = (id: string) => rig.watcher.acks(clusterId).filter((a) => a.cmdId === id);
  const wav = (play: { startAt: number; broadcastId: string }) => join(sinkDir, `${play.startAt}-${play.broadcastId}.wav`);
  /** ffmpeg's startup latency the daemon logged when the item started (0 before it measured it). */
  const latencyS = (broadcastId: string) =>
    Number(e.logs.find((l) => l.msg === 'playback started' && l.broadcastId === broadcastId)?.startupLatencyMs ?? 0) / 1000;
  return { clusterId, acksOf, wav, latencyS, logs: e.logs };
}

/** The index of an ack in the cluster's ack stream, to check order across commands. */
const indexOf = (acks: Ack[], cmdId: string, status: Ack['status']) => acks.findIndex((a) => a.cmdId === cmdId && a.status === status);

describe('loa-edge replacement at startAt and stopAt', () => {
  it('keeps playing the current item until the next one’s startAt, then replaces it', async () => {
    const e = await edge();
    const a = cmd.play(1, long.ref, { broadcastId: 'item-a', startInMs: 300 });
    await rig.watcher.send(e.clusterId, a);
    const aStarted = await rig.watcher.waitAck(e.clusterId, a.id, 'started');
    const b = cmd.play(2, next.ref, { broadcastId: 'item-b', startInMs: 800 });
    await rig.watcher.send(e.clusterId, b);
    await rig.watcher.waitAck(e.clusterId, b.id, 'accepted');

    const aStopped = await rig.watcher.waitAck(e.clusterId, a.id, 'stopped');
    const bStarted = await rig.watcher.waitAck(e.clusterId, b.id, 'started');
    expect(aStopped).toMatchObject({ reason: 'replaced', broadcastId: 'item-a' });
    // A was cut when B's ffmpeg started, its startup latency before B's startAt (so that B is heard
    // at its startAt), not when B's play arrived 800 ms earlier.
    expect(e.latencyS('item-b')).toBeGreaterThan(0);
    expect(aStopped.at).toBeGreaterThanOrEqual(b.startAt - e.latencyS('item-b') * 1000 - 5);
    expect(aStopped.at).toBeLessThan(b.startAt + 300);
    const playedMs = aStopped.at - aStarted.at;
    expect(playedMs).toBeGreaterThan(800 - e.latencyS('item-b') * 1000 - 50);
    // positionMs counts from where A started (a late start on a loaded machine seeks forward); the
    // stopped ack goes once A's ffmpeg has exited, which takes a moment under load.
    const heardMs = (aStopped.positionMs ?? 0) - (aStarted.positionMs ?? 0);
    expect(heardMs).toBeGreaterThan(playedMs - 300);
    expect(heardMs).toBeLessThan(playedMs + 150);
    // A's WAV holds what was heard.
    expect(decodedDurationS(e.wav(a)) * 1000).toBeGreaterThan(heardMs - 250);
    expect(decodedDurationS(e.wav(a)) * 1000).toBeLessThan(heardMs + 150);
    // B started at its startAt, right after A stopped, and then plays to its end.
    expect(bStarted.at).toBeGreaterThanOrEqual(b.startAt);
    expect(bStarted.at).toBeLessThan(b.startAt + 500);
    const all = rig.watcher.acks(e.clusterId);
    expect(indexOf(all, b.id, 'accepted')).toBeLessThan(indexOf(all, a.id, 'stopped'));
    expect(indexOf(all, a.id, 'stopped')).toBeLessThan(indexOf(all, b.id, 'started'));
    await rig.watcher.waitAck(e.clusterId, b.id, 'finished');
    expect(e.acksOf(a.id).map((x) => x.status)).toEqual(['accepted', 'started', 'stopped']);
  });

  it('ends an item at its stopAt with finished and the position reached', async () => {
    const e = await edge();
    // Time to fetch the media and start ffmpeg its startup latency early.
    const play = cmd.play(1, two.ref, { broadcastId: 'cut', startInMs: 1000, stopInMs: 2000 });
    await rig.watcher.send(e.clusterId, play);
    const finished = await rig.watcher.waitAck(e.clusterId, play.id, 'finished');
    expect(e.acksOf(play.id).map((a) => a.status)).toEqual(['accepted', 'started', 'finished']);
    expect(finished.at).toBeGreaterThanOrEqual(play.stopAt!);
    expect(finished.at).toBeLessThan(play.stopAt! + 300);
    // Cut at 1 s of the 2 s media (a late start seeks forward, so it still ends at stopAt's position).
    expect(finished.positionMs).toBeGreaterThan(850);
    expect(finished.positionMs).toBeLessThan(1150);
    const startedAt = e.acksOf(play.id)[1]!.positionMs ?? 0;
    const seconds = decodedDurationS(e.wav(play));
    // ffmpeg was started its startup latency before startAt, so the file holds the span played
    // (less what a loaded machine adds to the latency measured at start-up: 0.35 s seen in a CI run).
    expect(e.latencyS('cut')).toBeGreaterThan(0);
    expect(seconds).toBeGreaterThan((finished.positionMs! - startedAt) / 1000 - 0.45);
    expect(seconds).toBeLessThan((finished.positionMs! - startedAt) / 1000 + 0.15);
  });

  it('an item ending by itself at the next one’s startAt plays to its end: the next one’s startup lead does not cut it', async () => {
    const e = await edge();
    const a = cmd.play(1, next.ref, { broadcastId: 'whole-a', startInMs: 1000 });
    const b = { ...cmd.play(2, two.ref, { broadcastId: 'whole-b' }), startAt: a.startAt + next.ref.durationMs };
    await rig.watcher.send(e.clusterId, a);
    await rig.watcher.waitAck(e.clusterId, a.id, 'started');
    await rig.watcher.send(e.clusterId, b);
    const bStarted = await rig.watcher.waitAck(e.clusterId, b.id, 'started');
    // A ended at its own end (finished, or replaced at B's startAt with nothing left to play),
    // not its startup lead before: B waited for it and was started at its startAt, without a lead.
    const aEnd = e.acksOf(a.id).at(-1)!;
    expect(['finished', 'stopped']).toContain(aEnd.status);
    expect(aEnd.positionMs).toBeGreaterThanOrEqual(next.ref.durationMs - 100);
    expect(decodedDurationS(e.wav(a)) * 1000).toBeGreaterThan(next.ref.durationMs - 250);
    expect(e.logs.find((l) => l.msg === 'starting playback' && l.broadcastId === 'whole-b')).toMatchObject({ leadMs: 0 });
    expect(bStarted.at).toBeGreaterThanOrEqual(b.startAt);
    await rig.watcher.waitAck(e.clusterId, b.id, 'finished');
  });

  it('drops a waiting play when a newer one comes; the current item plays on until the newest startAt', async () => {
    const e = await edge();
    const a = cmd.play(1, long.ref, { broadcastId: 'item-a', startInMs: 300 });
    await rig.watcher.send(e.clusterId, a);
    await rig.watcher.waitAck(e.clusterId, a.id, 'started');
    const b = cmd.play(2, next.ref, { broadcastId: 'item-b', startInMs: 2500 });
    await rig.watcher.send(e.clusterId, b);
    await rig.watcher.waitAck(e.clusterId, b.id, 'accepted');
    const c = cmd.play(3, next.ref, { broadcastId: 'item-c', startInMs: 1500 });
    await rig.watcher.send(e.clusterId, c);

    const bStopped = await rig.watcher.waitAck(e.clusterId, b.id, 'stopped');
    expect(bStopped).toMatchObject({ reason: 'replaced', positionMs: 0 });
    // B's drop did not touch A: A is cut when C's ffmpeg starts (its startup latency before C's
    // startAt), and C is heard from its startAt.
    const aStopped = await rig.watcher.waitAck(e.clusterId, a.id, 'stopped');
    expect(aStopped.reason).toBe('replaced');
    const leadMs = e.latencyS('item-c') * 1000;
    expect(aStopped.at).toBeGreaterThanOrEqual(c.startAt - leadMs - 5);
    expect(aStopped.at).toBeGreaterThan(bStopped.at + 1200 - leadMs);
    const cStarted = await rig.watcher.waitAck(e.clusterId, c.id, 'started');
    expect(cStarted.at).toBeGreaterThanOrEqual(c.startAt);
    await rig.watcher.waitAck(e.clusterId, c.id, 'finished');
    // B never played: no start, and no WAV.
    expect(e.acksOf(b.id).map((x) => x.status)).toEqual(['accepted', 'stopped']);
    expect(existsSync(e.wav(b))).toBe(false);
  });

  it('a stop stops at once both the playing item and the one waiting for its startAt', async () => {
    const e = await edge();
    const a = cmd.play(1, long.ref, { broadcastId: 'item-a', startInMs: 300 });
    await rig.watcher.send(e.clusterId, a);
    await rig.watcher.waitAck(e.clusterId, a.id, 'started');
    const b = cmd.play(2, next.ref, { broadcastId: 'item-b', startInMs: 3000 });
    await rig.watcher.send(e.clusterId, b);
    await rig.watcher.waitAck(e.clusterId, b.id, 'accepted');
    const stop = cmd.stop(3);
    await rig.watcher.send(e.clusterId, stop);
    await rig.watcher.waitAck(e.clusterId, stop.id, 'finished');
    expect(e.acksOf(a.id).at(-1)).toMatchObject({ status: 'stopped', reason: 'stop-command' });
    expect(e.acksOf(b.id).at(-1)).toMatchObject({ status: 'stopped', reason: 'stop-command', positionMs: 0 });
    expect(rig.watcher.of(e.clusterId, 'state').at(-1)).toMatchObject({ playing: null });
  });

  it('refuses a play whose stopAt is not after its startAt as invalid, and plays nothing', async () => {
    const e = await edge();
    const same = cmd.play(1, two.ref, { startInMs: 300, stopInMs: 300 });
    const before = cmd.play(2, two.ref, { startInMs: 300, stopInMs: 100 });
    await rig.watcher.send(e.clusterId, same);
    await rig.watcher.send(e.clusterId, before);
    for (const bad of [same, before]) {
      const refused = await rig.watcher.waitAck(e.clusterId, bad.id, 'refused');
      expect(refused).toMatchObject({ reason: 'invalid', seq: bad.seq });
      expect(refused.detail).toMatch(/stopAt/);
    }
    await new Promise((r) => setTimeout(r, 400));
    expect(rig.watcher.acks(e.clusterId).map((a) => a.status)).toEqual(['refused', 'refused']);
  });
});

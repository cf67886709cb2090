// loa-edge plays what it is told, in-process, against a real aedes broker, a real HTTP media server
// and real ffmpeg: the file sink's WAV, the order of acks, replacing and stopping, media failures.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MediaRef } from '../protocol/index.js';
import { decodedDurationS } from './helpers/audio.js';
import { startEdge } from './helpers/daemon-edge.js';
import { cmd, makeOpusMedia, useDaemonRig } from './helpers/daemon-fixtures.js';

let tone: { body: Buffer; ref: MediaRef };
let n = 0;
const rig = useDaemonRig('loa-daemon-play-', {
  setup: (r) => {
    tone = makeOpusMedia(r.tmp.path, 1.5);
    r.media.routes.set(tone.ref.url, tone.body);
  },
});

/** A fresh daemon with its own cluster id and data dir, sinking to files. */
async function edge(opts: { dataDir?: string; clusterId?: string; sink?: 'file' | 'alsa' } = {}) {
  const clusterId = opts.clusterId ?? `play-${++n}`;
  rig.media.credentials = { user: clusterId, password: 'sesame' };
  const dataDir = opts.dataDir ?? join(rig.tmp.path, clusterId);
  const sinkDir = join(rig.tmp.path, `${clusterId}-out`);
  const e = await startEdge({
    clusterId,
    mqttUrl: rig.broker.url,
    httpUrl: rig.media.url,
    dataDir,
    sink: opts.sink === 'alsa' ? { type: 'alsa', device: 'default' } : { type: 'file', dir: sinkDir },
  });
  rig.edges.push(e);
  await rig.watcher.waitFor(`${clusterId} online`, () => rig.watcher.of(clusterId, 'presence').find((p) => p.status === 'online'));
  // The retained state comes right after the subscription is made; wait so commands are not lost.
  await rig.watcher.waitFor(`${clusterId} state`, () => rig.watcher.of(clusterId, 'state').length > 0);
  return { ...e, clusterId, sinkDir };
}

describe('loa-edge playback', () => {
  it('plays a play command to a WAV of the media duration, acking accepted→started→finished', async () => {
    const e = await edge();
    // Time to fetch the media and start ffmpeg its startup latency early, so it plays from the top.
    const play = cmd.play(1, tone.ref, { startInMs: 1000 });
    await rig.watcher.send(e.clusterId, play);
    const finished = await rig.watcher.waitAck(e.clusterId, play.id, 'finished');
    const acks = rig.watcher.acks(e.clusterId).filter((a) => a.cmdId === play.id);
    expect(acks.map((a) => a.status)).toEqual(['accepted', 'started', 'finished']);
    for (const a of acks) expect(a).toMatchObject({ seq: 1, broadcastId: play.broadcastId });
    const started = acks[1]!;
    // Played in real time: from start to finish takes about the media's length.
    expect(finished.at - started.at).toBeGreaterThan(tone.ref.durationMs - 300);
    expect(started.at).toBeGreaterThanOrEqual(play.startAt);
    expect(finished.positionMs).toBe(tone.ref.durationMs);

    const wav = join(e.sinkDir, `${play.startAt}-${play.broadcastId}.wav`);
    expect(readdirSync(e.sinkDir)).toEqual([`${play.startAt}-${play.broadcastId}.wav`]);
    expect(decodedDurationS(wav)).toBeCloseTo(tone.ref.durationMs / 1000, 1);
    const fmt = readFileSync(wav).subarray(12, 36); // the 'fmt ' chunk comes first
    expect(fmt.toString('latin1', 0, 4)).toBe('fmt ');
    expect(fmt.readUInt16LE(10)).toBe(1); // mono
    expect(fmt.readUInt32LE(12)).toBe(48_000);
    // It says which ffmpeg it found (README.md's search order).
    expect(e.logs.find((l) => l.msg === 'using ffmpeg')).toMatchObject({ source: expect.any(String), path: expect.any(String) });
    // Cached under its SHA-256 for next time.
    expect(readdirSync(join(e.config.dataDir, 'media'))).toEqual([tone.ref.id]);
    // Retained state went from playing to idle, and reports the sequence (the idle state is
    // published after the finished ack, on another topic: it may land a moment later).
    const idle = await rig.watcher.waitFor('the idle state', () => {
      const last = rig.watcher.of(e.clusterId, 'state').at(-1);
      return last?.playing === null ? last : undefined;
    });
    const states = rig.watcher.of(e.clusterId, 'state');
    expect(states.some((s) => (s.playing as { broadcastId?: string } | null)?.broadcastId === play.broadcastId)).toBe(true);
    expect(idle).toMatchObject({ playing: null, lastSeq: 1 });
  });

  it('joins a late item where the others are: seeks forward by the lateness', async () => {
    const e = await edge();
    const late = cmd.play(1, tone.ref, { broadcastId: 'late', startInMs: -700 });
    await rig.watcher.send(e.clusterId, late);
    const started = await rig.watcher.waitAck(e.clusterId, late.id, 'started');
    // Where the others are when its first sample is heard: the lateness, plus ffmpeg's startup
    // latency (the lead it would have been started with had it been on time).
    const leadMs = Number(e.logs.find((l) => l.msg === 'starting playback' && l.broadcastId === 'late')?.leadMs);
    expect(leadMs).toBeGreaterThan(0);
    expect(started.positionMs).toBeGreaterThanOrEqual(700 + leadMs);
    expect(started.positionMs).toBeLessThan(1000 + leadMs);
    await rig.watcher.waitAck(e.clusterId, late.id, 'finished');
    const played = decodedDurationS(join(e.sinkDir, `${late.startAt}-late.wav`));
    expect(played).toBeCloseTo((tone.ref.durationMs - (started.positionMs ?? 0)) / 1000, 1);

    const over = cmd.play(2, tone.ref, { broadcastId: 'over', startInMs: -5000 });
    await rig.watcher.send(e.clusterId, over);
    expect(await rig.watcher.waitAck(e.clusterId, over.id, 'failed')).toMatchObject({ reason: 'expired' });
  });

  it('drops garbage and invalid commands without stopping, and still plays the next one', async () => {
    const e = await edge();
    await rig.watcher.send(e.clusterId, '{not json}'); // signed by the hub key: garbage that passes the signature
    await rig.watcher.send(e.clusterId, JSON.stringify({ v: 1, id: 'bad-1', seq: 7, type: 'play' }));
    const refused = await rig.watcher.waitAck(e.clusterId, 'bad-1', 'refused');
    expect(refused).toMatchObject({ reason: 'invalid', seq: 7 });
    const dropped = e.logs.filter((l) => l.msg === 'dropped an invalid command');
    expect(dropped).toHaveLength(2);
    expect(dropped[0]).toMatchObject({ topic: `loa/v1/clusters/${e.clusterId}/cmd` });
    expect(String(dropped[0]!.reason)).toMatch(/not JSON/);

    const play = cmd.play(1, tone.ref, { startInMs: 100 });
    await rig.watcher.send(e.clusterId, play);
    await rig.watcher.waitAck(e.clusterId, play.id, 'started');
  });

  it('refuses an expired command and a replayed sequence, also after a restart on the same data dir', async () => {
    const e = await edge();
    const expired = cmd.volume(1, 50, { now: Date.now() - 120_000, ttlMs: 60_000 });
    await rig.watcher.send(e.clusterId, expired);
    expect(await rig.watcher.waitAck(e.clusterId, expired.id, 'refused')).toMatchObject({ reason: 'expired' });

    const ok = cmd.volume(5, 40);
    await rig.watcher.send(e.clusterId, ok);
    await rig.watcher.waitAck(e.clusterId, ok.id, 'finished');
    const replay = cmd.volume(5, 90);
    await rig.watcher.send(e.clusterId, replay);
    expect(await rig.watcher.waitAck(e.clusterId, replay.id, 'refused')).toMatchObject({ reason: 'replay', seq: 5 });
    expect(JSON.parse(readFileSync(join(e.config.dataDir, 'state.json'), 'utf8'))).toEqual({ lastSeq: 5, volume: 40 });

    await e.stop();
    const seenBefore = rig.watcher.of(e.clusterId, 'presence').length;
    const again = await edge({ clusterId: e.clusterId, dataDir: e.config.dataDir });
    // The restarted daemon says "online" only once subscribed: wait for that fresh message,
    // not the first daemon's old one.
    for (
      let i = 0;
      i < 200 &&
      !rig.watcher
        .of(e.clusterId, 'presence')
        .slice(seenBefore)
        .some((p) => (p as { status?: string }).status === 'online');
      i++
    ) {
      await new Promise((r) => setTimeout(r, 25));
    }
    const afterRestart = cmd.volume(4, 90);
    await rig.watcher.send(e.clusterId, afterRestart);
    expect(await rig.watcher.waitAck(e.clusterId, afterRestart.id, 'refused')).toMatchObject({ reason: 'replay' });
    // The volume survived the restart too and is reported in the retained state.
    expect(rig.watcher.of(again.clusterId, 'state').at(-1)).toMatchObject({ volume: 40, lastSeq: 5 });
  });

  it('fails with media-corrupt when the bytes do not match the media id, and caches nothing', async () => {
    const e = await edge();
    const flipped = Buffer.from(tone.body);
    flipped[flipped.length - 10] = (flipped[flipped.length - 10] ?? 0) ^ 0xff;
    rig.media.routes.set('/media/flipped', flipped);
    const play = cmd.play(1, { ...tone.ref, url: '/media/flipped' });
    await rig.watcher.send(e.clusterId, play);
    const failed = await rig.watcher.waitAck(e.clusterId, play.id, 'failed');
    expect(failed.reason).toBe('media-corrupt');
    expect(failed.detail).toMatch(/SHA-256/);
    expect(readdirSync(join(e.config.dataDir, 'media'))).toEqual([]);
  });

  it('fails with media-fetch-failed when the media server answers 401', async () => {
    const e = await edge();
    rig.media.credentials = { user: e.clusterId, password: 'something-else' };
    const play = cmd.play(1, tone.ref);
    await rig.watcher.send(e.clusterId, play);
    const failed = await rig.watcher.waitAck(e.clusterId, play.id, 'failed');
    expect(failed).toMatchObject({ reason: 'media-fetch-failed' });
    expect(failed.detail).toMatch(/HTTP 401/);
    expect(rig.media.requests.at(-1)).toEqual({ path: tone.ref.url, status: 401 });
  });

  it('a new play whose startAt has passed replaces the current one at once, and stop stops', async () => {
    const e = await edge();
    const first = cmd.play(1, tone.ref, { broadcastId: 'first', startInMs: 50 });
    await rig.watcher.send(e.clusterId, first);
    await rig.watcher.waitAck(e.clusterId, first.id, 'started');
    // (A future startAt waits for its time: tests/daemon-replace.test.ts.)
    const second = cmd.play(2, tone.ref, { broadcastId: 'second', startInMs: -300 });
    const sentAt = Date.now();
    await rig.watcher.send(e.clusterId, second);
    const replaced = await rig.watcher.waitAck(e.clusterId, first.id, 'stopped');
    expect(replaced).toMatchObject({ reason: 'replaced', broadcastId: 'first' });
    expect(replaced.at - sentAt).toBeLessThan(300);
    const started = await rig.watcher.waitAck(e.clusterId, second.id, 'started');
    expect(started.positionMs).toBeGreaterThanOrEqual(300);

    const stopOther = cmd.stop(3, 'not-this-one');
    await rig.watcher.send(e.clusterId, stopOther);
    await rig.watcher.waitAck(e.clusterId, stopOther.id, 'finished');
    const stop = cmd.stop(4);
    await rig.watcher.send(e.clusterId, stop);
    const stopped = await rig.watcher.waitAck(e.clusterId, second.id, 'stopped');
    expect(stopped.reason).toBe('stop-command');
    expect(stopped.positionMs).toBeLessThan(tone.ref.durationMs);
    await rig.watcher.waitAck(e.clusterId, stop.id, 'finished');
    const statuses = (id: string) =>
      rig.watcher
        .acks(e.clusterId)
        .filter((a) => a.cmdId === id)
        .map((a) => a.status);
    expect(statuses(stop.id)).toEqual(['accepted', 'finished']);
    expect(statuses(first.id)).toEqual(['accepted', 'started', 'stopped']);
    expect(statuses(second.id)).toEqual(['accepted', 'started', 'stopped']);
    // Nobody finished: both were cut short, and the state is idle again.
    expect(rig.watcher.of(e.clusterId, 'state').at(-1)).toMatchObject({ playing: null });
  });

  it('maps a missing sound card to failed/no-audio-device (ALSA sink on a machine without one)', async () => {
    const e = await edge({ sink: 'alsa' });
    const play = cmd.play(1, tone.ref, { startInMs: 50 });
    await rig.watcher.send(e.clusterId, play);
    const failed = await rig.watcher.waitAck(e.clusterId, play.id, 'failed');
    expect(failed.reason).toBe('no-audio-device');
    expect(failed.detail).toMatch(/audio device|ALSA/i);
  });
});

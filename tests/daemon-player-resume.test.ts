// ffmpeg dying or freezing mid-item, with a real loa-edge (in-process), real broker and real ffmpeg
// writing WAVs: the item resumes where the broadcast is on the hub clock, in a second WAV, without
// a second `started`; after maxFailures it is `failed`/`player-error`; a missing sound card is a
// health error tried again only with the next item. The media is a chirp (pitch rises with time),
// so a WAV's first samples tell which position in the media they came from.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EdgeUnderTest } from './helpers/daemon-edge.js';
import { cmd, useDaemonRig } from './helpers/daemon-fixtures.js';
import { chirpPositionS, firstSound, makeChirpMedia, RATE, startPlayerEdge, waitForPlayer, wavSamples } from './helpers/daemon-player-fixtures.js';

let chirp: ReturnType<typeof makeChirpMedia>;
const frozen: number[] = [];
let n = 0;
const rig = useDaemonRig('loa-daemon-player-', {
  setup: (r) => {
    chirp = makeChirpMedia(r.tmp.path, 4);
    r.media.routes.set(chirp.ref.url, chirp.body);
  },
  afterEachTest: () => {
    for (const pid of frozen.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  },
});

async function edge(o: { player?: { stallSec?: number; maxFailures?: number }; sink?: 'file' | 'alsa'; healthIntervalSec?: number } = {}) {
  const clusterId = `resume-${++n}`;
  rig.media.credentials = { user: clusterId, password: 'sesame' };
  const sinkDir = join(rig.tmp.path, `${clusterId}-out`);
  const e = await startPlayerEdge({
    clusterId,
    mqttUrl: rig.broker.url,
    httpUrl: rig.media.url,
    dataDir: join(rig.tmp.path, clusterId),
    sink: o.sink === 'alsa' ? { type: 'alsa', device: 'hw:CARD=LoaNoSuchCard' } : { type: 'file', dir: sinkDir },
    player: o.player ?? {},
    healthIntervalSec: o.healthIntervalSec ?? 60,
  });
  rig.edges.push(e);
  await rig.watcher.waitFor(`${clusterId} state`, () => rig.watcher.of(clusterId, 'state').length > 0);
  return { ...e, clusterId, sinkDir };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const statuses = (clusterId: string, id: string) =>
  rig.watcher
    .acks(clusterId)
    .filter((a) => a.cmdId === id)
    .map((a) => a.status);
const restartLogs = (e: EdgeUnderTest) => e.logs.filter((l) => l.msg === 'ffmpeg died mid-item; restarting it where the broadcast is now');

/** Plays the chirp and returns once its ffmpeg has been running for about `intoMs` of the item. */
async function playAndWait(e: { clusterId: string }, intoMs: number, seq = 1) {
  const play = cmd.play(seq, chirp.ref, { broadcastId: `b${seq}`, startInMs: 300 });
  await rig.watcher.send(e.clusterId, play);
  await rig.watcher.waitAck(e.clusterId, play.id, 'started');
  const pid = await waitForPlayer();
  await sleep(play.startAt + intoMs - Date.now());
  return { play, pid };
}

describe('loa-edge player: ffmpeg dying mid-item', () => {
  it('resumes within a second at the hub-time position after ffmpeg is killed, in a second WAV', async () => {
    const e = await edge({ healthIntervalSec: 0.3 });
    const { play, pid } = await playAndWait(e, 1500);
    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');

    const restarted = await rig.watcher.waitFor('restart log', () => restartLogs(e)[0]);
    const restartedAt = Date.now();
    expect(restartedAt - killedAt).toBeLessThan(1000);
    expect(restarted).toMatchObject({ restarts: 1, reason: 'player-error', broadcastId: play.broadcastId, detail: 'ffmpeg was killed with signal SIGKILL' });
    // Where the broadcast is on the hub clock at the restart, not where ffmpeg died.
    const resumeMs = restarted.resumeMs as number;
    expect(resumeMs).toBeGreaterThanOrEqual(killedAt - play.startAt);
    expect(resumeMs).toBeLessThanOrEqual(restartedAt - play.startAt + 20);
    // Health says so while the item plays on.
    const h = await rig.watcher.waitFor('health with the restart', () =>
      rig.watcher.of(e.clusterId, 'health').find((x) => /restarted 1 time/.test(String(x.lastError))),
    );
    expect(h).toMatchObject({ player: 'playing' });
    expect(String(h.lastError)).toMatch(/^player-error: ffmpeg restarted 1 time during b1: /);

    const finished = await rig.watcher.waitAck(e.clusterId, play.id, 'finished');
    expect(finished).toMatchObject({ positionMs: chirp.ref.durationMs, detail: 'ffmpeg restarted 1 time during the item' });
    // The broadcast went on: no second 'started', no 'failed'.
    expect(statuses(e.clusterId, play.id)).toEqual(['accepted', 'started', 'finished']);

    const base = join(e.sinkDir, `${play.startAt}-${play.broadcastId}`);
    expect(readdirSync(e.sinkDir).sort()).toEqual([`${play.startAt}-${play.broadcastId}.r1.wav`, `${play.startAt}-${play.broadcastId}.wav`]);
    const first = wavSamples(`${base}.wav`);
    const second = wavSamples(`${base}.r1.wav`);
    // The first WAV holds what was heard before the kill (written as it played).
    expect(first.length / RATE).toBeGreaterThan(1.0);
    expect(first.length / RATE).toBeLessThan((killedAt - play.startAt) / 1000 + 0.1);
    // The second begins at the hub-time position: the chirp's pitch there says which second it is.
    const startS = firstSound(second) / RATE;
    expect(Math.abs(chirpPositionS(second, startS) - resumeMs / 1000)).toBeLessThan(0.15);
    expect(Math.abs(second.length / RATE - (chirp.ref.durationMs - resumeMs) / 1000)).toBeLessThan(0.1);
    // Together: the item's length less the gap while ffmpeg was dead.
    const total = (first.length + second.length) / RATE;
    expect(total).toBeGreaterThan(chirp.ref.durationMs / 1000 - 1);
    expect(total).toBeLessThan(chirp.ref.durationMs / 1000 + 0.05);
  });

  it('detects a stalled ffmpeg (SIGSTOP), kills it and resumes at the hub-time position', async () => {
    const e = await edge({ player: { stallSec: 1.5 } });
    const { play, pid } = await playAndWait(e, 1000);
    const stoppedAt = Date.now();
    process.kill(pid, 'SIGSTOP');
    frozen.push(pid);

    const stall = await rig.watcher.waitFor('stall log', () => e.logs.find((l) => l.msg === 'ffmpeg stalled; killing it'));
    expect(stall.pid).toBe(pid);
    const restarted = await rig.watcher.waitFor('restart log', () => restartLogs(e)[0]);
    const restartSeenAt = Date.now();
    const detectedAfter = restartSeenAt - stoppedAt;
    // stallSec after ffmpeg's last progress report, which comes every 0.5 s (later on a loaded
    // machine, so the last one may be up to a second old when ffmpeg is stopped).
    expect(detectedAfter).toBeGreaterThan(500);
    expect(detectedAfter).toBeLessThan(3500);
    expect(String(restarted.detail)).toMatch(/stalled: no output progress for \d/);
    expect(existsSync(`/proc/${pid}`)).toBe(false);

    await rig.watcher.waitAck(e.clusterId, play.id, 'finished');
    expect(statuses(e.clusterId, play.id)).toEqual(['accepted', 'started', 'finished']);
    const second = wavSamples(join(e.sinkDir, `${play.startAt}-${play.broadcastId}.r1.wav`));
    // Resumed where the broadcast was at the restart, not where ffmpeg stopped.
    const resumeS = (restarted.resumeMs as number) / 1000;
    expect(resumeS).toBeGreaterThan((stoppedAt - play.startAt + 500) / 1000);
    expect(resumeS).toBeLessThanOrEqual((restartSeenAt - play.startAt) / 1000 + 0.02);
    expect(Math.abs(chirpPositionS(second, firstSound(second) / RATE) - resumeS)).toBeLessThan(0.15);
  });

  it('gives up after maxFailures within the item: failed/player-error, health error', async () => {
    const e = await edge({ player: { maxFailures: 2 } });
    const { play, pid } = await playAndWait(e, 800);
    process.kill(pid, 'SIGKILL');
    await rig.watcher.waitFor('restart log', () => restartLogs(e)[0]);
    const again = await waitForPlayer([pid]);
    // Killed once it writes (a Debian ffmpeg takes 150-450 ms to open its output after spawning).
    await rig.watcher.waitFor("the restarted player's WAV", () => (readdirSync(e.sinkDir).length >= 2 ? true : undefined));
    await sleep(100);
    process.kill(again, 'SIGKILL');

    const failed = await rig.watcher.waitAck(e.clusterId, play.id, 'failed');
    expect(failed).toMatchObject({ reason: 'player-error' });
    expect(failed.detail).toBe('ffmpeg failed 2 times in this item; last: ffmpeg was killed with signal SIGKILL');
    expect(statuses(e.clusterId, play.id)).toEqual(['accepted', 'started', 'failed']);
    expect(restartLogs(e)).toHaveLength(1);
    const h = await rig.watcher.waitFor('error health', () => rig.watcher.of(e.clusterId, 'health').find((x) => x.player === 'error'));
    expect(String(h.lastError)).toMatch(/^player-error: ffmpeg failed 2 times/);
    await sleep(300);
    expect(readdirSync(e.sinkDir)).toHaveLength(2);
  });

  it('a missing sound card: failed/no-audio-device, health error at once, no retry until the next item', async () => {
    // healthIntervalSec 60: the error report must not wait for the timer.
    const e = await edge({ sink: 'alsa', healthIntervalSec: 60 });
    const spawns = () => e.logs.filter((l) => l.msg === 'ffmpeg started').length;
    const play = cmd.play(1, chirp.ref, { startInMs: 100 });
    await rig.watcher.send(e.clusterId, play);
    const failed = await rig.watcher.waitAck(e.clusterId, play.id, 'failed');
    expect(failed.reason).toBe('no-audio-device');
    const h = await rig.watcher.waitFor('error health', () => rig.watcher.of(e.clusterId, 'health').find((x) => x.player === 'error'), 3000);
    expect(String(h.lastError)).toMatch(/^no-audio-device: .*LoaNoSuchCard/);
    await sleep(1500);
    expect(spawns()).toBe(1);
    expect(restartLogs(e)).toHaveLength(0);

    const next = cmd.play(2, chirp.ref, { startInMs: 100 });
    await rig.watcher.send(e.clusterId, next);
    await rig.watcher.waitAck(e.clusterId, next.id, 'failed');
    expect(spawns()).toBe(2);
  });
});

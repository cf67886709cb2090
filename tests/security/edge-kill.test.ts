// Issue 14, item 13: `kill -9` of loa-edge mid-item. The real loa-edge bin (child process, file
// sink) plays a chirp for a stand-in hub (a broker and a watcher); it is SIGKILLed, its ffmpeg is
// left playing, and it is started again on the same data folder: the orphan must be stopped, an
// ffmpeg of another program must live on, and the item must go on where the broadcast is now and
// end with a final ack (the hub's target would stay `started` otherwise).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ffmpegPath } from '../helpers/audio.js';
import { cmd, useDaemonRig } from '../helpers/daemon-fixtures.js';
import { chirpPositionS, firstSound, makeChirpMedia, RATE, wavSamples } from '../helpers/daemon-player-fixtures.js';
import { spawnEdge, type EdgeProcess } from '../helpers/edge-process.js';

const ID = 'kill-edge';
const SECRET = 'kill-secret';
let chirp: ReturnType<typeof makeChirpMedia>;
const rig = useDaemonRig('loa-sec-kill-', {
  mediaUser: ID,
  setup: (r) => {
    r.media.credentials = { user: ID, password: SECRET };
    chirp = makeChirpMedia(r.tmp.path, 10);
    r.media.routes.set(chirp.ref.url, chirp.body);
  },
});
const boxes: EdgeProcess[] = [];
const strays: number[] = [];
let bystander: ChildProcess | undefined;

// Each test's daemons go with it: two boxes of one cluster id would take over each other's session.
afterEach(async () => {
  for (const b of boxes.splice(0)) await b.stop('SIGKILL');
});
afterAll(async () => {
  for (const b of boxes) await b.stop('SIGKILL');
  bystander?.kill('SIGKILL');
  for (const pid of strays) if (alive(pid)) process.kill(pid, 'SIGKILL');
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, pick: () => T | undefined | null | false, timeoutMs = 10_000): Promise<T> {
  for (const end = Date.now() + timeoutMs; ; await sleep(25)) {
    const v = pick();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
}

function box(): EdgeProcess {
  const b = spawnEdge({ dir: join(rig.tmp.path, 'box'), clusterId: ID, secret: SECRET, mqttUrl: rig.broker.url, httpUrl: rig.media.url });
  boxes.push(b);
  return b;
}

describe('loa-edge killed with SIGKILL mid-item (issue 14, item 13)', () => {
  it("stops the ffmpeg it left, spares another program's, and joins the item where the broadcast is", async () => {
    // Another program's ffmpeg on the same machine, playing the whole time.
    bystander = spawn(ffmpegPath(), ['-v', 'error', '-re', '-f', 'lavfi', '-i', 'sine=f=300:d=60', '-f', 'null', '-'], { stdio: 'ignore' });
    const first = box();
    const { sinkDir } = first;
    await rig.watcher.waitFor('the box online', () => rig.watcher.of(ID, 'presence').some((p) => p.status === 'online'), 15_000);
    const play = cmd.play(1, chirp.ref, { broadcastId: 'kill-b1', startInMs: 300 });
    await rig.watcher.send(ID, play);
    await rig.watcher.waitAck(ID, play.id, 'started');
    const orphan = (await until('the player pid', () => first.logs().find((l) => l.msg === 'ffmpeg started')?.pid)) as number;
    strays.push(orphan);
    await sleep(play.startAt + 1500 - Date.now());

    await first.stop('SIGKILL');
    const killedAt = Date.now();
    // The attack as reported: the daemon is gone, its ffmpeg plays on.
    await sleep(300);
    expect(alive(orphan)).toBe(true);

    const second = box();
    // Well before the 10 s item would have ended it by itself.
    await until('the orphan gone', () => !alive(orphan), 5000);
    expect(alive(bystander.pid!)).toBe(true);
    const joined = await until('the item joined again', () =>
      second.logs().find((l) => l.msg === 'the daemon stopped during this item; joining it again where the broadcast is now'),
    );
    expect(joined).toMatchObject({ cmdId: play.id, broadcastId: play.broadcastId, resumes: 1 });

    // The hub hears the item's end on the command it sent; no second `started`.
    const finished = await rig.watcher.waitAck(ID, play.id, 'finished', 15_000);
    expect(finished.detail).toMatch(/loa-edge stopped 1 time during the item and joined it again/);
    expect(
      rig.watcher
        .acks(ID)
        .filter((a) => a.cmdId === play.id)
        .map((a) => a.status),
    ).toEqual(['accepted', 'started', 'finished']);

    // What was heard: the first WAV up to the kill, then the rest from where the broadcast was.
    const base = join(sinkDir, `${play.startAt}-${play.broadcastId}`);
    expect(existsSync(`${base}.s1.wav`)).toBe(true);
    expect(
      readdirSync(sinkDir)
        .filter((f) => f.startsWith(`${play.startAt}-`))
        .sort(),
    ).toEqual([`${play.startAt}-${play.broadcastId}.s1.wav`, `${play.startAt}-${play.broadcastId}.wav`]);
    const before = wavSamples(`${base}.wav`);
    const after = wavSamples(`${base}.s1.wav`);
    expect(before.length / RATE).toBeGreaterThan(1.0);
    const resumedS = chirpPositionS(after, firstSound(after) / RATE);
    expect(resumedS).toBeGreaterThan((killedAt - play.startAt) / 1000);
    expect(Math.abs(resumedS + after.length / RATE - chirp.ref.durationMs / 1000)).toBeLessThan(0.3);
    expect(existsSync(join(rig.tmp.path, 'box', 'data', 'playing.json'))).toBe(false);
  });

  it('signals nothing a stale or doctored player.pid names, and gives up an item that keeps killing it', async () => {
    const other = spawn(ffmpegPath(), ['-v', 'error', '-re', '-f', 'lavfi', '-i', 'sine=f=200:d=30', '-f', 'null', '-'], { stdio: 'ignore' });
    strays.push(other.pid!);
    await sleep(200);
    const stat = readFileSync(`/proc/${other.pid}/stat`, 'utf8');
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const program = ffmpegPath();
    const dir = join(rig.tmp.path, 'box2');
    mkdirSync(join(dir, 'data'), { recursive: true });
    const pidFile = (b: string, players: object[]) => writeFileSync(join(dir, 'data', 'player.pid'), JSON.stringify({ boot: b, players }));
    // A play the daemon "was playing" when it was killed for the fourth time in the same item.
    const play = cmd.play(7, chirp.ref, { broadcastId: 'kill-b7', startInMs: -1000 });
    writeFileSync(join(dir, 'data', 'playing.json'), JSON.stringify({ cmd: play, startedAt: play.startAt, seekMs: 0, resumes: 3 }));
    const tries: [string, object[]][] = [
      ['another boot', [{ pid: other.pid, start, program }]],
      ['pid reused', [{ pid: other.pid, start: String(Number(start) - 1), program }]],
      ['another program', [{ pid: other.pid, start, program: '/bin/sh' }]],
      [
        'not a list',
        [
          { pid: '1; rm -rf /', start, program },
          { pid: 1, start: '0', program: '/sbin/init' },
        ],
      ],
    ];
    for (const [what, players] of tries) {
      pidFile(what === 'another boot' ? '00000000-0000-0000-0000-000000000000' : boot, players);
      const b = spawnEdge({ dir, clusterId: ID, secret: SECRET, mqttUrl: rig.broker.url, httpUrl: rig.media.url });
      boxes.push(b);
      const online = rig.watcher.of(ID, 'presence').filter((p) => p.status === 'online').length;
      await rig.watcher.waitFor(`${what}: online`, () => rig.watcher.of(ID, 'presence').filter((p) => p.status === 'online').length > online, 15_000);
      await b.stop('SIGTERM');
      expect(alive(other.pid!), what).toBe(true);
      expect(
        b.logs().filter((l) => l.msg === 'a player of the previous run is still playing; stopping it'),
        what,
      ).toEqual([]);
    }
    // Acked by the first of these runs, from its outbox once online.
    const gaveUp = await rig.watcher.waitAck(ID, play.id, 'failed');
    expect(gaveUp).toMatchObject({ reason: 'player-error', detail: 'loa-edge stopped 4 times during the item; not joining it again' });
    expect(rig.watcher.acks(ID).filter((a) => a.cmdId === play.id)).toHaveLength(1);
    other.kill('SIGKILL');
  });

  it('joins nothing after a clean stop (SIGTERM): the item was acked stopped/shutdown', async () => {
    const dir = join(rig.tmp.path, 'box3');
    const spawnBox = () => spawnEdge({ dir, clusterId: ID, secret: SECRET, mqttUrl: rig.broker.url, httpUrl: rig.media.url });
    const first = spawnBox();
    boxes.push(first);
    await until('online', () => first.logs().find((l) => l.msg === 'loa-edge started'), 15_000);
    const play = cmd.play(20, chirp.ref, { broadcastId: 'term-b20', startInMs: 300 });
    await rig.watcher.waitFor('online', () => rig.watcher.of(ID, 'presence').at(-1)?.status === 'online', 15_000);
    await rig.watcher.send(ID, play);
    await rig.watcher.waitAck(ID, play.id, 'started');
    await sleep(500);
    await first.stop('SIGTERM');
    expect(await rig.watcher.waitAck(ID, play.id, 'stopped')).toMatchObject({ reason: 'shutdown' });
    expect(existsSync(join(dir, 'data', 'playing.json'))).toBe(false);
    const again = spawnBox();
    boxes.push(again);
    await until('started again', () => again.logs().find((l) => l.msg === 'loa-edge started'), 15_000);
    await sleep(500);
    expect(again.logs().filter((l) => String(l.msg).startsWith('the daemon stopped during this item'))).toEqual([]);
  });
});

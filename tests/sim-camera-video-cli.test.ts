// `loa-sim --cameras N` (compiled dist/) starts the cameras' RTSP server: its address streams
// H.264 to ffprobe, and the server goes when loa-sim stops on SIGTERM or is killed outright.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../harness/ports.js';
import { probeRtsp } from './helpers/rtsp-client.js';
import { requireGstRtsp, requireTool } from './helpers/tools.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'loa-sim.js');
// Shared with sim-camera-video.test.ts and kept between runs: only the first run encodes.
const CACHE = join(tmpdir(), 'loa-sim-video-test-cache');
const haveAll = requireTool('ffprobe') && requireGstRtsp();

beforeAll(() => {
  if (!existsSync(join(import.meta.dirname, '..', 'dist', 'firmware-sim', 'main.js'))) {
    throw new Error('dist/ is missing: run `npx tsc -p .` (npm test does) before this suite');
  }
});

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

// A process that exited but was not reaped yet (an orphan waits for init to reap it) counts as gone.
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

async function startSim(): Promise<{ child: ChildProcess; url: string; rtspPid: number; exit: Promise<number | null> }> {
  const port = await freePort('127.0.1.1');
  const args = ['--cameras', '2', '--camera-port', String(port), '--camera-rtsp-port', '0', '--video-cache', CACHE];
  const child = spawn(process.execPath, [BIN, ...args, '--log-level', 'silent', '--summary-interval', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  // The first run encodes two cameras' 10 s loops; later runs find them in the cache.
  const deadline = Date.now() + 45_000;
  const ready = () => stderr.match(/video at (rtsp:\/\/\S+) \(RTSP server pid (\d+)\)/);
  while (!ready()) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`loa-sim did not start its video: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const m = ready()!;
  return { child, url: m[1]!, rtspPid: Number(m[2]), exit };
}

describe.skipIf(!haveAll)('loa-sim --cameras with video', () => {
  it('streams H.264 at the address it prints, and stops its RTSP server on SIGTERM', async () => {
    const sim = await startSim();
    expect(sim.url).toMatch(/^rtsp:\/\/127\.0\.1\.1:\d+\/profile_main$/);
    expect(await probeRtsp(sim.url)).toEqual({ codec: 'h264', width: 1280, height: 720 });
    expect(alive(sim.rtspPid)).toBe(true);
    sim.child.kill('SIGTERM');
    expect(await sim.exit).toBe(0);
    expect(alive(sim.rtspPid)).toBe(false);
  }, 70_000);

  it('leaves no RTSP server behind when loa-sim is killed outright', async () => {
    const sim = await startSim();
    sim.child.kill('SIGKILL');
    await sim.exit;
    // The server sees its stdin close (and the kernel's parent-death signal): bounded wait, 5 s.
    for (let i = 0; i < 50 && alive(sim.rtspPid); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive(sim.rtspPid)).toBe(false);
  }, 70_000);
});

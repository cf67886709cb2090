// The simulated ONVIF cameras driven by Debian's onvif-util (libonvif), a client nobody here wrote.
// onvif-util only reaches a camera it has found by a multicast WS-Discovery Probe, which it sends with
// IP_MULTICAST_LOOP off, so a listener on the same host never hears it. The cameras and onvif-util
// therefore run together in a private user+network namespace whose multicast route is lo, where the
// Probe is heard; tests/helpers/sim-camera-netns.mjs starts the cameras (from dist/: run
// `npx tsc -p .` first) and drives onvif-util asynchronously from the same process.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from './helpers/tools.js';

const haveTools = requireTool('onvif-util') && requireTool('unshare') && requireTool('ip');
const runner = fileURLToPath(new URL('./helpers/sim-camera-netns.mjs', import.meta.url));

interface Run {
  code: number | null;
  signal: string | null;
  out: string;
}

function inNamespace(): Promise<{ all: Run; right: Run; wrong: Run }> {
  const script = `ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo && exec "${process.execPath}" "${runner}"`;
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', ['--user', '--map-root-user', '--net', 'sh', '-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line));
      } catch {
        reject(new Error(`namespace run failed (exit ${code}): ${err || out}`));
      }
    });
  });
}

describe.skipIf(!haveTools)('simulated cameras and onvif-util', () => {
  let res: { all: Run; right: Run; wrong: Run };
  beforeAll(async () => {
    res = await inNamespace();
  }, 30_000);

  it('finds every camera by WS-Discovery (onvif-util -a)', () => {
    expect(res.all.out).toContain('Found 3 cameras');
    for (const [host, name] of [
      ['127.0.1.1', 'cam-001'],
      ['127.0.1.2', 'cam-002'],
      ['127.0.1.3', 'cam-003'],
    ]) {
      expect(res.all.out).toContain(`${host} (${name} SimCam-S1)`);
    }
  });

  it('logs in with the right password and reads device information, stream URI, profiles and time', () => {
    const out = res.right.out;
    expect(res.right.code).toBe(0);
    expect(out).toContain('successfully connected to host');
    expect(out).toMatch(/name:\s+cam-002 SimCam-S1/);
    expect(out).toMatch(/serial:\s+SIM-127-0-1-2/);
    expect(out).toContain('rtsp://127.0.1.2:554/profile_main');
    expect(out).toMatch(/Token 0: profile_main/);
    expect(out).toMatch(/Token 1: profile_sub/);
    expect(out).toMatch(/Timezone:\s+UTC/);
    expect(out).not.toContain('ERROR');
  });

  it('is refused with a wrong password', () => {
    expect(res.wrong.out).toContain('ter:NotAuthorized');
    expect(res.wrong.out).not.toContain('successfully connected');
    expect(res.wrong.out).not.toContain('rtsp://');
    expect(res.wrong.code).not.toBe(0);
  });
});

// `loa-sim --cameras N` as a child process (compiled dist/): cameras on 127.0.1.1 and 127.0.1.2 on
// the given port with the given credentials, no fleet file needed, and a clean exit on SIGTERM.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import onvif from 'onvif';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { freePort } from '../harness/ports.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'loa-sim.js');

beforeAll(() => {
  if (!existsSync(join(import.meta.dirname, '..', 'dist', 'firmware-sim', 'main.js'))) {
    throw new Error('dist/ is missing: run `npx tsc -p .` (npm test does) before this suite');
  }
});

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function connect(hostname: string, port: number, password: string): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    const cam = new onvif.Cam({ hostname, port, username: 'admin', password, autoconnect: false, timeout: 2_000 } as any) as any;
    cam.connect((err: Error | null) => (err ? reject(err) : resolve(cam)));
  });
}

it('starts N cameras with the given port and password, and stops on SIGTERM', async () => {
  const port = await freePort('127.0.1.2');
  // No video: it has its own test (sim-camera-video-cli.test.ts), and encoding it would eat this test's start-up deadline.
  const quiet = ['--no-camera-video', '--log-level', 'silent', '--summary-interval', '0'];
  const child = spawn(process.execPath, [BIN, '--cameras', '2', '--camera-port', String(port), '--camera-password', 's3cret', ...quiet], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  cleanups.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 8_000;
  while (!stderr.includes('ONVIF cameras from')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`loa-sim did not start its cameras: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(stderr).toContain(`http://127.0.1.1:${port}/onvif/device_service`);

  const cam = await connect('127.0.1.2', port, 's3cret');
  const info = await new Promise((resolve, reject) => cam.getDeviceInformation((e: Error | null, d: unknown) => (e ? reject(e) : resolve(d))));
  expect(info).toMatchObject({ hardwareId: 'cam-002' });
  await expect(connect('127.0.1.1', port, 'admin')).rejects.toThrow();

  child.kill('SIGTERM');
  expect(await exit).toBe(0);
}, 15_000);

it('refuses to start with neither --fleet nor --cameras', async () => {
  const child = spawn(process.execPath, [BIN], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).not.toBe(0);
  expect(stderr).toMatch(/--fleet.*--cameras/);
});

// Faults on demand for the simulated cameras: the --camera-faults spec, the control HTTP server over
// real HTTP (faults, motion, restart), `loa-sim` as a child process (dist/) whose dead camera is revived
// through its control server, and the one-line error when port 80 cannot be bound.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import {
  parseFaultSpec,
  startCameras,
  startControlServer,
  type CameraControlView,
  type CameraFarm,
  type ControlServer,
} from '../firmware-sim/cameras/index.js';
import { connectCam, createSubscription, pullMessages } from './helpers/sim-camera-soap.js';
import { requireTool } from './helpers/tools.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'loa-sim.js');

async function http(method: string, url: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
  return { status: res.status, json: await res.json() };
}

describe('--camera-faults spec', () => {
  it('reads faults by 1-based camera number, skew in seconds, and merges a camera named twice', () => {
    const m = parseFaultSpec('2:dead, 3:slow=2500,4:skew=-90,5:wrong-password,3:skew=1.5');
    expect([...m.entries()]).toEqual([
      [1, { dead: true }],
      [2, { slowMs: 2500, clockSkewMs: 1500 }],
      [3, { clockSkewMs: -90_000 }],
      [4, { wrongPassword: true }],
    ]);
  });

  it('names the bad part', () => {
    expect(() => parseFaultSpec('2:dead,3:slo=5')).toThrow(/"3:slo=5" has an unknown fault "slo"/);
    expect(() => parseFaultSpec('0:dead')).toThrow(/"0:dead" names camera 0/);
    expect(() => parseFaultSpec('2:slow')).toThrow(/"2:slow" needs a delay in ms/);
    expect(() => parseFaultSpec('2:slow=-1')).toThrow(/"2:slow=-1" has a delay in ms -1, outside/);
    expect(() => parseFaultSpec('2:dead=yes')).toThrow(/"2:dead=yes" takes no value/);
    expect(() => parseFaultSpec('dead')).toThrow(/"dead" is not N:FAULT/);
    expect(() => parseFaultSpec('')).toThrow(/names no fault/);
  });
});

describe('camera control server', () => {
  let farm: CameraFarm;
  let control: ControlServer;
  beforeAll(async () => {
    farm = await startCameras({ count: 2, port: 0, firstHost: '127.0.6.1', logger: silentLogger() });
    control = await startControlServer({ cameras: farm.cameras, port: 0, logger: silentLogger() });
  });
  afterAll(async () => {
    await control?.close();
    await farm?.stop();
  });

  it('lists the cameras with address, port, faults and motion', async () => {
    expect(control.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { status, json } = await http('GET', `${control.url}/cameras`);
    expect(status).toBe(200);
    expect(json.cameras).toHaveLength(2);
    expect(json.cameras[1]).toEqual({
      number: 2,
      name: 'cam-002',
      host: '127.0.6.2',
      port: farm.cameras[1]!.port,
      deviceUrl: farm.cameras[1]!.deviceUrl,
      faults: { dead: false, slowMs: 0, clockSkewMs: 0, wrongPassword: false },
      motion: false,
      subscriptions: 0,
    } satisfies CameraControlView);
  });

  it('switches faults while running and refuses bad ones with a message', async () => {
    const c = farm.cameras[0]!;
    const dead = await http('POST', `${control.url}/cameras/1/faults`, { dead: true, clockSkewMs: 90_000 });
    expect(dead.status).toBe(200);
    expect(dead.json.faults).toEqual({ dead: true, slowMs: 0, clockSkewMs: 90_000, wrongPassword: false });
    await expect(connectCam({ hostname: c.host, port: c.port, timeout: 1_000 })).rejects.toThrow();
    const alive = await http('POST', `${control.url}/cameras/1/faults`, { dead: false, clockSkewMs: 0 });
    expect(alive.json.faults.dead).toBe(false);
    await connectCam({ hostname: c.host, port: c.port });

    const bad = await http('POST', `${control.url}/cameras/1/faults`, { slowMs: -5, wrongPasword: true });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/slowMs/);
    expect(bad.json.error).toMatch(/wrongPasword/);
    expect((await http('POST', `${control.url}/cameras/1/faults`, { dead: 'yes' })).status).toBe(400);
    expect(c.faults).toEqual({ dead: false, slowMs: 0, clockSkewMs: 0, wrongPassword: false });
    const missing = await http('POST', `${control.url}/cameras/3/faults`, { dead: true });
    expect(missing.status).toBe(404);
    expect(missing.json.error).toBe('no camera 3; cameras are numbered 1-2');
  });

  it('raises motion that reaches a subscription, and restarts a camera, forgetting its subscriptions', async () => {
    const c = farm.cameras[1]!;
    const eventsUrl = `http://${c.host}:${c.port}/onvif/events_service`;
    const sub = await createSubscription(eventsUrl);
    await pullMessages(sub.address, 'PT0S');
    const held = pullMessages(sub.address, 'PT2S');
    const motion = await http('POST', `${control.url}/cameras/2/motion`, { durationMs: 200 });
    expect(motion.json).toMatchObject({ motion: true, subscriptions: 1 });
    expect((await held).messages.map((m) => m.isMotion)).toEqual(['true']);
    expect((await http('POST', `${control.url}/cameras/2/motion`, { durationMs: 'long' })).status).toBe(400);

    const port = c.port;
    const restarted = await http('POST', `${control.url}/cameras/2/restart`);
    expect(restarted.json).toMatchObject({ port, subscriptions: 0, motion: false });
    const old = await pullMessages(sub.address, 'PT0S');
    expect(old.status).toBe(400);
    expect(old.xml).toContain('ResourceUnknownFault');
    const fresh = await createSubscription(eventsUrl);
    expect((await pullMessages(fresh.address, 'PT0S')).messages).toHaveLength(1);
  });
});

describe('loa-sim child process', () => {
  const children: ChildProcess[] = [];
  beforeAll(() => {
    if (!existsSync(join(import.meta.dirname, '..', 'dist', 'firmware-sim', 'cameras', 'control.js'))) {
      throw new Error('dist/ is missing or old: run `npx tsc -p .` (npm test does) before this suite');
    }
  });
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  function run(args: string[], withoutBindCap = false): { child: ChildProcess; stderr: () => string; exit: Promise<number | null> } {
    // Still root (it can read a checkout nobody else may), but without the capability to bind low ports.
    const drop = ['--inh-caps=-net_bind_service', '--bounding-set=-net_bind_service'];
    const [cmd, argv] = withoutBindCap ? ['setpriv', [...drop, process.execPath, BIN, ...args]] : [process.execPath, [BIN, ...args]];
    const child = spawn(cmd as string, argv as string[], { stdio: ['ignore', 'ignore', 'pipe'], cwd: '/' });
    children.push(child);
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    return { child, stderr: () => err, exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
  }

  it('starts camera 2 dead from --camera-faults and revives it through the control server', async () => {
    const sim = run([
      '--cameras',
      '3',
      '--camera-port',
      '0',
      '--control-port',
      '0',
      '--camera-faults',
      '2:dead',
      '--log-level',
      'silent',
      '--summary-interval',
      '0',
    ]);
    const deadline = Date.now() + 10_000;
    while (!/control at (http:\/\/127\.0\.0\.1:\d+)/.test(sim.stderr())) {
      if (Date.now() > deadline || sim.child.exitCode !== null) throw new Error(`loa-sim did not start: ${sim.stderr()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const url = /control at (http:\/\/127\.0\.0\.1:\d+)/.exec(sim.stderr())![1]!;
    const list = (await http('GET', `${url}/cameras`)).json.cameras as CameraControlView[];
    expect(list.map((c) => [c.host, c.faults.dead])).toEqual([
      ['127.0.1.1', false],
      ['127.0.1.2', true],
      ['127.0.1.3', false],
    ]);
    const cam2 = list[1]!;
    await expect(connectCam({ hostname: cam2.host, port: cam2.port, timeout: 1_000 })).rejects.toThrow();
    await connectCam({ hostname: list[0]!.host, port: list[0]!.port });

    expect((await http('POST', `${url}/cameras/2/faults`, { dead: false })).json.faults.dead).toBe(false);
    const cam = await connectCam({ hostname: cam2.host, port: cam2.port });
    expect(cam.uri.events.href).toBe(`http://127.0.1.2:${cam2.port}/onvif/events_service`);

    sim.child.kill('SIGTERM');
    expect(await sim.exit).toBe(0);
  }, 20_000);

  it('rejects a fault for a camera it does not have', async () => {
    const sim = run(['--cameras', '2', '--camera-port', '0', '--camera-faults', '3:dead']);
    expect(await sim.exit).toBe(1);
    expect(sim.stderr()).toContain('--camera-faults names camera 3, but there are only 2');
  });

  // Root binds port 80 anyway, so as root the refusal is shown by running loa-sim without
  // CAP_NET_BIND_SERVICE (not as nobody: nobody may not be able to read this checkout); a user on a
  // host that lets everyone bind low ports cannot see it at all.
  const isRoot = process.getuid?.() === 0;
  const everyoneBinds80 = !isRoot && Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8')) <= 80;
  it.skipIf(everyoneBinds80)(
    'says in one line how to get past a refused port 80',
    async () => {
      if (isRoot && !requireTool('setpriv')) throw new Error('setpriv (util-linux) is needed to drop a capability for this test');
      const sim = run(['--cameras', '1', '--log-level', 'silent'], isRoot);
      expect(await sim.exit).toBe(1);
      const lines = sim.stderr().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^loa-sim: cannot listen on port 80 of 127\.0\.1\.1: .*root or CAP_NET_BIND_SERVICE.*--camera-port 8000/);
    },
    20_000,
  );
});

// loa-hub as a child process on free 127.0.0.1 ports: harness for bench/, and for any test that needs the
// hub as its own process (tests/helpers/hub.ts runs it in the test's process). A benchmark measures the
// hub's CPU and memory apart from the simulated fleet that loads it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { repoBin } from './bin.js';
import type { HeldSocket } from './held-socket.js';
import { freePort } from './ports.js';

export interface HubProcess {
  /** The hub's process; null when it runs on a held socket (opts.held), whose holder started it. */
  child: ChildProcess | null;
  /** The hub's pid (for its CPU and memory). */
  pid: number;
  /** Has the hub process exited (by itself, or after stop)? */
  exited(): boolean;
  httpUrl: string;
  mqttUrl: string;
  token: string;
  dataDir: string;
  /** The hub's CA certificate, which boxes pin (with opts.tls). */
  caFile: string;
  /** Its ports, to start it again on the same ones (opts.ports) after a stop with keepData. */
  ports: { mqtt: number; http: number };
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** keepData: leave the data directory for a restart (pass it back as `dataDir`). */
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

export async function startHubProcess(
  config: Record<string, unknown> = {},
  opts: { dataDir?: string; hubBin?: string; ports?: { mqtt: number; http: number }; tls?: boolean; held?: HeldSocket } = {},
): Promise<HubProcess> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'loa-bench-'));
  // A restart on the same data: the new hub.json is the sign this process is up.
  rmSync(join(dataDir, 'hub.json'), { force: true });
  // On a held socket (systemd's loa-hub.socket in production) the hub serves that one, with TLS.
  const mqttPort = opts.held?.port ?? opts.ports?.mqtt ?? (await freePort());
  const httpPort = opts.ports?.http ?? (await freePort());
  const file = join(dataDir, 'hub.yaml');
  // Plain listeners (mqtt.plain, http.plain), as before TLS became the default, so results stay
  // comparable with those recorded earlier (docs/benchmarks.md); the TLS listener is on a free port.
  // opts.tls: the boxes' MQTT over TLS only, as in production (the benchmark's own API calls stay plain).
  const mqtt = opts.tls ? { host: '127.0.0.1', tls: { port: mqttPort } } : { host: '127.0.0.1', port: mqttPort, plain: true, tls: { port: 0 } };
  writeFileSync(
    file,
    stringify({
      dataDir,
      log: { level: 'warn' },
      ...config,
      mqtt: { ...mqtt, ...(config.mqtt as object) },
      http: { host: '127.0.0.1', port: httpPort, plain: true },
    }),
  );
  // LOA_BENCH_HUB_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the hub (docs/benchmarks.md).
  const nodeArgs = (process.env.LOA_BENCH_HUB_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // Another build of loa-hub (e.g. one with a proposed fix, for a before/after): opts.hubBin or LOA_BENCH_HUB_BIN.
  const hubBin = opts.hubBin ?? process.env.LOA_BENCH_HUB_BIN ?? repoBin('loa-hub.js');
  const argv = [process.execPath, ...nodeArgs, hubBin, '--config', file];
  const held = opts.held ? await opts.held.run(argv) : null;
  const child = held ? null : spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'inherit'] });
  const pid = held ? held.pid : child!.pid!;
  let exited = false;
  const exit = held ? held.exited : new Promise<void>((r) => child!.once('exit', () => r()));
  void exit.then(() => (exited = true));
  const tokenFile = join(dataDir, 'operator.token');
  // A hub with 10,000 clusters starting while they all reconnect (bench reconnect) takes a while.
  const deadline = Date.now() + 90_000;
  while (!existsSync(join(dataDir, 'hub.json')) || !existsSync(tokenFile)) {
    if (Date.now() > deadline || exited) throw new Error('loa-hub did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  const token = readFileSync(tokenFile, 'utf8').trim();
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  return {
    child,
    pid,
    exited: () => exited,
    httpUrl,
    mqttUrl: `${opts.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${mqttPort}`,
    caFile: join(dataDir, 'tls', 'ca.pem'),
    token,
    dataDir,
    ports: { mqtt: mqttPort, http: httpPort },
    async api<T>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await fetch(`${httpUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const json = (await res.json()) as T;
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    },
    async stop(o = {}) {
      // A hub that already exited (it crashed under load) has no 'exit' left to wait for.
      if (!exited) {
        process.kill(pid, 'SIGTERM');
        await exit;
      }
      if (!o.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

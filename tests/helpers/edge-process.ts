// The real `loa-edge` bin as a child process, for the attack suites: written config, pino lines
// collected from stdout, SIGTERM or SIGKILL. Runs dist/: `npx tsc -p tsconfig.json` first.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const BIN = resolve('bin/loa-edge.js');

export interface EdgeProcessOptions {
  /** Holds edge.yaml and the data folder (`data`); the same dir again restarts the same box. */
  dir: string;
  clusterId: string;
  secret: string;
  mqttUrl: string;
  httpUrl: string;
  /** File sink folder; a null sink without it. */
  sinkDir?: string;
  env?: NodeJS.ProcessEnv;
}

export interface EdgeProcess {
  child: ChildProcess;
  /** Parsed log lines so far. */
  logs: Record<string, unknown>[];
  stderr(): string;
  exited: Promise<number | null>;
  /** SIGTERM (clean stop) or SIGKILL (power cut of the daemon alone); resolves on exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function spawnEdge(o: EdgeProcessOptions): EdgeProcess {
  if (!existsSync(resolve('dist/daemon/main.js'))) throw new Error('dist/daemon/main.js is missing: run `npx tsc -p tsconfig.json` first');
  mkdirSync(o.dir, { recursive: true });
  const config = join(o.dir, 'edge.yaml');
  const sink = o.sinkDir ? ['sink:', '  type: file', `  dir: ${o.sinkDir}`] : ['sink:', '  type: "null"'];
  const lines = [`clusterId: ${o.clusterId}`, `secret: ${o.secret}`, 'hub:', `  mqttUrl: ${o.mqttUrl}`, `  httpUrl: ${o.httpUrl}`];
  lines.push('dataDir: data', ...sink, 'keepaliveSec: 5', 'reconnect:', '  minMs: 100', '  maxMs: 400', 'log:', '  level: debug');
  writeFileSync(config, `${lines.join('\n')}\n`);
  const child = spawn(process.execPath, [BIN, '--config', config], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...o.env } });
  const logs: Record<string, unknown>[] = [];
  let partial = '';
  child.stdout?.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) if (line.startsWith('{')) logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return {
    child,
    logs,
    stderr: () => err,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

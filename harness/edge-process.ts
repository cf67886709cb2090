// Real `loa-edge` child processes with file (or null) sinks: harness shared by tests/, bench/ and demo/.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { repoBin } from './bin.js';

const EDGE_BIN = repoBin('loa-edge.js');

export interface EdgeProcess {
  clusterId: string;
  dir: string;
  sinkDir: string;
  configFile: string;
  child: ChildProcess;
  /** Everything the daemon wrote (pino JSON lines), for diagnosis. */
  output: () => string;
  /** SIGTERM, resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface EdgeSpec {
  clusterId: string;
  secret: string;
  /** The hub's public keys (`hubKeys` in its config): the daemon obeys only what they signed. */
  hubKeys: string[];
  /** Obey unsigned commands (a test of what the box did before commands were signed). */
  insecureAcceptUnsigned?: boolean;
  mqttUrl: string;
  httpUrl: string;
  /** The hub's CA certificate (PEM file) the box pins; needed with mqtts:// and https://. */
  caFile?: string;
  /** Let the box speak mqtt:// or http:// (it logs a warning); for tests of plain listeners. */
  allowPlaintext?: boolean;
  /** Folder for its config, data and sink. */
  dir: string;
  /** 'file' (default): WAV files in dir/sink; 'null': ffmpeg decodes in real time and discards, as ALSA would consume. */
  sink?: 'file' | 'null';
  logLevel?: string;
  reconnect?: { minMs: number; maxMs: number };
  keepaliveSec?: number;
  healthIntervalSec?: number;
  env?: NodeJS.ProcessEnv;
  /** Options for node itself, e.g. the V8 flags systemd/loa-edge.service runs the daemon with. */
  nodeArgs?: string[];
}

export function writeEdgeConfig(spec: EdgeSpec): { configFile: string; sinkDir: string } {
  const sinkDir = join(spec.dir, 'sink');
  const fileSink = (spec.sink ?? 'file') === 'file';
  mkdirSync(fileSink ? sinkDir : spec.dir, { recursive: true });
  const configFile = join(spec.dir, 'edge.yaml');
  writeFileSync(
    configFile,
    stringify({
      clusterId: spec.clusterId,
      secret: spec.secret,
      hubKeys: spec.hubKeys,
      ...(spec.insecureAcceptUnsigned ? { insecureAcceptUnsigned: true } : {}),
      hub: {
        mqttUrl: spec.mqttUrl,
        httpUrl: spec.httpUrl,
        ...(spec.caFile ? { caFile: spec.caFile } : {}),
        ...(spec.allowPlaintext ? { allowPlaintext: true } : {}),
      },
      dataDir: join(spec.dir, 'data'),
      sink: fileSink ? { type: 'file', dir: sinkDir } : { type: 'null' },
      healthIntervalSec: spec.healthIntervalSec ?? 30,
      keepaliveSec: spec.keepaliveSec ?? 20,
      reconnect: spec.reconnect ?? { minMs: 200, maxMs: 2000 },
      log: { level: spec.logLevel ?? 'info' },
    }),
  );
  return { configFile, sinkDir };
}

export function spawnEdge(spec: EdgeSpec): EdgeProcess {
  const { configFile, sinkDir } = writeEdgeConfig(spec);
  const child = spawn(process.execPath, [...(spec.nodeArgs ?? []), EDGE_BIN, '--config', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...spec.env },
  });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-200_000)));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-200_000)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    clusterId: spec.clusterId,
    dir: spec.dir,
    sinkDir,
    configFile,
    child,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

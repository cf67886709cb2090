// Debian's Mosquitto for the fanout benchmark's external-broker runs: started from a generated
// config on a free 127.0.0.1 port, no anonymous access, the password and ACL files that the hub
// (broker.mode external) writes and reloads with SIGHUP through the pid file, no persistence, and
// enough file descriptors and queue room for 10,000 devices plus the hub. Tests use
// tests/helpers/mosquitto.ts instead.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './hub-process.js';

export const MOSQUITTO = process.env.LOA_BENCH_MOSQUITTO ?? '/usr/sbin/mosquitto';
const MOSQUITTO_PASSWD = process.env.LOA_BENCH_MOSQUITTO_PASSWD ?? '/usr/bin/mosquitto_passwd';

export interface MosquittoOptions {
  /** Connections it must hold (devices + hub); its soft file limit is raised to fit, up to the hard one. */
  connections: number;
  /** The hub's login, seeded into the password file so the hub can connect before it writes its own. */
  hubUser: string;
  hubPassword: string;
  /** Per-client limits on QoS 1 messages in flight and queued (mosquitto.conf); the hub's
   *  subscription takes a burst of one ack per cluster, so the queue must hold a whole fleet.
   *  null leaves Mosquitto's own default (20 in flight, 1,000 queued). */
  maxInflight?: number | null;
  maxQueued?: number | null;
}

export interface MosquittoProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  port: number;
  dir: string;
  passwordFile: string;
  aclFile: string;
  pidFile: string;
  /** The settings it runs with, recorded in the benchmark's result. */
  settings: Record<string, number | string>;
  stop(): Promise<void>;
}

export function mosquittoVersion(): string {
  try {
    return /mosquitto version (\S+)/.exec(execFileSync(MOSQUITTO, ['-h'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
  } catch (err) {
    // `mosquitto -h` exits non-zero after printing its help.
    const out = String((err as { stdout?: unknown }).stdout ?? '');
    return /mosquitto version (\S+)/.exec(out)?.[1] ?? 'unknown';
  }
}

function fileLimits(): { soft: number; hard: number } {
  const line = /Max open files\s+(\S+)\s+(\S+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
  const num = (s: string | undefined) => (s === undefined || s === 'unlimited' ? Number.POSITIVE_INFINITY : Number(s));
  return { soft: num(line?.[1]), hard: num(line?.[2]) };
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function startMosquitto(opts: MosquittoOptions): Promise<MosquittoProcess> {
  if (!existsSync(MOSQUITTO)) throw new Error(`${MOSQUITTO} not found: apt-get install mosquitto (or set LOA_BENCH_MOSQUITTO)`);
  const dir = mkdtempSync(join(tmpdir(), 'loa-bench-mosquitto-'));
  const port = await freePort();
  const passwordFile = join(dir, 'passwd');
  const aclFile = join(dir, 'acl');
  const pidFile = join(dir, 'mosquitto.pid');
  const maxInflight = opts.maxInflight === undefined ? 100 : opts.maxInflight;
  const maxQueued = opts.maxQueued === undefined ? Math.max(1000, 2 * opts.connections) : opts.maxQueued;
  // Until the hub writes its own files: the hub's login and an ACL that lets it read and write all.
  writeFileSync(passwordFile, '');
  execFileSync(MOSQUITTO_PASSWD, ['-b', passwordFile, opts.hubUser, opts.hubPassword]);
  writeFileSync(aclFile, `user ${opts.hubUser}\ntopic readwrite #\n`);
  const conf = [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous false',
    `password_file ${passwordFile}`,
    `acl_file ${aclFile}`,
    `pid_file ${pidFile}`,
    'persistence false',
    'max_connections -1',
    ...(maxInflight === null ? [] : [`max_inflight_messages ${maxInflight}`]),
    ...(maxQueued === null ? [] : [`max_queued_messages ${maxQueued}`]),
    'set_tcp_nodelay true',
    // Running as root, Mosquitto 2 would switch to the `mosquitto` user and lose access to this directory.
    ...(process.getuid?.() === 0 ? ['user root'] : []),
    `log_dest file ${join(dir, 'mosquitto.log')}`,
    'log_type error',
    'log_type warning',
    '',
  ].join('\n');
  const confFile = join(dir, 'mosquitto.conf');
  writeFileSync(confFile, conf);

  // Each connection is a file descriptor: raise the soft limit for the child when it is short.
  const need = opts.connections + 256;
  const { soft, hard } = fileLimits();
  if (hard < need) throw new Error(`mosquitto needs ${need} file descriptors but the hard limit (ulimit -Hn) is ${hard}`);
  const limit = soft >= need ? null : Math.min(hard, Math.max(need, 65_536));
  const child = limit === null
    ? spawn(MOSQUITTO, ['-c', confFile], { stdio: ['ignore', 'ignore', 'inherit'] })
    : spawn('/bin/sh', ['-c', `ulimit -n ${limit} && exec "$0" -c "$1"`, MOSQUITTO, confFile], { stdio: ['ignore', 'ignore', 'inherit'] });
  const deadline = Date.now() + 10_000;
  while (!(await portOpen(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const log = existsSync(join(dir, 'mosquitto.log')) ? readFileSync(join(dir, 'mosquitto.log'), 'utf8') : '';
      throw new Error(`mosquitto did not start on port ${port}: ${log.trim().split('\n').slice(-3).join(' | ')}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    child,
    pid: child.pid!,
    url: `mqtt://127.0.0.1:${port}`,
    port,
    dir,
    passwordFile,
    aclFile,
    pidFile,
    settings: { version: mosquittoVersion(), maxInflight: maxInflight ?? 'default (20)', maxQueued: maxQueued ?? 'default (1000)', fileLimit: limit ?? soft },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

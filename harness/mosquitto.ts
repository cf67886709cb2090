// Debian's Mosquitto 2 started from a generated config: harness shared by tests/ and bench/, the one
// launcher for the benchmarks' external-broker runs and for the tests (tests/helpers/mosquitto.ts adds
// only the tests' defaults).
// The config is the one docs/external-broker.md recommends: auth settings global
// (per_listener_settings false), no anonymous logins, the password and ACL files that the hub
// (broker.mode external) rewrites and reloads with SIGHUP through the pid file, no persistence, the
// hub's packet and keep-alive limits, queue room for the hub's one subscription, and on each device
// listener the client id forced to the user name. Beyond the doc: free 127.0.0.1 ports, an optional
// TLS listener, an optional inspection listener (keeps the client id, for tests), and a file limit
// raised to the connections it must hold.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { mosquittoHash, renderAclFile, renderPasswordFile } from '../hub/broker/mosquitto-files.js';
import { freePort, portAccepts, portListening } from './ports.js';

/** LOA_BENCH_MOSQUITTO, else Debian's /usr/sbin/mosquitto, else `mosquitto` on PATH. */
export const MOSQUITTO = process.env.LOA_BENCH_MOSQUITTO ?? (existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : 'mosquitto');

/** The hub's own defaults (hub/config.ts mqtt.maxPacketBytes, mqtt.keepaliveLimitSec), as the doc sets them. */
const HUB_MAX_PACKET_BYTES = 256 * 1024;
const HUB_KEEPALIVE_LIMIT_SEC = 120;
const START_TIMEOUT_MS = 10_000;
const STOP_KILL_AFTER_MS = 3000;

export interface MosquittoOptions {
  /** Fixed port (e.g. to come back on the same one after a restart); else a free one. */
  port?: number;
  /** Where the conf and files go (kept by stop(), so a restart there finds the hub's files); else a temp dir. */
  dir?: string;
  /** A user written into the first password file and ACL (the hub rewrites both at start anyway). */
  hubUser?: string;
  hubPassword?: string;
  /** Connections it must hold (devices + hub); its soft file limit is raised to fit, up to the hard one. Default 100. */
  connections?: number;
  /** Per-client limits on QoS 1 messages in flight and queued: the hub's subscription takes a burst of one
   *  presence or ack per cluster, so the queue must hold a whole fleet. Defaults 100 and twice the
   *  connections (at least 1,000); null leaves Mosquitto's own (20 in flight, 1,000 queued). */
  maxInflight?: number | null;
  maxQueued?: number | null;
  /** max_packet_size (the hub's mqtt.maxPacketBytes, default 262144); null: no limit. */
  maxPacketBytes?: number | null;
  /** max_keepalive (the hub's mqtt.keepaliveLimitSec, default 120); null: Mosquitto's 65535. */
  maxKeepaliveSec?: number | null;
  /** A second device listener with MQTT over TLS. */
  tls?: { cert: string; key: string; ca?: string | undefined; port?: number | undefined };
  /** A listener without use_username_as_clientid (see MosquittoProcess.inspectUrl). */
  inspect?: boolean;
  /** Log every connection, refusal and reload (tests read them); else errors and warnings only. */
  verboseLog?: boolean;
}

export interface MosquittoProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  port: number;
  tlsPort: number | null;
  /**
   * A listener that keeps the client id a client sends, or null: a test can log in there as the hub's
   * user (to read retained messages as a fresh subscriber) without taking over the hub's own session.
   */
  inspectUrl: string | null;
  dir: string;
  confFile: string;
  passwordFile: string;
  aclFile: string;
  pidFile: string;
  /** The settings it runs with, recorded in the benchmark's result. */
  settings: Record<string, number | string>;
  /** Mosquitto's own log so far, and its stderr. */
  log(): string;
  /** SIGTERM (SIGKILL after 3 s); removes the directory unless it was given as `dir`. */
  stop(): Promise<void>;
}

let version: string | null = null;
export function mosquittoVersion(): string {
  if (version !== null) return version;
  let out: string;
  try {
    out = execFileSync(MOSQUITTO, ['-h'], { encoding: 'utf8' });
  } catch (err) {
    // `mosquitto -h` exits non-zero after printing its help.
    out = String((err as { stdout?: unknown }).stdout ?? '');
  }
  version = /mosquitto version (\S+)/.exec(out)?.[1] ?? 'unknown';
  return version;
}

function fileLimits(): { soft: number; hard: number } {
  const line = /Max open files\s+(\S+)\s+(\S+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
  const num = (s: string | undefined) => (s === undefined || s === 'unlimited' ? Number.POSITIVE_INFINITY : Number(s));
  return { soft: num(line?.[1]), hard: num(line?.[2]) };
}

/** The soft file limit to start Mosquitto with, or null when the current one is enough. */
function fileLimitFor(connections: number): { limit: number | null; soft: number } {
  const need = connections + 256;
  const { soft, hard } = fileLimits();
  if (hard < need) throw new Error(`mosquitto needs ${need} file descriptors but the hard limit (ulimit -Hn) is ${hard}`);
  return { limit: soft >= need ? null : Math.min(hard, Math.max(need, 65_536)), soft };
}

interface ConfInput {
  ports: { device: number; tls: number | null; inspect: number | null };
  files: { password: string; acl: string; pid: string; log: string };
  limits: { inflight: number | null; queued: number | null; packet: number | null; keepalive: number | null };
  tls: MosquittoOptions['tls'];
  verboseLog: boolean;
}

/** mosquitto.conf as docs/external-broker.md lays it out: global settings, then one block per listener. */
export function renderMosquittoConf(c: ConfInput): string {
  const opt = (key: string, v: number | null) => (v === null ? [] : [`${key} ${v}`]);
  // use_username_as_clientid is a listener setting: every device listener needs its own.
  const deviceListener = (p: number) => [`listener ${p} 127.0.0.1`, 'use_username_as_clientid true'];
  return [
    'per_listener_settings false',
    'allow_anonymous false',
    `password_file ${c.files.password}`,
    `acl_file ${c.files.acl}`,
    `pid_file ${c.files.pid}`,
    // Run as root (as in CI containers) Mosquitto would switch to user "mosquitto", who cannot read these files.
    `user ${userInfo().username}`,
    'persistence false',
    'max_connections -1',
    ...opt('max_packet_size', c.limits.packet),
    ...opt('max_keepalive', c.limits.keepalive),
    ...opt('max_inflight_messages', c.limits.inflight),
    ...opt('max_queued_messages', c.limits.queued),
    // Small MQTT packets go out at once, as the embedded broker does (a global option in Mosquitto 2.0).
    'set_tcp_nodelay true',
    `log_dest file ${c.files.log}`,
    'log_type error',
    'log_type warning',
    ...(c.verboseLog ? ['log_type notice', 'log_type information', 'connection_messages true'] : ['connection_messages false']),
    '',
    ...deviceListener(c.ports.device),
    ...(c.tls && c.ports.tls
      ? ['', ...deviceListener(c.ports.tls), `certfile ${c.tls.cert}`, `keyfile ${c.tls.key}`, ...(c.tls.ca ? [`cafile ${c.tls.ca}`] : [])]
      : []),
    ...(c.ports.inspect ? ['', `listener ${c.ports.inspect} 127.0.0.1`] : []),
    '',
  ].join('\n');
}

export async function startMosquitto(opts: MosquittoOptions = {}): Promise<MosquittoProcess> {
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'loa-mosquitto-'));
  const port = opts.port || (await freePort());
  const tlsPort = opts.tls ? opts.tls.port || (await freePort()) : null;
  const inspectPort = opts.inspect ? await freePort() : null;
  const files = { password: join(dir, 'passwd'), acl: join(dir, 'acl'), pid: join(dir, 'mosquitto.pid'), log: join(dir, 'mosquitto.log') };
  const connections = opts.connections ?? 100;
  const limits = {
    inflight: opts.maxInflight === undefined ? 100 : opts.maxInflight,
    queued: opts.maxQueued === undefined ? Math.max(1000, 2 * connections) : opts.maxQueued,
    packet: opts.maxPacketBytes === undefined ? HUB_MAX_PACKET_BYTES : opts.maxPacketBytes,
    keepalive: opts.maxKeepaliveSec === undefined ? HUB_KEEPALIVE_LIMIT_SEC : opts.maxKeepaliveSec,
  };
  // Until the hub writes its own files: its login, and its ACL on loa/#. A restart in the same dir keeps the hub's.
  const users = opts.hubUser && opts.hubPassword ? [{ username: opts.hubUser, hash: mosquittoHash(opts.hubPassword) }] : [];
  if (!existsSync(files.password)) writeFileSync(files.password, users.length ? renderPasswordFile(users) : '', { mode: 0o600 });
  if (!existsSync(files.acl)) writeFileSync(files.acl, renderAclFile(opts.hubUser ?? 'loa-hub', []), { mode: 0o600 });
  const confFile = join(dir, 'mosquitto.conf');
  writeFileSync(
    confFile,
    renderMosquittoConf({ ports: { device: port, tls: tlsPort, inspect: inspectPort }, files, limits, tls: opts.tls, verboseLog: opts.verboseLog ?? false }),
  );

  // Each connection is a file descriptor: raise the soft limit for the child when it is short.
  const { limit, soft } = fileLimitFor(connections);
  const stdio: ['ignore', 'ignore', 'pipe'] = ['ignore', 'ignore', 'pipe'];
  const child =
    limit === null
      ? spawn(MOSQUITTO, ['-c', confFile], { stdio })
      : spawn('/bin/sh', ['-c', `ulimit -n ${limit} && exec "$0" -c "$1"`, MOSQUITTO, confFile], { stdio });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-64 * 1024)));
  let spawnError: Error | null = null;
  child.once('error', (err) => (spawnError = err));
  const log = (): string => (existsSync(files.log) ? readFileSync(files.log, 'utf8') : '') + stderr;
  const cleanup = () => ownDir && rmSync(dir, { recursive: true, force: true });

  const ports = [port, tlsPort, inspectPort].filter((p): p is number => p !== null);
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (spawnError) {
      cleanup();
      throw new Error(`cannot run ${MOSQUITTO} (${(spawnError as Error).message}): apt-get install mosquitto, or set LOA_BENCH_MOSQUITTO`);
    }
    if (child.exitCode !== null) {
      const why = log().trim();
      cleanup();
      throw new Error(`mosquitto exited with ${child.exitCode}:\n${why}`);
    }
    // Listening says so even while reconnecting boxes fill the accept queue and a probe cannot get in.
    if (existsSync(files.pid) && (ports.every(portListening) || (await Promise.all(ports.map(portAccepts))).every(Boolean))) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      const why = log().trim().split('\n').slice(-20).join('\n');
      cleanup();
      throw new Error(`mosquitto did not start listening on ${ports.join(', ')} within ${START_TIMEOUT_MS / 1000} s:\n${why}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const fmt = (v: number | null, mosquittoDefault: string) => v ?? `default (${mosquittoDefault})`;
  return {
    child,
    pid: child.pid!,
    url: `mqtt://127.0.0.1:${port}`,
    port,
    tlsPort,
    inspectUrl: inspectPort ? `mqtt://127.0.0.1:${inspectPort}` : null,
    dir,
    confFile,
    passwordFile: files.password,
    aclFile: files.acl,
    pidFile: files.pid,
    settings: {
      version: mosquittoVersion(),
      maxInflight: fmt(limits.inflight, '20'),
      maxQueued: fmt(limits.queued, '1000'),
      fileLimit: limit ?? soft,
      maxPacketBytes: fmt(limits.packet, 'none'),
      maxKeepaliveSec: fmt(limits.keepalive, '65535'),
      clientId: 'username',
    },
    log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_KILL_AFTER_MS);
        await exited;
        clearTimeout(timer);
      }
      cleanup();
    },
  };
}

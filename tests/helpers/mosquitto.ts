// Starts a real Mosquitto 2 (Debian's /usr/sbin/mosquitto) for a test, on a free 127.0.0.1 port,
// with a generated mosquitto.conf the way docs/external-broker.md sets one up: no anonymous logins,
// a password file and an ACL file (which the hub rewrites), the client id forced to the username,
// no persistence. Optionally a TLS listener with the test PKI.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { mosquittoHash, renderAclFile, renderPasswordFile } from '../../hub/broker/mosquitto-files.js';
import { makeTempDir } from './tmp.js';

export const MOSQUITTO_BIN = existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : 'mosquitto';

export interface MosquittoOptions {
  /** Fixed port (e.g. to come back on the same one after a restart); else a free one. */
  port?: number;
  /** Mosquitto's max_packet_size (the hub's mqtt.maxPacketBytes). */
  maxPacketBytes?: number;
  /** A second listener with MQTT over TLS. */
  tls?: { cert: string; key: string; ca?: string | undefined; port?: number | undefined };
  /** A user written into the first password and ACL files (the hub rewrites both at start anyway). */
  hubUser?: string;
  hubPassword?: string;
  /** Where the conf and files go (kept by stop(), so a restart there finds them); else a temp dir. */
  dir?: string;
}

export interface RunningMosquitto {
  url: string;
  port: number;
  /**
   * A test-only listener that keeps the client id a client sends: a test can log in there as the hub's
   * user (to read retained messages as a fresh subscriber) without taking over the hub's own session.
   */
  inspectUrl: string;
  tlsPort: number | null;
  pid: number;
  pidFile: string;
  passwordFile: string;
  aclFile: string;
  /** Mosquitto's own log so far (connections, refusals, reloads). */
  log(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

export async function startMosquitto(opts: MosquittoOptions = {}): Promise<RunningMosquitto> {
  const tmp = opts.dir ? null : makeTempDir('loa-mosq-');
  const dir = opts.dir ?? tmp!.path;
  const port = opts.port || (await freePort());
  const tlsPort = opts.tls ? opts.tls.port || (await freePort()) : null;
  const inspectPort = await freePort();
  const passwordFile = join(dir, 'passwd');
  const aclFile = join(dir, 'acl');
  const pidFile = join(dir, 'mosquitto.pid');
  const logFile = join(dir, 'mosquitto.log');
  const users = opts.hubUser && opts.hubPassword ? [{ username: opts.hubUser, hash: mosquittoHash(opts.hubPassword) }] : [];
  // A restart in the same dir keeps the files the hub wrote.
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, users.length ? renderPasswordFile(users) : '', { mode: 0o600 });
  if (!existsSync(aclFile)) writeFileSync(aclFile, renderAclFile(opts.hubUser ?? 'loa-hub', []), { mode: 0o600 });
  const listener = (p: number): string[] => [`listener ${p} 127.0.0.1`, 'use_username_as_clientid true'];
  const conf = [
    'per_listener_settings false',
    'allow_anonymous false',
    `password_file ${passwordFile}`,
    `acl_file ${aclFile}`,
    'persistence false',
    // Small MQTT packets go out at once, as the embedded broker does (it sets noDelay on each socket).
    'set_tcp_nodelay true',
    `pid_file ${pidFile}`,
    // Run as root (as in CI containers) Mosquitto would switch to user "mosquitto", who cannot read these files.
    `user ${userInfo().username}`,
    `log_dest file ${logFile}`,
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    'connection_messages true',
    ...(opts.maxPacketBytes ? [`max_packet_size ${opts.maxPacketBytes}`] : []),
    ...listener(port),
    `listener ${inspectPort} 127.0.0.1`,
    ...(opts.tls && tlsPort
      ? [...listener(tlsPort), `certfile ${opts.tls.cert}`, `keyfile ${opts.tls.key}`, ...(opts.tls.ca ? [`cafile ${opts.tls.ca}`] : [])]
      : []),
    '',
  ].join('\n');
  const confFile = join(dir, 'mosquitto.conf');
  writeFileSync(confFile, conf);
  const child: ChildProcess = spawn(MOSQUITTO_BIN, ['-c', confFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const log = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '') + stderr;
  const deadline = Date.now() + 5000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited with ${child.exitCode}:\n${log()}`);
    if (existsSync(pidFile) && (await accepts(port)) && (await accepts(inspectPort)) && (!tlsPort || (await accepts(tlsPort)))) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`mosquitto did not start listening on ${port}:\n${log()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    inspectUrl: `mqtt://127.0.0.1:${inspectPort}`,
    tlsPort,
    pid: child.pid!,
    pidFile,
    passwordFile,
    aclFile,
    log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      tmp?.remove();
    },
  };
}

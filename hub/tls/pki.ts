// The hub's own certificate authority and server certificate (issue 14, item 4): made at first
// start under <dataDir>/tls, loaded at every later start, the server certificate (never the CA,
// which the boxes pin) made again when it nears its end or no longer names every address.
// Node's crypto makes and checks keys and certificates but cannot sign X.509, so the signing is
// done by the `openssl` program (Debian package openssl, installed wherever ffmpeg is); the keys
// are made by Node and written 0600 before openssl sees them.
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { isIP } from 'node:net';
import { promisify } from 'node:util';
import type { Clock } from '../../common/clock.js';
import { errorMessage, LoaError } from '../../common/errors.js';
import { configErrors } from '../../common/config-errors.js';
import type { Logger } from '../../common/logger.js';

const run = promisify(execFile);

/** The CA outlives any box's deployment: renewing it would mean visiting every box. */
export const CA_DAYS = 7305;
/** The server certificate is made again at a start less than RENEW_DAYS before its end. */
export const SERVER_DAYS = 825;
export const RENEW_DAYS = 30;
export const DAY_MS = 86_400_000;

export const TLS_DIR = 'tls';
export const CA_CERT_FILE = 'ca.pem';

export interface TlsSettings {
  /** More DNS names or addresses the hub is reached by (its LAN address, a DNS name). */
  names: string[];
  /** The operator's own server certificate and key (PEM files): they win over the hub's own. */
  cert?: string | undefined;
  key?: string | undefined;
  /** The CA that signed the operator's certificate: what boxes and the CLI pin. */
  ca?: string | undefined;
}

export interface HubTls {
  cert: Buffer;
  key: Buffer;
  /** The CA certificate (PEM) boxes pin and the CLI trusts. */
  ca: Buffer;
  caFile: string;
  /** `own` when the hub made it, `operator` when the config named the files. */
  source: 'own' | 'operator';
}

/** Names every hub certificate covers, plus the configured ones, without repeats. */
export function certificateNames(extra: readonly string[]): string[] {
  return [...new Set(['localhost', '127.0.0.1', '::1', hostname(), ...extra].filter((n) => n.length > 0))];
}

export async function loadHubTls(o: { dataDir: string; settings: TlsSettings; clock: Clock; logger: Logger }): Promise<HubTls> {
  const s = o.settings;
  if (s.cert && s.key && s.ca) {
    return { cert: readPem(s.cert, 'tls.cert'), key: readPem(s.key, 'tls.key'), ca: readPem(s.ca, 'tls.ca'), caFile: resolve(s.ca), source: 'operator' };
  }
  const dir = join(o.dataDir, TLS_DIR);
  // Readable by all: the CA certificate is public (the CLI of any local user reads it); the keys are 0600.
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const f = (name: string): string => join(dir, name);
  const names = certificateNames(s.names);
  try {
    if (!existsSync(f(CA_CERT_FILE)) || !existsSync(f('ca.key'))) {
      await makeCa(dir);
      o.logger.info({ file: f(CA_CERT_FILE) }, "made the hub's certificate authority (boxes pin it: docs/install.md)");
    }
    const why = serverCertProblem(dir, names, o.clock.now());
    if (why) {
      await makeServerCert(dir, names);
      o.logger.info({ file: f('hub.pem'), names, why }, "made the hub's server certificate");
    }
  } catch (err) {
    if (err instanceof LoaError) throw err;
    throw new LoaError(
      'LOA_TLS_SETUP',
      `cannot make the hub's certificates in ${dir}: ${errorMessage(err)}. Install openssl, or give tls.cert, tls.key and tls.ca in the config.`,
    );
  }
  return { cert: readFileSync(f('hub.pem')), key: readFileSync(f('hub.key')), ca: readFileSync(f(CA_CERT_FILE)), caFile: f(CA_CERT_FILE), source: 'own' };
}

function readPem(file: string, key: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw configErrors.unreadable(`${key} ${file} cannot be read: ${errorMessage(err)}.`);
  }
}

/** Why the server certificate must be made again, or null when it is fine. */
function serverCertProblem(dir: string, names: string[], now: number): string | null {
  const certFile = join(dir, 'hub.pem');
  if (!existsSync(certFile) || !existsSync(join(dir, 'hub.key'))) return 'none yet';
  let cert: X509Certificate;
  let ca: X509Certificate;
  try {
    cert = new X509Certificate(readFileSync(certFile));
    ca = new X509Certificate(readFileSync(join(dir, CA_CERT_FILE)));
  } catch (err) {
    return `unreadable: ${errorMessage(err)}`;
  }
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return "not signed by the hub's CA";
  if (Date.parse(cert.validTo) - now < RENEW_DAYS * DAY_MS) return `ends ${cert.validTo}`;
  const missing = names.filter((n) => (isIP(n) ? cert.checkIP(n) : cert.checkHost(n, { wildcards: false })) === undefined);
  return missing.length > 0 ? `does not name ${missing.join(', ')}` : null;
}

/** A P-256 key written 0600 (quick to make; every TLS client of the hub's speaks ECDSA). */
function writeKey(file: string): void {
  const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
  writeFileSync(file, pem, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** A key and its certificate from `openssl req -x509` (SHA-256, `days`, then `args`). Files are made
 *  under temporary names and renamed into place, so a crash leaves the old pair. */
async function makePair(dir: string, files: { key: string; cert: string }, days: number, args: string[]): Promise<void> {
  const key = join(dir, `${files.key}.new`);
  const cert = join(dir, `${files.cert}.new`);
  writeKey(key);
  await run('openssl', ['req', '-x509', '-new', '-key', key, '-out', cert, '-days', String(days), '-sha256', ...args]);
  renameSync(key, join(dir, files.key));
  renameSync(cert, join(dir, files.cert));
}

async function makeCa(dir: string): Promise<void> {
  await makePair(dir, { key: 'ca.key', cert: CA_CERT_FILE }, CA_DAYS, [
    '-subj',
    `/O=Loa/CN=Loa hub CA ${hostname()} ${randomBytes(4).toString('hex')}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE,pathlen:0',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

async function makeServerCert(dir: string, names: string[]): Promise<void> {
  const san = names.map((n) => (isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  await makePair(dir, { key: 'hub.key', cert: 'hub.pem' }, SERVER_DAYS, [
    '-CA',
    join(dir, CA_CERT_FILE),
    '-CAkey',
    join(dir, 'ca.key'),
    '-subj',
    `/O=Loa/CN=${hostname() || 'loa-hub'}`,
    '-addext',
    `subjectAltName=${san}`,
    '-addext',
    'extendedKeyUsage=serverAuth',
    '-addext',
    'basicConstraints=critical,CA:FALSE',
    '-addext',
    'keyUsage=critical,digitalSignature',
  ]);
}

// A throwaway certificate authority and a server certificate for 127.0.0.1/localhost, made with
// the openssl CLI at test time (Debian package `openssl`), so TLS tests use real X.509 files.
import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestPki {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** Writes ca.pem, server.pem and server.key into dir (P-256 keys: quick to make). */
export async function makeTestPki(dir: string, o: { days?: number } = {}): Promise<TestPki> {
  const days = String(o.days ?? 2);
  const f = (name: string): string => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-days',
    days,
    '-subj',
    '/CN=Loa test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await run('openssl', ['req', '-new', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=localhost']);
  // A client checks the address it dialled against subjectAltName, so both names go there.
  writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('server.pem'),
    '-days',
    days,
    '-extfile',
    f('server.ext'),
  ]);
  return { caFile: f('ca.pem'), certFile: f('server.pem'), keyFile: f('server.key') };
}

/** The run's test PKI made by tests/helpers/global-tls.ts (vitest globalSetup). */
export function runPki(): TestPki {
  const dir = process.env.LOA_TEST_PKI_DIR;
  if (!dir) throw new Error('LOA_TEST_PKI_DIR is not set: run the tests through vitest (globalSetup tests/helpers/global-tls.ts)');
  return { caFile: join(dir, 'ca.pem'), certFile: join(dir, 'server.pem'), keyFile: join(dir, 'server.key') };
}

/** A box's `hub:` config section for a test hub: it pins the run's CA; a plain URL the test chose is allowed. */
export function boxHubSection(mqttUrl: string, httpUrl: string): { mqttUrl: string; httpUrl: string; caFile: string; allowPlaintext?: true } {
  const plain = /^mqtt:/.test(mqttUrl) || /^http:/.test(httpUrl);
  return { mqttUrl, httpUrl, caFile: runPki().caFile, ...(plain ? { allowPlaintext: true as const } : {}) };
}

/** Chromium flags that trust the run's test hub certificate by its key (SPKI pin), as a police PC
 *  with the hub's CA installed would: Chromium does not read NODE_EXTRA_CA_CERTS. */
export function chromiumTrustArgs(): string[] {
  const key = new X509Certificate(readFileSync(runPki().certFile)).publicKey.export({ type: 'spki', format: 'der' });
  return [`--ignore-certificate-errors-spki-list=${createHash('sha256').update(key).digest('base64')}`];
}

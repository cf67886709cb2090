// Issue 14, item 4: encryption is on by default. A hub started with no certificate in its config
// makes its own CA and server certificate at first start (keys 0600), serves MQTT over TLS and
// HTTPS with them and no plain listener, and at a restart reuses them; the server certificate
// (never the CA, which the boxes pin) is made again when its names change or its end nears, also
// by a daily check while the hub runs.
// Plain listeners exist only when the config asks, with a warning.
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync, existsSync } from 'node:fs';
import { get } from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer } from 'node:tls';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../common/clock.js';
import { createLogger, silentLogger } from '../../common/logger.js';
import type { HubConfigInput } from '../../hub/config.js';
import { Hub } from '../../hub/hub.js';
import { loadHubTls, RENEW_DAYS } from '../../hub/tls/pki.js';
import { CertificateRenewal } from '../../hub/tls/renewal.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { testHubConfig, waitFor } from '../helpers/hub.js';
import { connectDevice } from '../helpers/mqtt.js';
import { makeTempDir } from '../helpers/tmp.js';

const tmp = makeTempDir('loa-sec-tls-first-');
const hubs: Hub[] = [];
const NAMES = ['loa-hub.tu-le.example', '10.10.0.1'];

/** A hub that makes its own certificates (no tls.cert/key/ca), logging into `lines`. */
async function startOwnTlsHub(dataDir: string, over: Partial<HubConfigInput> = {}): Promise<{ hub: Hub; lines: Array<Record<string, unknown>> }> {
  const lines: Array<Record<string, unknown>> = [];
  const out = new PassThrough();
  out.setEncoding('utf8').on('data', (d: string) =>
    d
      .split('\n')
      .filter(Boolean)
      .forEach((l) => {
        lines.push(JSON.parse(l) as Record<string, unknown>);
      }),
  );
  const hub = new Hub({
    config: testHubConfig(dataDir, { tls: { names: NAMES }, ...over }),
    logger: createLogger({ name: 'hub', level: 'info', destination: out }),
    cron: false,
  });
  hubs.push(hub);
  await hub.start();
  return { hub, lines };
}

const tlsFile = (dataDir: string, name: string) => join(dataDir, 'tls', name);
const files = (dataDir: string) => ['ca.pem', 'ca.key', 'hub.pem', 'hub.key'].map((n) => readFileSync(tlsFile(dataDir, n), 'utf8'));

function httpsStatus(url: string, ca?: Buffer): Promise<number | string> {
  return new Promise((resolve) => {
    const req = get(`${url}/healthz`, ca ? { ca } : {}, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.stop()));
});

afterAll(() => tmp.remove());

describe('the hub makes its own CA at first start', () => {
  const dataDir = join(tmp.path, 'first');

  it('makes a CA and a server certificate under dataDir/tls, keys 0600, and serves only TLS with them', async () => {
    const { hub, lines } = await startOwnTlsHub(dataDir);
    for (const key of ['ca.key', 'hub.key']) expect(statSync(tlsFile(dataDir, key)).mode & 0o777).toBe(0o600);
    const ca = new X509Certificate(readFileSync(tlsFile(dataDir, 'ca.pem')));
    const cert = new X509Certificate(readFileSync(tlsFile(dataDir, 'hub.pem')));
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(ca) && cert.verify(ca.publicKey)).toBe(true);
    for (const n of ['localhost', hostname(), 'loa-hub.tu-le.example']) expect(cert.checkHost(n, { wildcards: false })).toBe(n);
    for (const ip of ['127.0.0.1', '::1', '10.10.0.1']) expect(cert.checkIP(ip)).toBe(ip);
    expect(lines.some((l) => String(l.msg).startsWith("made the hub's certificate authority"))).toBe(true);

    const a = hub.addresses;
    expect(a.mqttUrl).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    expect(a.httpUrl).toMatch(/^https:\/\//);
    expect(a.caFile).toBe(tlsFile(dataDir, 'ca.pem'));
    expect(a.mqttPort).toBeNull();
    // The CLI on this machine finds the CA beside the address.
    expect(JSON.parse(readFileSync(join(dataDir, 'hub.json'), 'utf8'))).toMatchObject({ httpUrl: a.httpUrl, caFile: a.caFile });

    const caPem = readFileSync(a.caFile);
    expect(await httpsStatus(a.httpUrl, caPem)).toBe(200);
    // Without that CA (this worker trusts the system's and the test run's CAs only) the handshake fails.
    expect(await httpsStatus(a.httpUrl)).toMatch(/CERT|SELF_SIGNED|UNABLE/);
    const { secret } = await hub.clusters.add({ id: 'ban-tls' });
    const c = await connectDevice(a.mqttUrl, 'ban-tls', secret, { ca: caPem });
    expect(c.connected).toBe(true);
    await c.endAsync();
  });

  it('reuses the same CA, certificate and keys at a restart', async () => {
    const before = files(dataDir);
    const { lines } = await startOwnTlsHub(dataDir);
    expect(files(dataDir)).toEqual(before);
    expect(lines.some((l) => String(l.msg).startsWith("made the hub's"))).toBe(false);
  });

  it('makes a new server certificate, under the same CA, when tls.names gains a name', async () => {
    const [ca, caKey, cert] = files(dataDir);
    const { lines } = await startOwnTlsHub(dataDir, { tls: { names: [...NAMES, 'loa.district.example'] } });
    const [ca2, caKey2, cert2] = files(dataDir);
    expect([ca2, caKey2]).toEqual([ca, caKey]);
    expect(cert2).not.toBe(cert);
    expect(new X509Certificate(cert2!).checkHost('loa.district.example')).toBe('loa.district.example');
    expect(lines.find((l) => l.msg === "made the hub's server certificate")?.why).toMatch(/does not name loa\.district\.example/);
  });

  it('makes a new server certificate when fewer than RENEW_DAYS are left, and not before', async () => {
    const settings = { names: [...NAMES, 'loa.district.example'] };
    const [ca, , cert] = files(dataDir);
    const end = Date.parse(new X509Certificate(cert!).validTo);
    const at = (ms: number) => ({ ...systemClock, now: () => ms });
    await loadHubTls({ dataDir, settings, clock: at(end - (RENEW_DAYS + 1) * 86_400_000), logger: silentLogger() });
    expect(files(dataDir)[2]).toBe(cert);
    await loadHubTls({ dataDir, settings, clock: at(end - (RENEW_DAYS - 1) * 86_400_000), logger: silentLogger() });
    expect(files(dataDir)[2]).not.toBe(cert);
    expect(files(dataDir)[0]).toBe(ca);
  });
});

describe('what the config changes', () => {
  it("an operator's own certificate wins: nothing is made", async () => {
    const dataDir = join(tmp.path, 'own');
    const hub = new Hub({ config: testHubConfig(dataDir), logger: silentLogger(), cron: false });
    hubs.push(hub);
    await hub.start();
    expect(existsSync(join(dataDir, 'tls'))).toBe(false);
    expect(hub.tls.source).toBe('operator');
  });

  it('plain MQTT and plain HTTP only when asked, each with a warning', async () => {
    const { hub, lines } = await startOwnTlsHub(join(tmp.path, 'plain'), {
      mqtt: { host: '127.0.0.1', port: 0, tls: { port: 0 }, plain: true },
      http: { host: '127.0.0.1', port: 0, plain: true },
    });
    expect(hub.addresses.mqttPort).toBeGreaterThan(0);
    expect(hub.addresses.httpUrl).toMatch(/^http:\/\//);
    const warned = lines.filter((l) => l.level === 40).map((l) => String(l.msg));
    expect(warned).toEqual(expect.arrayContaining([expect.stringContaining('plain MQTT listening'), expect.stringContaining('plain HTTP')]));
  });
});

describe('a hub that is never restarted', () => {
  it('gets a new server certificate by its daily check, served to new TLS connections, under the same CA', async () => {
    const dataDir = join(tmp.path, 'long-running');
    const settings = { names: [] as string[] };
    let tls = await loadHubTls({ dataDir, settings, clock: systemClock, logger: silentLogger() });
    const first = new X509Certificate(tls.cert);
    const server = createTlsServer({ cert: tls.cert, key: tls.key }, (s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const served = () =>
      new Promise<string>((resolve, reject) => {
        const s = tlsConnect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', ca: tls.ca }, () => {
          resolve(s.getPeerX509Certificate()!.serialNumber);
          s.destroy();
        });
        s.on('error', reject);
      });
    const clock = new FakeClock(Date.now());
    const renewal = new CertificateRenewal({
      dataDir,
      settings,
      clock,
      logger: silentLogger(),
      current: () => tls,
      install: (next) => {
        tls = next;
        server.setSecureContext({ cert: next.cert, key: next.key });
      },
    });
    try {
      renewal.start();
      // Daily checks up to a day before the renewal window: nothing changes.
      await clock.runUntil(Date.parse(first.validTo) - (RENEW_DAYS + 1) * 86_400_000, 0);
      expect(await served()).toBe(first.serialNumber);
      // Inside the window: the next daily check makes a new one and the server hands it out.
      await clock.advance(2 * 86_400_000, 5);
      // (openssl signs in a child process: the check ends a moment later.)
      await waitFor(() => new X509Certificate(tls.cert).serialNumber !== first.serialNumber, { what: 'the renewed certificate installed' });
      const now = await served();
      expect(now).not.toBe(first.serialNumber);
      expect(new X509Certificate(tls.cert).serialNumber).toBe(now);
      expect(new X509Certificate(tls.cert).checkIssued(new X509Certificate(tls.ca))).toBe(true);
    } finally {
      renewal.stop();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

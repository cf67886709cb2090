// The simulated ONVIF camera driven by the `onvif` npm package (a client nobody here wrote):
// device and media services, WS-Security, the Digest-protected JPEG snapshot, and the faults.
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import onvif from 'onvif';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import { startCameras, type CameraFarm } from '../firmware-sim/cameras/index.js';
import { parseParams } from '../firmware-sim/cameras/digest-auth.js';

type AnyCam = InstanceType<typeof onvif.Cam> & Record<string, any>;

function connect(opts: { hostname: string; port: number; username?: string; password?: string; timeout?: number }): Promise<AnyCam> {
  return new Promise((resolve, reject) => {
    const cam = new onvif.Cam({ ...opts, autoconnect: false } as any) as AnyCam;
    cam.connect((err: Error | null) => (err ? reject(err) : resolve(cam)));
  });
}

function call<T>(cam: AnyCam, method: string, ...args: unknown[]): Promise<T> {
  return new Promise((resolve, reject) => {
    cam[method](...args, (err: Error | null, data: T) => (err ? reject(err) : resolve(data)));
  });
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

function post(url: string, body: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'Content-Type': 'application/soap+xml; charset=utf-8' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

// A plain RFC 7616 client, written from the RFC, to fetch the snapshot as a browser or VMS would.
async function getWithDigest(url: string, user: string, password: string): Promise<Reply> {
  const first = await get(url);
  if (first.status !== 401) return first;
  const p = parseParams(String(first.headers['www-authenticate']).replace(/^Digest\s+/i, ''));
  const md5 = (s: string) => createHash('md5').update(s).digest('hex');
  const uri = new URL(url).pathname;
  const cnonce = randomBytes(8).toString('hex');
  const nc = '00000001';
  const response = md5(`${md5(`${user}:${p.realm}:${password}`)}:${p.nonce}:${nc}:${cnonce}:auth:${md5(`GET:${uri}`)}`);
  const auth =
    `Digest username="${user}", realm="${p.realm}", nonce="${p.nonce}", uri="${uri}", qop=auth, nc=${nc}, cnonce="${cnonce}", ` +
    `response="${response}", algorithm=MD5`;
  return get(url, { Authorization: auth });
}

const envelopeOf = (action: string, ns: string) =>
  `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><${action} xmlns="${ns}"/></s:Body></s:Envelope>`;
const TDS = 'http://www.onvif.org/ver10/device/wsdl';

describe('simulated ONVIF camera', () => {
  let farm: CameraFarm;

  beforeAll(async () => {
    farm = await startCameras({ count: 2, port: 0, logger: silentLogger() });
  });
  afterAll(async () => {
    await farm?.stop();
  });

  it('listens on 127.0.1.1 and 127.0.1.2', () => {
    expect(farm.cameras.map((c) => c.host)).toEqual(['127.0.1.1', '127.0.1.2']);
  });

  it('serves device information, profiles, stream and snapshot URIs to the onvif package with admin/admin', async () => {
    const c0 = farm.cameras[0]!;
    const cam = await connect({ hostname: c0.host, port: c0.port, username: 'admin', password: 'admin' });
    const info = await call<Record<string, string>>(cam, 'getDeviceInformation');
    expect(info.manufacturer).toBe('Loa Simulator');
    expect(info.serialNumber).toBe('SIM-127-0-1-1');
    const profiles = await call<Array<{ $: { token: string } }>>(cam, 'getProfiles');
    expect(profiles.map((p) => p.$.token)).toEqual(['profile_main', 'profile_sub']);
    expect(cam.activeSource.profileToken).toBe('profile_main');
    const stream = await call<{ uri: string }>(cam, 'getStreamUri', { protocol: 'RTSP' });
    expect(stream.uri).toBe('rtsp://127.0.1.1:554/profile_main');
    const snap = await call<{ uri: string }>(cam, 'getSnapshotUri', { profileToken: 'profile_sub' });
    expect(snap.uri).toBe(`http://127.0.1.1:${c0.port}/onvif/snapshot/profile_sub.jpg`);

    const noAuth = await get(snap.uri);
    expect(noAuth.status).toBe(401);
    expect(String(noAuth.headers['www-authenticate'])).toMatch(/^Digest .*qop="auth"/);
    const wrong = await getWithDigest(snap.uri, 'admin', 'nope');
    expect(wrong.status).toBe(401);
    const jpeg = await getWithDigest(snap.uri, 'admin', 'admin');
    expect(jpeg.status).toBe(200);
    expect(jpeg.headers['content-type']).toBe('image/jpeg');
    expect([...jpeg.body.subarray(0, 2)]).toEqual([0xff, 0xd8]);
    expect(jpeg.body.length).toBeGreaterThan(1000);
  });

  it('answers GetSystemDateAndTime without credentials and refuses everything else with ter:NotAuthorized', async () => {
    const c1 = farm.cameras[1]!;
    const cam = new onvif.Cam({ hostname: c1.host, port: c1.port, autoconnect: false } as any) as AnyCam;
    const date = await call<Date>(cam, 'getSystemDateAndTime');
    expect(Math.abs(date.getTime() - Date.now())).toBeLessThan(5_000);

    const refused = await post(c1.deviceUrl, envelopeOf('GetDeviceInformation', TDS));
    expect(refused.status).toBe(400);
    expect(refused.body.toString()).toContain('ter:NotAuthorized');
  });

  it('refuses a wrong password, and the right one once the wrong-password fault is on', async () => {
    const c1 = farm.cameras[1]!;
    await expect(connect({ hostname: c1.host, port: c1.port, username: 'admin', password: 'wrong' })).rejects.toThrow(/NotAuthorized|not authorized/i);
    farm.setFaults(1, { wrongPassword: true });
    try {
      await expect(connect({ hostname: c1.host, port: c1.port, username: 'admin', password: 'admin' })).rejects.toThrow();
    } finally {
      farm.setFaults(1, { wrongPassword: false });
    }
    await connect({ hostname: c1.host, port: c1.port, username: 'admin', password: 'admin' });
  });

  it('reports a skewed clock when told to', async () => {
    const c1 = farm.cameras[1]!;
    farm.setFaults(1, { clockSkewMs: 3_600_000 });
    try {
      const cam = new onvif.Cam({ hostname: c1.host, port: c1.port, autoconnect: false } as any) as AnyCam;
      const date = await call<Date>(cam, 'getSystemDateAndTime');
      expect(Math.abs(date.getTime() - Date.now() - 3_600_000)).toBeLessThan(5_000);
    } finally {
      farm.setFaults(1, { clockSkewMs: 0 });
    }
  });

  it('a slow camera answers late', async () => {
    const c1 = farm.cameras[1]!;
    const cam = await connect({ hostname: c1.host, port: c1.port, username: 'admin', password: 'admin' });
    farm.setFaults(1, { slowMs: 400 });
    try {
      const t0 = performance.now();
      await call(cam, 'getDeviceInformation');
      expect(performance.now() - t0).toBeGreaterThanOrEqual(390);
    } finally {
      farm.setFaults(1, { slowMs: 0 });
    }
    const t1 = performance.now();
    await call(cam, 'getDeviceInformation');
    expect(performance.now() - t1).toBeLessThan(300);
  });

  it('a dead camera gives no answer, and comes back when revived', async () => {
    const c1 = farm.cameras[1]!;
    farm.setFaults(1, { dead: true });
    try {
      await expect(connect({ hostname: c1.host, port: c1.port, username: 'admin', password: 'admin', timeout: 1_000 })).rejects.toThrow();
      await expect(post(c1.deviceUrl, envelopeOf('GetSystemDateAndTime', TDS))).rejects.toThrow(/socket hang up|ECONNRESET/);
    } finally {
      farm.setFaults(1, { dead: false });
    }
    const alive = await post(c1.deviceUrl, envelopeOf('GetSystemDateAndTime', TDS));
    expect(alive.status).toBe(200);
  });
});

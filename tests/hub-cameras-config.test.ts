// Cameras from a config file (added, updated and removed at each start, a bad line reported as
// file:line:col) and credentials kept secret: never in a view, the API or the log, and encrypted
// in the SQLite file with a 0600 key beside it.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoaError } from '../common/errors.js';
import { silentLogger } from '../common/logger.js';
import { startCameras, type CameraFarm } from '../firmware-sim/cameras/index.js';
import { loadCamerasFile } from '../hub/cameras/file.js';
import { Hub } from '../hub/hub.js';
import { SecretBox } from '../hub/store/cameras.js';
import { startTestHub, testHubConfig } from './helpers/hub.js';
import { CAMERA_TEST_SETTINGS, capturingLogger, startCameraHub } from './helpers/hub-cameras.js';
import { makeTempDir } from './helpers/tmp.js';

const SECRET = 'Zq7-camera-S3cret';

describe('cameras from a config file', () => {
  let farm: CameraFarm;
  const tmp = makeTempDir('loa-cam-config-');
  const file = join(tmp.path, 'cameras.yaml');

  beforeAll(async () => {
    farm = await startCameras({ count: 3, port: 0, logger: silentLogger(), firstHost: '127.0.5.101', password: SECRET });
    writeFileSync(join(tmp.path, 'cam-2.password'), `${SECRET}\n`);
  });
  afterAll(async () => {
    await farm?.stop();
    tmp.remove();
  });

  const entry = (i: number, extra: string) =>
    `  - id: cam-${i + 1}\n    host: ${farm.cameras[i]!.host}\n    port: ${farm.cameras[i]!.port}\n    user: admin\n${extra}`;

  it('adds the file cameras at start, keeps operator cameras, and removes config cameras no longer listed', async () => {
    writeFileSync(
      file,
      `cameras:\n${entry(0, `    password: ${SECRET}\n    name: Chợ Bản Mường\n    village: Bản Mường\n`)}${entry(1, '    passwordFile: cam-2.password\n')}`,
    );
    const dataDir = join(tmp.path, 'data');
    let h = await startTestHub({ dataDir, config: { cameras: { ...CAMERA_TEST_SETTINGS, file } } });
    try {
      await h.hub.cameras.pollAll();
      const list = h.hub.cameras.list();
      expect(list.map((c) => [c.id, c.source, c.status])).toEqual([
        ['cam-1', 'config', 'online'],
        ['cam-2', 'config', 'online'],
      ]);
      expect(list[0]).toMatchObject({ name: 'Chợ Bản Mường', village: 'Bản Mường', port: farm.cameras[0]!.port, path: '/onvif/device_service' });
      h.hub.cameras.add({ id: 'cam-3', host: farm.cameras[2]!.host, port: farm.cameras[2]!.port, user: 'admin', password: SECRET });
    } finally {
      await h.stop({ keepData: true });
    }
    // cam-2 leaves the file; cam-1 is renamed.
    writeFileSync(file, `cameras:\n${entry(0, `    password: ${SECRET}\n    name: Chợ mới\n`)}`);
    h = await startTestHub({ dataDir, config: { cameras: { ...CAMERA_TEST_SETTINGS, file } } });
    try {
      expect(h.hub.cameras.list().map((c) => [c.id, c.source, c.name])).toEqual([
        ['cam-1', 'config', 'Chợ mới'],
        ['cam-3', 'operator', 'cam-3'],
      ]);
      // Status is "unknown" until polled after a start, whatever it was before.
      expect(h.hub.cameras.get('cam-1')!.status).toBe('unknown');
    } finally {
      await h.stop();
    }
  });

  it('refuses to start on a bad line, naming file:line:col, before opening anything', async () => {
    writeFileSync(file, `cameras:\n${entry(0, `    password: ${SECRET}\n`)}  - id: Cam_2\n    host: 127.0.0.1\n    port: 99999\n    user: admin\n`);
    const dataDir = join(tmp.path, 'bad');
    const hub = new Hub({ config: testHubConfig(dataDir, { cameras: { file } }), logger: silentLogger() });
    const err = await hub.start().then(
      () => null,
      (e: unknown) => e,
    );
    expect(isLoaError(err) && err.code).toBe('LOA_CONFIG_INVALID');
    const msg = (err as Error).message;
    expect(msg).toContain(`${file}:7:9: cameras.1.id:`);
    expect(msg).toContain(`${file}:9:11: cameras.1.port:`);
    expect(() => readdirSync(dataDir)).toThrow(); // nothing created
  });

  it('reports an unreadable passwordFile and a missing password on their lines', async () => {
    writeFileSync(file, `cameras:\n${entry(0, '    passwordFile: nowhere.txt\n')}${entry(1, '')}`);
    const hub = new Hub({ config: testHubConfig(join(tmp.path, 'bad2'), { cameras: { file } }), logger: silentLogger() });
    const msg = await hub.start().then(
      () => '',
      (e: Error) => e.message,
    );
    expect(msg).toMatch(new RegExp(`${file}:\\d+:\\d+: cameras\\.0\\.passwordFile: cannot read .*nowhere\\.txt \\(ENOENT\\)`));
    expect(msg).toMatch(/cameras\.1\.password: give password or passwordFile/);
  });
});

describe('camera credentials', () => {
  it('never appear in views, the API, the log or the database file', async () => {
    const lines: string[] = [];
    const h = await startCameraHub({ count: 2, firstHost: '127.0.5.111', password: SECRET, logger: capturingLogger(lines) });
    try {
      h.farm.setFaults(1, { wrongPassword: true });
      // A wrong password the hub tries is a secret too.
      h.hub.hub.cameras.add({ id: 'cam-x', host: h.farm.cameras[0]!.host, port: h.farm.cameras[0]!.port, user: 'admin', password: 'Wr0ng-Guess-77' });
      await h.hub.hub.cameras.pollAll();
      expect(h.view('cam-1').status).toBe('online');
      expect(h.view('cam-2').status).toBe('unauthorised');
      expect(h.view('cam-x').status).toBe('unauthorised');
      await h.hub.hub.cameras.snapshot('cam-1');
      const api = await h.hub.api('GET', '/api/v1/cameras');
      const one = await h.hub.api('GET', '/api/v1/cameras/cam-1');
      const texts = [JSON.stringify(h.hub.hub.cameras.list()), JSON.stringify(api.body), JSON.stringify(one.body), lines.join('\n')];
      expect(lines.length).toBeGreaterThan(5);
      for (const t of texts) {
        expect(t).not.toContain(SECRET);
        expect(t).not.toContain('Wr0ng-Guess-77');
        expect(t).not.toMatch(/"password"/);
      }
      expect(JSON.stringify(h.view('cam-1'))).not.toMatch(/"user"/);
      await h.hub.hub.stop();
      const db = readdirSync(h.hub.dataDir)
        .filter((f) => f.startsWith('loa.db'))
        .map((f) => readFileSync(join(h.hub.dataDir, f)));
      expect(db.length).toBeGreaterThan(0);
      for (const b of db) {
        expect(b.includes(SECRET)).toBe(false);
        expect(b.includes('Wr0ng-Guess-77')).toBe(false);
      }
      const key = join(h.hub.dataDir, 'camera-secrets.key');
      expect(statSync(key).mode & 0o777).toBe(0o600);
      expect(statSync(key).size).toBe(32);
    } finally {
      await h.stop();
    }
  });
});

describe('the example cameras file', () => {
  it('config/sites/tu-le/cameras.yaml is valid', () => {
    const cams = loadCamerasFile('config/sites/tu-le/cameras.yaml');
    expect(cams.map((c) => c.id)).toContain('cam-cho-tu-le');
    expect(cams.find((c) => c.id === 'cam-cau-na-long')).toMatchObject({ port: 8000, user: 'onvif', village: 'Bản Nà Lóng' });
  });
});

describe('the camera password box', () => {
  it('creates its key on first use only, and binds each password to its camera', () => {
    const t = makeTempDir('loa-cam-box-');
    try {
      const keyFile = join(t.path, 'camera-secrets.key');
      const box = new SecretBox(keyFile);
      expect(() => statSync(keyFile)).toThrow(); // not before a password is stored
      const sealed = box.seal(SECRET, 'cam-1');
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(sealed).not.toContain(SECRET);
      expect(box.seal(SECRET, 'cam-1')).not.toBe(sealed); // a fresh IV each time
      expect(new SecretBox(keyFile).open(sealed, 'cam-1')).toBe(SECRET);
      // Copied onto another camera's row, it does not open.
      expect(() => box.open(sealed, 'cam-2')).toThrow();
      // Nor with another key (the database restored without its key file).
      writeFileSync(keyFile, Buffer.alloc(32, 7));
      expect(() => new SecretBox(keyFile).open(sealed, 'cam-1')).toThrow();
    } finally {
      t.remove();
    }
  });
});

describe('a data directory restored without its key file', () => {
  it('shows the cameras unauthorised with the reason, until their passwords are given again', async () => {
    const t = makeTempDir('loa-cam-key-');
    const farm = await startCameras({ count: 1, port: 0, logger: silentLogger(), firstHost: '127.0.5.131' });
    try {
      const cam = farm.cameras[0]!;
      let h = await startTestHub({ dataDir: t.path, config: { cameras: CAMERA_TEST_SETTINGS } });
      h.hub.cameras.add({ id: 'cam-1', host: cam.host, port: cam.port, user: 'admin', password: 'admin' });
      await h.hub.cameras.pollAll();
      expect(h.hub.cameras.get('cam-1')!.status).toBe('online');
      await h.stop({ keepData: true });
      writeFileSync(join(t.path, 'camera-secrets.key'), Buffer.alloc(32, 1));
      h = await startTestHub({ dataDir: t.path, config: { cameras: CAMERA_TEST_SETTINGS } });
      try {
        await h.hub.cameras.pollAll();
        const v = h.hub.cameras.get('cam-1')!;
        expect(v.status).toBe('unauthorised');
        expect(v.reason).toMatch(/cannot be decrypted.*camera-secrets\.key/);
        h.hub.cameras.add({ id: 'cam-1', host: cam.host, port: cam.port, user: 'admin', password: 'admin' }, { replace: true });
        await h.hub.cameras.pollAll();
        expect(h.hub.cameras.get('cam-1')!.status).toBe('online');
      } finally {
        await h.stop({ keepData: true });
      }
    } finally {
      await farm.stop();
      t.remove();
    }
  });
});

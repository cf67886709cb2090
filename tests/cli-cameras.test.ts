// `loa cameras …` as the real child process against a test hub and simulated ONVIF cameras: add with
// the password on stdin, list and show (JSON, English, Vietnamese), snapshot to a file, discover on
// the simulated addresses and add the new ones, remove, and the one-line errors with their exit codes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CameraView, DiscoveredCamera } from '../hub/cameras/types.js';
import { waitFor } from './helpers/hub.js';
import { spawnLoaInput } from './helpers/police-cli.js';
import { CAMERA_PASSWORD, CAMERA_USER, startPoliceRig, type PoliceRig } from './helpers/police-rig.js';
import { makeTempDir } from './helpers/tmp.js';

// Each simulated camera answers WS-Discovery probes on its own address at this port.
const PROBE_PORT = 37_731;
const RANGE = '127.0.7.31-127.0.7.33';

let rig: PoliceRig;
const dir = makeTempDir('loa-cli-cameras-');

beforeAll(async () => {
  rig = await startPoliceRig({ firstHost: '127.0.7.31', count: 3, register: false, discoveryPort: PROBE_PORT, villages: ['Tà Lùng', 'Bản Hon', 'Nà Pồng'] });
});

afterAll(async () => {
  await rig?.stop();
  dir.remove();
});

function loa(args: string[], o: { input?: string; token?: string; lang?: 'vi' | 'en' } = {}) {
  return spawnLoaInput(['--hub', rig.t.addresses.httpUrl, '--token', o.token ?? rig.t.token, '--lang', o.lang ?? 'en', ...args], {
    cwd: dir.path,
    input: o.input,
  });
}

const json = <T>(text: string): T => JSON.parse(text) as T;

describe('loa cameras', () => {
  it('adds a camera with the password on stdin, never printing it', async () => {
    const cam = rig.farm.cameras[0]!;
    const r = await loa(
      [
        'cameras',
        'add',
        'cong-cho',
        '--host',
        cam.host,
        '--port',
        String(cam.port),
        '--user',
        CAMERA_USER,
        '--password-stdin',
        '--name',
        'Cổng chợ',
        '--village',
        'Tà Lùng',
        '--json',
      ],
      { input: `${CAMERA_PASSWORD}\n` },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(json<{ camera: CameraView }>(r.stdout).camera).toMatchObject({ id: 'cong-cho', name: 'Cổng chợ', village: 'Tà Lùng', port: cam.port });
    expect(r.stdout).not.toContain(CAMERA_PASSWORD);
    // The trailing newline of `echo pw |` is not part of the password: the camera accepts it.
    await rig.waitStatus('cong-cho', 'online');
  });

  it('lists and shows cameras as JSON, in English and in Vietnamese', async () => {
    const list = await loa(['cameras', 'list', '--json']);
    expect(list.code).toBe(0);
    expect(json<{ cameras: CameraView[] }>(list.stdout).cameras.map((c) => [c.id, c.status])).toEqual([['cong-cho', 'online']]);

    const en = await loa(['cameras', 'list']);
    expect(en.stdout).toMatch(/cong-cho.*Cổng chợ.*Tà Lùng.*online/);
    expect(en.stdout).toContain('Clock skew');
    expect(en.stdout).toContain('1 of 1 cameras online');
    const vi = await loa(['cameras', 'list'], { lang: 'vi' });
    expect(vi.stdout).toContain('hoạt động');
    expect(vi.stdout).toContain('Lệch giờ');

    const show = await loa(['cameras', 'show', 'cong-cho']);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('Stream (RTSP)');
    expect(show.stdout).toMatch(/rtsp:\/\//);
    expect(show.stdout).toContain(`${rig.t.addresses.httpUrl}/api/v1/cameras/cong-cho/snapshot`);
    expect(json<{ camera: CameraView }>((await loa(['cameras', 'show', 'cong-cho', '--json'])).stdout).camera.device?.serialNumber).toBeTruthy();
  });

  it("says why a camera is offline in the chosen language, from the hub's reason codes", async () => {
    rig.farm.setFaults(0, { dead: true });
    try {
      const v = await rig.waitStatus('cong-cho', 'offline');
      await waitFor(() => rig.t.hub.store.alarms.open().find((a) => a.kind === 'camera-offline'), { what: 'camera-offline raised' });
      const code = v.reasons[0]!.code;
      const vi = await loa(['cameras', 'list'], { lang: 'vi' });
      expect(vi.stdout).toContain('mất kết nối');
      expect(vi.stdout).toContain(code === 'camera.reset' ? 'kết nối bị ngắt giữa chừng (ECONNRESET)' : 'không trả lời trong');
      const show = await loa(['cameras', 'show', 'cong-cho'], { lang: 'vi' });
      expect(show.stdout).toContain(code === 'camera.reset' ? 'kết nối bị ngắt giữa chừng' : 'không trả lời trong');
      expect(show.stdout).toContain('camera mất kết nối'); // the open alarm's kind
      const en = await loa(['cameras', 'list']);
      expect(en.stdout).toContain(code === 'camera.reset' ? 'connection reset (ECONNRESET)' : 'no answer within');
      const alarms = await loa(['alarms'], { lang: 'vi' });
      expect(alarms.stdout).toContain('camera mất kết nối');
      expect(alarms.stdout).toContain(code === 'camera.reset' ? 'kết nối bị ngắt giữa chừng' : 'không trả lời trong');
    } finally {
      rig.farm.setFaults(0, { dead: false });
    }
    await rig.waitStatus('cong-cho', 'online');
  });

  it('saves a snapshot as a JPEG file, to -o or to ID-<time>.jpg', async () => {
    const out = await loa(['cameras', 'snapshot', 'cong-cho', '-o', 'gate.jpg', '--json']);
    expect(out.code).toBe(0);
    const saved = json<{ file: string; bytes: number; takenAt: number }>(out.stdout);
    expect(saved.file).toBe(join(dir.path, 'gate.jpg'));
    const jpeg = readFileSync(saved.file);
    expect(jpeg.length).toBe(saved.bytes);
    expect([jpeg[0], jpeg[1]]).toEqual([0xff, 0xd8]);

    const byDefault = await loa(['cameras', 'snapshot', 'cong-cho']);
    expect(byDefault.code).toBe(0);
    const name = readdirSync(dir.path).find((f) => /^cong-cho-\d{4}-\d{2}-\d{2}T\d{6}\.jpg$/.test(f));
    expect(name, readdirSync(dir.path).join(', ')).toBeDefined();
    expect(byDefault.stdout).toContain(name!);
  });

  it('discovers the cameras on a range, marks the known one, and adds the new ones with --add', async () => {
    const probe = ['cameras', 'discover', '--range', RANGE, '--no-multicast', '--probe-port', String(PROBE_PORT), '--timeout', '1'];
    const found = await loa([...probe, '--json']);
    expect(found.code).toBe(0);
    const list = json<{ found: DiscoveredCamera[] }>(found.stdout).found;
    expect(list.map((f) => [f.host, f.knownAs]).sort()).toEqual([
      ['127.0.7.31', 'cong-cho'],
      ['127.0.7.32', null],
      ['127.0.7.33', null],
    ]);
    const human = await loa(probe);
    expect(human.stdout).toContain('3 cameras answered, 2 of them new.');
    expect(human.stdout).toContain('--add');

    const added = await loa([...probe, '--add', '--user', CAMERA_USER, '--password-stdin', '--json'], { input: CAMERA_PASSWORD });
    expect(added.code).toBe(0);
    const ids = json<{ added: Array<{ id: string }> }>(added.stdout)
      .added.map((a) => a.id)
      .sort();
    expect(ids).toEqual(['cam-002', 'cam-003']); // from the names the cameras announce
    for (const id of ids) await rig.waitStatus(id, 'online');
    const cams = json<{ cameras: CameraView[] }>((await loa(['cameras', 'list', '--json'])).stdout).cameras;
    expect(cams.find((c) => c.id === 'cam-003')?.village).toBe('Nà Pồng');
    // Run again: nothing new.
    expect((await loa(probe)).stdout).toContain('3 cameras answered, 0 of them new.');
  });

  it("removes a camera; then show fails with one line and the hub's code", async () => {
    const r = await loa(['cameras', 'remove', 'cam-003']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Camera cam-003 removed.');
    const gone = await loa(['cameras', 'show', 'cam-003']);
    expect(gone.code).toBe(1);
    expect(gone.stderr.trim().split('\n')).toHaveLength(1);
    expect(gone.stderr).toMatch(/^error: camera cam-003 does not exist.*\[LOA_CAMERA_NOT_FOUND\]\n$/);
  });

  it("refuses bad command lines with exit 2 and a police token's changes with the hub's 403", async () => {
    const noPassword = await loa(['cameras', 'add', 'x', '--host', '127.0.0.1', '--user', 'u']);
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toContain('--password-stdin');
    const both = await loa(['cameras', 'add', 'x', '--host', '127.0.0.1', '--user', 'u', '--password', 'p', '--password-stdin'], { input: 'p' });
    expect(both.code).toBe(2);
    expect((await loa(['cameras', 'add', 'x', '--host', 'h', '--port', '70000', '--user', 'u', '--password', 'p'])).code).toBe(2);
    expect((await loa(['cameras', 'discover', '--add'])).stderr).toContain('--user');
    const empty = await loa(['cameras', 'add', 'x', '--host', '127.0.0.1', '--user', 'u', '--password-stdin'], { input: '\n' });
    expect(empty.code).toBe(1);

    const police = await loa(['cameras', 'list', '--json'], { token: rig.police });
    expect(police.code).toBe(0);
    const refused = await loa(['cameras', 'remove', 'cong-cho'], { token: rig.police });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('[LOA_FORBIDDEN]');
  });
});

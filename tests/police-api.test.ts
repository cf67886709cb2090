// The police API on a real hub with simulated ONVIF cameras: the camera list with a weak ETag and
// 304s that survive routine polls but change with a camera's status, one camera, a real JPEG through the snapshot proxy,
// credentials in no answer and no log line, and the events long-poll woken by a camera's motion.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../common/logger.js';
import type { FeedEvent } from '../hub/alarms/types.js';
import type { CameraView } from '../hub/cameras/types.js';
import { waitFor } from './helpers/hub.js';
import { CAMERA_PASSWORD, CAMERA_USER, startPoliceRig, type PoliceRig } from './helpers/police-rig.js';

type List = { cameras: CameraView[] };
type Events = { events: FeedEvent[]; cursor: number };

let rig: PoliceRig;
/** Every line the hub logged, at trace level. */
let logText = '';
/** Every answer body the tests saw, to search for credentials at the end. */
const answers: string[] = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logText += chunk.toString();
      done();
    },
  });
  // No timed polls: the tests drive them with pollAll(), so the list changes only when they say.
  rig = await startPoliceRig({
    firstHost: '127.0.7.11',
    count: 3,
    villages: ['Tà Lùng', 'Bản Hon', 'Nà Pồng'],
    cameras: { pollIntervalSec: 3600, backoffMaxSec: 3600 },
    logger: createLogger({ name: 'loa-hub', level: 'trace', destination: sink }),
  });
  await rig.t.hub.cameras.pollAll();
  for (const id of rig.ids) await rig.waitStatus(id, 'online');
});

afterAll(async () => {
  await rig?.stop();
});

async function get<T>(path: string, token: string, headers: Record<string, string> = {}) {
  const r = await rig.t.api<T>('GET', path, undefined, { token, headers });
  answers.push(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
  return r;
}

describe('GET /api/v1/cameras', () => {
  it('answers with a weak ETag, 304 without a body while nothing but poll times changed, and a new tag after a status change', async () => {
    const first = await get<List>('/api/v1/cameras', rig.police);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"[^"]+"$/); // weak: bodies differ only in a routine poll's timestamps
    expect(first.headers.get('cache-control')).toContain('no-cache');
    expect(first.body.cameras.map((c) => [c.id, c.status, c.village])).toEqual([
      ['cam-1', 'online', 'Tà Lùng'],
      ['cam-2', 'online', 'Bản Hon'],
      ['cam-3', 'online', 'Nà Pồng'],
    ]);

    const again = await get<string>('/api/v1/cameras', rig.police, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    // A routine poll moves lastCheckedAt (a strong tag would change) but not the weak tag.
    const checkedBefore = first.body.cameras[0]!.lastCheckedAt!;
    await rig.t.hub.cameras.pollAll();
    expect(rig.t.hub.cameras.get('cam-1')!.lastCheckedAt).toBeGreaterThan(checkedBefore);
    expect((await get<string>('/api/v1/cameras', rig.police, { 'if-none-match': etag })).status).toBe(304);
    // Another role's cached copy never stands in for this one.
    const operator = await get<List>('/api/v1/cameras', rig.t.token, { 'if-none-match': etag });
    expect(operator.status).toBe(200);
    expect(operator.headers.get('etag')).not.toBe(etag);

    rig.farm.setFaults(1, { dead: true });
    await rig.t.hub.cameras.pollAll();
    const changed = await get<List>('/api/v1/cameras', rig.police, { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    const dead = changed.body.cameras.find((c) => c.id === 'cam-2')!;
    expect(dead.status).toBe('offline');
    expect(dead.reason).toBeTruthy();
    expect(dead.lastSeenAt).not.toBeNull(); // it did answer before
    expect((await get('/api/v1/cameras', rig.police, { 'if-none-match': changed.headers.get('etag')! })).status).toBe(304);

    rig.farm.setFaults(1, { dead: false });
    await rig.t.hub.cameras.pollAll();
    await rig.waitStatus('cam-2', 'online');
  });

  it('shows one camera, and LOA_CAMERA_NOT_FOUND for an unknown id', async () => {
    const one = await get<{ camera: CameraView }>('/api/v1/cameras/cam-3', rig.police);
    expect(one.status).toBe(200);
    expect(one.body.camera).toMatchObject({ id: 'cam-3', name: 'Camera 3', status: 'online', snapshotUrl: '/api/v1/cameras/cam-3/snapshot' });
    expect(one.body.camera.device?.serialNumber).toBeTruthy();
    expect(one.body.camera.streamUri).toMatch(/^rtsp:\/\//);
    const missing = await get<{ error: { code: string } }>('/api/v1/cameras/cam-9', rig.police);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('LOA_CAMERA_NOT_FOUND');
  });
});

describe('GET /api/v1/cameras/{id}/snapshot', () => {
  it("serves the camera's JPEG with no-store and when it was taken", async () => {
    const before = Date.now();
    const res = await fetch(`${rig.t.addresses.httpUrl}/api/v1/cameras/cam-1/snapshot`, { headers: { authorization: `Bearer ${rig.police}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const jpeg = Buffer.from(await res.arrayBuffer());
    expect(jpeg.length).toBeGreaterThan(1000);
    expect([jpeg[0], jpeg[1]]).toEqual([0xff, 0xd8]); // SOI
    expect([jpeg.at(-2), jpeg.at(-1)]).toEqual([0xff, 0xd9]); // EOI
    const taken = Date.parse(res.headers.get('x-snapshot-taken-at')!);
    expect(taken).toBeGreaterThan(before - 60_000);
    expect(taken).toBeLessThanOrEqual(Date.now());
  });

  it('answers a JSON error with a LOA_ code when the camera cannot give one', async () => {
    rig.farm.setFaults(2, { dead: true });
    try {
      const r = await get<{ error: { code: string; message: string } }>('/api/v1/cameras/cam-3/snapshot', rig.police);
      expect(r.status).toBeGreaterThanOrEqual(500);
      expect(r.headers.get('content-type')).toContain('application/json');
      expect(r.body.error.code).toMatch(/^LOA_CAMERA_/);
    } finally {
      rig.farm.setFaults(2, { dead: false });
    }
  });
});

describe('GET /api/v1/events', () => {
  it('long-polls until a camera alarm is raised: motion on a simulated camera', async () => {
    // The hub holds a pull-point subscription on each online camera.
    await waitFor(() => rig.farm.camera(0).subscriptionCount > 0, { what: 'motion subscription on cam-1' });
    const { body: now } = await get<Events>('/api/v1/events', rig.police);
    const started = Date.now();
    let answered = false;
    const waiting = get<Events>(`/api/v1/events?after=${now.cursor}&wait=20`, rig.police).finally(() => (answered = true));
    await new Promise((r) => setTimeout(r, 400));
    expect(answered).toBe(false); // nothing yet: it waits

    rig.farm.triggerMotion(0, 1000);
    const r = await waiting;
    expect(r.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.body.events[0]).toMatchObject({ type: 'alarm-raised', kind: 'camera-motion', subjectType: 'camera', subjectId: 'cam-1' });
    expect(r.body.cursor).toBe(r.body.events.at(-1)!.id);
    // The same feed and cursor as the operators' /api/v1/alarms/events.
    const op = await get<Events>(`/api/v1/alarms/events?after=${now.cursor}`, rig.t.token);
    // (operators also get detailExtra, the words only they need: none for a motion.)
    expect(op.body.events[0]).toEqual({ ...r.body.events[0], detailExtra: null });
    // A viewer sees camera states, not the alarms.
    expect((await get('/api/v1/events', rig.viewer)).status).toBe(403);
  });
});

describe('credentials', () => {
  it('are accepted when a camera is added, and appear in no answer and no log line', async () => {
    const add = await rig.t.api<{ camera: Record<string, unknown> }>('POST', '/api/v1/cameras', {
      id: 'cam-extra',
      host: rig.farm.cameras[0]!.host,
      port: rig.farm.cameras[0]!.port,
      user: CAMERA_USER,
      password: CAMERA_PASSWORD,
      name: 'Extra',
    });
    answers.push(JSON.stringify(add.body));
    expect(add.status).toBe(201);
    expect(add.body.camera.id).toBe('cam-extra');
    expect(Object.keys(add.body.camera)).not.toContain('password');
    const replaced = await rig.t.api('POST', '/api/v1/cameras', {
      id: 'cam-extra',
      host: rig.farm.cameras[0]!.host,
      port: rig.farm.cameras[0]!.port,
      user: CAMERA_USER,
      password: `${CAMERA_PASSWORD}-2`,
      replace: true,
    });
    answers.push(JSON.stringify(replaced.body));
    expect(replaced.status).toBe(201);
    const conflict = await rig.t.api('POST', '/api/v1/cameras', { id: 'cam-extra', host: '127.0.0.9', user: CAMERA_USER, password: CAMERA_PASSWORD });
    answers.push(JSON.stringify(conflict.body));
    expect(conflict.status).toBe(409);
    const bad = await rig.t.api('POST', '/api/v1/cameras', { id: 'cam-bad', host: 'not a host', user: CAMERA_USER, password: CAMERA_PASSWORD });
    answers.push(JSON.stringify(bad.body));
    expect(bad.status).toBe(400);
    await rig.t.hub.cameras.pollAll();

    for (const path of ['/api/v1/cameras', '/api/v1/cameras/cam-extra', '/api/v1/events', '/api/v1/status', '/api/v1/alarms?all=1', '/metrics']) {
      await get(path, rig.t.token);
    }
    expect(answers.length).toBeGreaterThan(15);
    for (const text of answers) {
      expect(text).not.toContain(CAMERA_PASSWORD);
      expect(text).not.toContain(CAMERA_USER);
    }
    expect(logText).toContain('cam-extra'); // the log did record the additions…
    expect(logText).not.toContain(CAMERA_PASSWORD); // …without the password
    expect((await rig.t.api('DELETE', '/api/v1/cameras/cam-extra')).status).toBe(200);
    expect((await rig.t.api('DELETE', '/api/v1/cameras/cam-extra')).status).toBe(404);
  });
});

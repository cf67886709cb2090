// What the police post and a viewer screen get from the API (issue 13, items 13-18): open alarms
// readable by the police with the feed's cursor, coded camera reasons and alarm details (code,
// parameters and English text), a loudspeaker's raw player text kept for operators, the last
// picture of a camera that went dark, and status-only camera views for the viewer role.
// Real hub, simulated ONVIF cameras, a real MQTT box.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../common/clock.js';
import { connectAlarmsBox, type AlarmsBox } from './helpers/alarms-box.js';
import { waitFor } from './helpers/hub.js';
import { CAMERA_PASSWORD, CAMERA_USER, startPoliceRig, type PoliceRig } from './helpers/police-rig.js';

interface ApiAlarm {
  id: number;
  kind: string;
  subjectId: string;
  detail: string;
  detailCode: string | null;
  detailParams: Record<string, unknown>;
  detailExtra?: string | null;
  clearedAt: number | null;
}
interface ApiEvent {
  id: number;
  type: string;
  kind: string;
  subjectId: string;
  detail: string;
  detailCode: string | null;
  detailExtra?: string | null;
}

let rig: PoliceRig;
let box: AlarmsBox;

// What ffmpeg on a box says when the media it was given is not audio: the hub's URL and all.
const FFMPEG_TEXT = 'http://10.8.0.1:8080/api/v1/media/3f9a0c/content: Invalid data found when processing input';

beforeAll(async () => {
  rig = await startPoliceRig({ firstHost: '127.0.7.41', count: 2, villages: ['Tà Lùng', 'Bản Hon'] });
  for (const id of rig.ids) await rig.waitStatus(id, 'online');
  const { secret } = await rig.t.addCluster('ban-hon');
  box = await connectAlarmsBox(rig.t.hub, rig.t.addresses.mqttUrl, 'ban-hon', secret, systemClock);
});

afterAll(async () => {
  box?.client.end(true);
  await rig?.stop();
});

describe('alarms for the police post', () => {
  it('GET /api/v1/alarms gives the police the open alarms with the feed cursor to follow them; a viewer 403', async () => {
    rig.farm.setFaults(1, { dead: true });
    try {
      await waitFor(() => rig.t.hub.store.alarms.open().find((a) => a.kind === 'camera-offline'), { what: 'camera-offline raised' });
      const r = await rig.t.api<{ alarms: ApiAlarm[]; cursor: number }>('GET', '/api/v1/alarms', undefined, { token: rig.police });
      expect(r.status).toBe(200);
      const offline = r.body.alarms.find((a) => a.kind === 'camera-offline')!;
      expect(offline).toMatchObject({ subjectId: 'cam-2', clearedAt: null });
      // Coded: the monitor and the CLI translate it; the English text stays for other clients.
      expect(offline.detailCode).toMatch(/^camera\./);
      expect(offline.detail.length).toBeGreaterThan(0);
      // The cursor is where the feed stood when the list was read: following it keeps the list current.
      const { body: feed } = await rig.t.api<{ cursor: number }>('GET', '/api/v1/events?after=0&limit=1000', undefined, { token: rig.police });
      expect(r.body.cursor).toBe(feed.cursor);
      expect((await rig.t.api('GET', '/api/v1/alarms', undefined, { token: rig.viewer })).status).toBe(403);
    } finally {
      rig.farm.setFaults(1, { dead: false });
    }
    await rig.waitStatus('cam-2', 'online');
  });

  it('gives camera reasons as codes with parameters beside the English text', async () => {
    rig.farm.setFaults(0, { dead: true });
    try {
      const v = await rig.waitStatus('cam-1', 'offline');
      expect(v.reasons.length).toBe(1);
      expect(v.reasons[0]!.code).toMatch(/^camera\.(reset|timeout)$/);
      expect(v.reason).toBe(v.reasons[0]!.code === 'camera.reset' ? 'connection reset (ECONNRESET)' : `no answer within ${v.reasons[0]!.params.ms} ms`);
    } finally {
      rig.farm.setFaults(0, { dead: false });
    }
    await rig.waitStatus('cam-1', 'online');
  });

  it("sends a loudspeaker failure to the police as a short sentence; the player's text and URL only to operators", async () => {
    const { body: mark } = await rig.t.api<{ cursor: number }>('GET', '/api/v1/events', undefined, { token: rig.police });
    await box.ack('failed', { reason: 'player-error', broadcastId: 'b-9', detail: FFMPEG_TEXT });

    const police = await rig.t.api<{ events: ApiEvent[] }>('GET', `/api/v1/events?after=${mark.cursor}`, undefined, { token: rig.police });
    const seen = police.body.events.find((e) => e.kind === 'play-failed')!;
    expect(seen).toMatchObject({ type: 'alarm-raised', subjectId: 'ban-hon', detailCode: 'play.player-error', detail: 'the player failed' });
    expect(JSON.stringify(police.body)).not.toMatch(/http:|Invalid data|10\.8\.0\.1/);
    expect(seen).not.toHaveProperty('detailExtra');
    const policeOpen = await rig.t.api<{ alarms: ApiAlarm[] }>('GET', '/api/v1/alarms?all=1', undefined, { token: rig.police });
    expect(JSON.stringify(policeOpen.body)).not.toMatch(/http:|Invalid data/);
    expect(policeOpen.body.alarms.find((a) => a.kind === 'play-failed')!.detail).toBe('the player failed');

    // Operators keep everything: the broadcast and the box's words.
    const op = await rig.t.api<{ events: ApiEvent[] }>('GET', `/api/v1/events?after=${mark.cursor}`);
    const full = op.body.events.find((e) => e.kind === 'play-failed')!;
    expect(full.detailExtra).toBe(`b-9: ${FFMPEG_TEXT}`);
    expect(full.detail).toBe(`the player failed (b-9: ${FFMPEG_TEXT})`);
    const opAlarms = await rig.t.api<{ alarms: ApiAlarm[] }>('GET', '/api/v1/alarms');
    expect(opAlarms.body.alarms.find((a) => a.kind === 'play-failed')!.detailExtra).toBe(`b-9: ${FFMPEG_TEXT}`);

    await box.ack('started', { broadcastId: 'b-10' });
    const cleared = await rig.t.api<{ events: ApiEvent[] }>('GET', `/api/v1/events?after=${mark.cursor}`, undefined, { token: rig.police });
    expect(cleared.body.events.at(-1)).toMatchObject({ type: 'alarm-cleared', kind: 'play-failed', detailCode: 'play.started', detail: 'playing again' });
  });
});

describe('the last picture of a camera that went dark', () => {
  it('is served with fallback=last, marked stale, while a plain snapshot request fails', async () => {
    // A picture while it works (retried: on a loaded machine one fetch may miss the 800 ms timeout).
    const picture = await waitFor(
      async () => {
        const fresh = await fetch(`${rig.t.addresses.httpUrl}/api/v1/cameras/cam-2/snapshot`, { headers: { authorization: `Bearer ${rig.police}` } });
        return fresh.status === 200 ? Buffer.from(await fresh.arrayBuffer()) : null;
      },
      { what: 'a picture of cam-2' },
    );
    rig.farm.setFaults(1, { dead: true });
    try {
      await rig.waitStatus('cam-2', 'offline');
      // Once the hub's short cache (200 ms here) has let go of the last fresh one.
      const plain = () => fetch(`${rig.t.addresses.httpUrl}/api/v1/cameras/cam-2/snapshot`, { headers: { authorization: `Bearer ${rig.police}` } });
      await waitFor(async () => (await plain()).status === 502, { what: 'a plain request refused' });
      const last = await fetch(`${rig.t.addresses.httpUrl}/api/v1/cameras/cam-2/snapshot?fallback=last`, {
        headers: { authorization: `Bearer ${rig.police}` },
      });
      expect(last.status).toBe(200);
      expect(last.headers.get('content-type')).toBe('image/jpeg');
      expect(last.headers.get('x-snapshot-stale')).toBe('1');
      expect(Date.parse(last.headers.get('x-snapshot-taken-at')!)).toBeLessThanOrEqual(Date.now());
      expect(Buffer.from(await last.arrayBuffer()).equals(picture)).toBe(true);
      const bad = await rig.t.api<{ error: { code: string } }>('GET', '/api/v1/cameras/cam-2/snapshot?fallback=yes', undefined, { token: rig.police });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('LOA_BAD_REQUEST');
    } finally {
      rig.farm.setFaults(1, { dead: false });
    }
    await rig.waitStatus('cam-2', 'online');
  });
});

describe('the viewer role', () => {
  it("gets each camera's status only: no address, port, path, stream, device or credentials", async () => {
    const cam = rig.farm.cameras[0]!;
    const list = await rig.t.api<{ cameras: Array<Record<string, unknown>> }>('GET', '/api/v1/cameras', undefined, { token: rig.viewer });
    const one = await rig.t.api<{ camera: Record<string, unknown> }>('GET', '/api/v1/cameras/cam-1', undefined, { token: rig.viewer });
    expect(list.status).toBe(200);
    expect(one.status).toBe(200);
    expect(Object.keys(one.body.camera).sort()).toEqual(['id', 'lastSeenAt', 'name', 'reason', 'reasons', 'status', 'statusSince', 'village'].sort());
    expect(list.body.cameras.map((c) => Object.keys(c).sort())).toEqual(list.body.cameras.map(() => Object.keys(one.body.camera).sort()));
    for (const text of [JSON.stringify(list.body), JSON.stringify(one.body)]) {
      for (const secret of [cam.host, `:${cam.port}`, 'rtsp:', '/onvif/', CAMERA_USER, CAMERA_PASSWORD]) expect(text).not.toContain(secret);
    }
    // The police post still gets what it needs to open the video.
    const police = await rig.t.api<{ camera: { host: string; streamUri: string } }>('GET', '/api/v1/cameras/cam-1', undefined, { token: rig.police });
    expect(police.body.camera.host).toBe(cam.host);
    expect(police.body.camera.streamUri).toMatch(/^rtsp:/);
  });
});

// The real hub's answers against the declared API (hub/http/api.ts), read strictly: every field
// the schema declares, of its type and nullability, and no field it does not declare, at any depth.
// The routes' return types hold this at compile time; this holds it on the wire.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as api from '../hub/http/api.js';
import { makeTone } from './helpers/audio.js';
import { startTestHub, waitFor, type TestHub } from './helpers/hub.js';
import { scriptedBox } from './helpers/scripted-box.js';
import { makeTempDir } from './helpers/tmp.js';

type Def = { type: string; innerType?: z.ZodType; element?: z.ZodType; options?: z.ZodType[] };

/** The schema with every object made strict (unknown keys refused), through every wrapper. */
function strictly(schema: z.ZodType): z.ZodType {
  const def = (schema as unknown as { def: Def }).def;
  switch (def.type) {
    case 'object':
      return z.strictObject(Object.fromEntries(Object.entries((schema as z.ZodObject).shape).map(([k, v]) => [k, strictly(v as z.ZodType)])));
    case 'optional':
      return strictly(def.innerType!).optional();
    case 'nullable':
      return strictly(def.innerType!).nullable();
    case 'array':
      return z.array(strictly(def.element!));
    case 'union':
      return z.union(def.options!.map(strictly) as [z.ZodType, z.ZodType, ...z.ZodType[]]);
    default:
      return schema;
  }
}

function expectDeclared(schema: z.ZodType, body: unknown, what: string): void {
  const r = strictly(schema).safeParse(body);
  expect(r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`), what).toEqual([]);
}

describe('strictly()', () => {
  it('refuses a field the schema does not declare, also inside arrays and nullable objects', () => {
    const c = { id: 'a', name: 'A', village: 'V', volume: 80, createdAt: 1, online: false, lastSeenAt: null };
    expect(strictly(api.cluster).safeParse(c).success).toBe(true);
    expect(strictly(api.cluster).safeParse({ ...c, secret: 'x' }).success).toBe(false);
    const s = { ...c, playing: null, health: null };
    expect(strictly(api.hubStatus).safeParse({ hub: { version: '1', startedAt: 1 }, clusters: [s], alarms: [] }).success).toBe(true);
    expect(strictly(api.hubStatus).safeParse({ hub: { version: '1', startedAt: 1 }, clusters: [{ ...s, extra: 1 }], alarms: [] }).success).toBe(false);
    expect(strictly(api.hubStatus).safeParse({ hub: { version: '1', startedAt: 1 }, clusters: [{ ...s, lastSeenAt: undefined }], alarms: [] }).success).toBe(
      false,
    );
  });
});

describe('the hub answers as declared', () => {
  let t: TestHub;
  const tmp = makeTempDir();
  let box: MqttClient;
  let broadcastId: string;

  beforeAll(async () => {
    t = await startTestHub({ config: { dispatch: { leadMs: 300, commandTtlMs: 2000, finishGraceMs: 500 } } });
    const added = await t.api<unknown>('POST', '/api/v1/clusters', { id: 'ban-a', name: 'Bản A', village: 'Bản A' });
    expect(added.status).toBe(201);
    expectDeclared(api.clusterAdded, added.body, 'POST /api/v1/clusters');
    box = (await scriptedBox(t.addresses.mqttUrl, 'ban-a', (added.body as api.ClusterAdded).secret)).client;
    await waitFor(async () => (await t.api<{ clusters: api.Cluster[] }>('GET', '/api/v1/clusters')).body.clusters[0]?.online === true);
    const wav = makeTone(join(tmp.path, 'tone.wav'), 1);
    const up = await t.api<unknown>('POST', '/api/v1/media?name=tone&filename=tone.wav', readFileSync(wav), { headers: { accept: 'application/json' } });
    expect(up.status).toBe(201);
    expectDeclared(api.mediaAdded, up.body, 'POST /api/v1/media');
    const play = await t.api<unknown>('POST', '/api/v1/broadcasts', { mediaId: (up.body as api.MediaAdded).media.id, clusters: ['ban-a'] });
    expect(play.status).toBe(201);
    expectDeclared(api.playAnswer, play.body, 'POST /api/v1/broadcasts');
    broadcastId = (play.body as api.PlayAnswer).broadcast.id;
    await waitFor(async () => (await t.api<api.BroadcastOne>('GET', `/api/v1/broadcasts/${broadcastId}`)).body.broadcast.targets[0]?.status === 'finished', {
      timeoutMs: 20_000,
      what: 'the box to finish',
    });
  });

  afterAll(async () => {
    box?.end(true);
    await t?.stop();
    tmp.remove();
  });

  const reads: [string, z.ZodType][] = [
    ['/api/v1/status', api.hubStatus],
    ['/api/v1/clusters', z.object({ clusters: z.array(api.cluster) })],
    ['/api/v1/clusters/ban-a', z.object({ cluster: api.clusterStatus, hubKeys: z.array(z.string()) })],
    ['/api/v1/media', z.object({ media: z.array(api.media) })],
    ['/api/v1/broadcasts', api.broadcastList],
    ['/api/v1/log', api.logList],
    ['/api/v1/tokens', z.object({ tokens: z.array(api.token) })],
    ['/api/v1/alarms?all=1', api.alarmList],
    ['/api/v1/alarms/events', api.eventList],
    ['/api/v1/emergency', z.object({ active: z.array(api.emergency) })],
    ['/api/v1/plan?date=2026-12-02', api.planAnswer],
    ['/api/v1/cameras', z.object({ cameras: z.array(api.cameraView) })],
    ['/api/v1/live', api.liveList],
  ];

  it.each(reads)('GET %s', async (path, schema) => {
    const r = await t.api<unknown>('GET', path);
    expect(r.status, path).toBe(200);
    expectDeclared(schema, r.body, path);
  });

  it('GET /api/v1/broadcasts/{id}, the report, and the media item with its usage', async () => {
    const b = await t.api<unknown>('GET', `/api/v1/broadcasts/${broadcastId}`);
    expectDeclared(api.broadcastOne, b.body, 'broadcast');
    const month = new Date(Date.now()).toISOString().slice(0, 7);
    const rep = await t.api<unknown>('GET', `/api/v1/report?month=${month}`);
    expect(rep.status).toBe(200);
    expectDeclared(api.reportAnswer, rep.body, 'report');
    const media = (await t.api<{ media: api.Media[] }>('GET', '/api/v1/media')).body.media[0]!;
    expectDeclared(api.mediaOne, (await t.api<unknown>('GET', `/api/v1/media/${media.id}`)).body, 'media item');
  });

  it('POST /api/v1/announcements (an uploaded recording): the broadcast and its targets as declared', async () => {
    const wav = makeTone(join(tmp.path, 'spoken.wav'), 1, 660);
    const r = await t.api<unknown>('POST', '/api/v1/announcements?clusters=ban-a&filename=spoken.wav', readFileSync(wav), {
      headers: { accept: 'application/json' },
    });
    expect(r.status).toBe(201);
    expect((r.body as api.AnnounceAnswer).broadcast?.targets.map((x) => x.clusterId)).toEqual(['ban-a']);
    expectDeclared(api.announceAnswer, r.body, 'POST /api/v1/announcements');
  });
});

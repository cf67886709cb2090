// The hub's HTTP API end to end: real hub, real SQLite, real ffmpeg import, real MQTT devices
// scripted in the test to answer like a box (the simulator and loa-edge have their own suites).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterTopic } from '../protocol/index.js';
import { makeTone } from './helpers/audio.js';
import { startTestHub, waitFor, type TestHub } from './helpers/hub.js';
import { connectDevice } from './helpers/mqtt.js';
import { scriptedBox as connectScriptedBox } from './helpers/scripted-box.js';
import { makeTempDir } from './helpers/tmp.js';

let t: TestHub;
const tmp = makeTempDir();
let mediaId: string;
const clients: MqttClient[] = [];

/** A scripted box (tests/helpers/scripted-box.ts), closed after the file. */
async function scriptedBox(id: string, secret: string, opts: { finish?: boolean } = {}) {
  const box = await connectScriptedBox(t.addresses.mqttUrl, id, secret, opts);
  clients.push(box.client);
  return box;
}

beforeAll(async () => {
  t = await startTestHub({ config: { dispatch: { leadMs: 300, commandTtlMs: 2000, finishGraceMs: 500 } } });
});

afterAll(async () => {
  for (const c of clients) c.end(true);
  await t.stop();
  tmp.remove();
});

describe('tokens and health', () => {
  it('serves /healthz and /metrics without a token, and nothing else', async () => {
    expect((await t.api('GET', '/healthz', undefined, { token: null })).status).toBe(200);
    const m = await t.api<string>('GET', '/metrics', undefined, { token: null });
    expect(m.status).toBe(200);
    expect(m.body).toContain('loa_clusters');
    for (const path of ['/api/v1/status', '/api/v1/clusters', '/api/v1/media', '/api/v1/broadcasts', '/api/v1/log', '/api/v1/tokens']) {
      const r = await t.api<{ error: { code: string } }>('GET', path, undefined, { token: null });
      expect(r.status, path).toBe(401);
      expect(r.body.error.code).toBe('LOA_UNAUTHENTICATED');
      expect((await t.api('GET', path, undefined, { token: 'loa_wrong' })).status, path).toBe(401);
    }
  });

  it('lets a police token read nothing of the radio', async () => {
    const r = await t.api<{ secret: string }>('POST', '/api/v1/tokens', { role: 'police', name: 'post' });
    expect(r.status).toBe(201);
    const police = r.body.secret;
    for (const [method, path] of [
      ['GET', '/api/v1/clusters'],
      ['POST', '/api/v1/clusters'],
      ['GET', '/api/v1/tokens'],
      ['POST', '/api/v1/broadcasts'],
    ] as const) {
      const x = await t.api<{ error: { code: string } }>(method, path, method === 'POST' ? {} : undefined, { token: police });
      expect(x.status, `${method} ${path}`).toBe(403);
      expect(x.body.error.code).toBe('LOA_FORBIDDEN');
    }
  });
});

describe('clusters', () => {
  it('adds, lists, shows and refuses bad or duplicate ids', async () => {
    const r = await t.api<{ cluster: { id: string; village: string }; secret: string }>('POST', '/api/v1/clusters', {
      id: 'ban-muong',
      name: 'Bản Mường 1',
      village: 'Bản Mường',
    });
    expect(r.status).toBe(201);
    expect(r.body.secret.length).toBeGreaterThanOrEqual(24);
    expect(r.body.cluster.village).toBe('Bản Mường');
    expect((await t.api('POST', '/api/v1/clusters', { id: 'ban-muong' })).status).toBe(409);
    const bad = await t.api<{ error: { code: string; message: string } }>('POST', '/api/v1/clusters', { id: 'Bản/#' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('LOA_BAD_CLUSTER_ID');
    const list = await t.api<{ clusters: { id: string }[] }>('GET', '/api/v1/clusters');
    expect(list.body.clusters.map((c) => c.id)).toContain('ban-muong');
    expect(JSON.stringify(list.body)).not.toContain(r.body.secret);
    expect((await t.api('GET', '/api/v1/clusters/nope')).status).toBe(404);
  });

  it('rotates a secret: the old one stops working, the new one works', async () => {
    const { secret: old } = await t.addCluster('ban-rot');
    const r = await t.api<{ secret: string }>('POST', '/api/v1/clusters/ban-rot/rotate-secret');
    expect(r.status).toBe(200);
    await expect(connectDevice(t.addresses.mqttUrl, 'ban-rot', old)).rejects.toThrow();
    const c = await connectDevice(t.addresses.mqttUrl, 'ban-rot', r.body.secret);
    c.end(true);
  });
});

describe('media', () => {
  it('imports an upload and serves it to clusters only, with Range', async () => {
    const wav = makeTone(join(tmp.path, 'tone.wav'), 1);
    const up = await t.api<{ media: { id: string; durationMs: number; format: string; bytes: number } }>(
      'POST',
      '/api/v1/media?name=tone&filename=tone.wav',
      readFileSync(wav),
      {
        headers: { accept: 'application/json' },
      },
    );
    expect(up.status).toBe(201);
    expect(up.body.media.format).toBe('ogg/opus');
    expect(Math.abs(up.body.media.durationMs - 1000)).toBeLessThan(100);
    mediaId = up.body.media.id;

    const { secret } = await t.addCluster('ban-media');
    const url = `${t.addresses.httpUrl}/api/v1/media/${mediaId}/content`;
    const basic = `Basic ${Buffer.from(`ban-media:${secret}`).toString('base64')}`;
    const full = await fetch(url, { headers: { authorization: basic } });
    expect(full.status).toBe(200);
    const bytes = Buffer.from(await full.arrayBuffer());
    expect(bytes.length).toBe(up.body.media.bytes);
    expect(bytes.subarray(0, 4).toString()).toBe('OggS');
    const part = await fetch(url, { headers: { authorization: basic, range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(100, 200));

    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${t.token}` } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Basic ${Buffer.from('ban-media:wrong').toString('base64')}` } })).status).toBe(401);
  });

  it('streams progress as NDJSON and reports a non-audio upload as an error line', async () => {
    const res = await fetch(`${t.addresses.httpUrl}/api/v1/media?name=junk`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.token}`, accept: 'application/x-ndjson', 'content-type': 'application/octet-stream' },
      body: Buffer.from('this is not audio at all\n'.repeat(100)),
    });
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; error?: { code: string } });
    expect(lines.at(-1)?.event).toBe('error');
    expect(lines.at(-1)?.error?.code).toMatch(/^LOA_MEDIA_/);
    const list = await t.api<{ media: { name: string }[] }>('GET', '/api/v1/media');
    expect(list.body.media.map((m) => m.name)).not.toContain('junk');
  });
});

describe('broadcasts', () => {
  it('plays on chosen clusters and records started and finished per cluster, offline for a box that is away', async () => {
    const one = await t.addCluster('ban-one');
    const two = await t.addCluster('ban-two');
    await t.addCluster('ban-away');
    const b1 = await scriptedBox(one.id, one.secret);
    const b2 = await scriptedBox(two.id, two.secret);
    await waitFor(() => t.hub.store.clusters.get('ban-two')?.online, { what: 'ban-two online' });
    const r = await t.api<{ broadcast: { id: string; startAt: number } }>('POST', '/api/v1/broadcasts', {
      mediaId,
      clusters: ['ban-one', 'ban-two', 'ban-away'],
    });
    expect(r.status).toBe(201);
    const id = r.body.broadcast.id;
    const done = await waitFor(
      async () => {
        const b = await t.api<{
          broadcast: { status: string; targets: { clusterId: string; status: string; startedAt: number | null; finishedAt: number | null }[] };
        }>('GET', `/api/v1/broadcasts/${id}`);
        return b.body.broadcast.status === 'done' ? b.body.broadcast : null;
      },
      { what: 'broadcast done' },
    );
    const byId = Object.fromEntries(done.targets.map((x) => [x.clusterId, x]));
    expect(byId['ban-one']?.status).toBe('finished');
    expect(byId['ban-two']?.status).toBe('finished');
    expect(byId['ban-away']?.status).toBe('offline');
    expect(byId['ban-one']!.finishedAt!).toBeGreaterThanOrEqual(byId['ban-one']!.startedAt!);
    // Each command carried the start time, an expiry after it, and increasing sequence numbers.
    const cmd = b1.received.find((c) => c.type === 'play')!;
    expect(cmd.type === 'play' && cmd.startAt).toBe(r.body.broadcast.startAt);
    expect(cmd.expiresAt).toBeGreaterThan(r.body.broadcast.startAt);
    expect(b2.received.length).toBe(1);

    const log = await t.api<{ entries: { clusterId: string; status: string; playedMs: number | null }[] }>('GET', '/api/v1/log?cluster=ban-one');
    expect(log.body.entries.map((e) => e.status)).toEqual(['finished']);
    expect(log.body.entries[0]!.playedMs).toBeGreaterThan(0);
  });

  it('gives up on a box that never answers (expired) and stops a running broadcast', async () => {
    const silent = await t.addCluster('ban-silent');
    const runner = await t.addCluster('ban-runner');
    const s = await connectDevice(t.addresses.mqttUrl, silent.id, silent.secret);
    clients.push(s);
    await s.subscribeAsync(clusterTopic(silent.id, 'cmd'), { qos: 1 });
    await s.publishAsync(clusterTopic(silent.id, 'presence'), JSON.stringify({ v: 1, status: 'online' }), { qos: 1, retain: true });
    const box = await scriptedBox(runner.id, runner.secret, { finish: false });
    await waitFor(() => t.hub.store.clusters.get('ban-silent')?.online, { what: 'ban-silent online' });
    const r = await t.api<{ broadcast: { id: string } }>('POST', '/api/v1/broadcasts', { mediaId, clusters: ['ban-silent', 'ban-runner'] });
    const id = r.body.broadcast.id;
    await waitFor(() => t.hub.store.broadcasts.target(id, 'ban-runner')?.status === 'started', { what: 'runner started' });
    // Media on air may not be removed.
    const busy = await t.api<{ error: { code: string } }>('DELETE', `/api/v1/media/${mediaId}`);
    expect(busy.status).toBe(409);
    expect(busy.body.error.code).toBe('LOA_MEDIA_IN_USE');
    const stop = await t.api<{ stopped: { clusterId: string }[] }>('POST', '/api/v1/broadcasts/stop', { clusters: ['ban-runner'] });
    expect(stop.body.stopped.map((x) => x.clusterId)).toEqual(['ban-runner']);
    await waitFor(() => t.hub.store.broadcasts.target(id, 'ban-runner')?.status === 'stopped', { what: 'runner stopped' });
    expect(box.received.map((c) => c.type)).toEqual(['play', 'stop']);
    const expired = await waitFor(
      () => {
        const x = t.hub.store.broadcasts.target(id, 'ban-silent');
        return x?.status === 'expired' ? x : null;
      },
      { what: 'silent expired', timeoutMs: 8000 },
    );
    expect(expired.reason).toBe('no-answer');
  });

  it('refuses unknown media, unknown clusters and both --all and a list', async () => {
    expect((await t.api('POST', '/api/v1/broadcasts', { mediaId: 'f'.repeat(64), all: true })).status).toBe(404);
    expect((await t.api('POST', '/api/v1/broadcasts', { mediaId, clusters: ['ban-nope'] })).status).toBe(404);
    expect((await t.api('POST', '/api/v1/broadcasts', { mediaId, clusters: ['ban-one'], all: true })).status).toBe(400);
    expect((await t.api('POST', '/api/v1/broadcasts', { mediaId, clusters: 'ban-one' })).status).toBe(400);
  });
});

// POST /api/v1/announcements against a real hub: Vietnamese text read out by espeak-ng (with and
// without the chime) becomes library media and a broadcast or an emergency; an uploaded file the
// same without speech; police and viewer tokens are refused.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeToken } from './helpers/police-rig.js';
import { makeTone } from './helpers/audio.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { makeTempDir } from './helpers/tmp.js';
import { requireTool } from './helpers/tools.js';

const NOTICE = 'Thông báo: chiều nay 17 giờ họp dân tại nhà văn hoá bản.';
interface Answer {
  mediaId: string;
  media: { id: string; name: string; durationMs: number };
  broadcast?: { id: string; priority: string; mediaId: string; targets: { clusterId: string }[] };
  emergency?: { id: string; mediaId: string; clusters: string[] };
  error?: { code: string; message: string };
}

describe.runIf(requireTool('espeak-ng'))('POST /api/v1/announcements', () => {
  let t: TestHub;
  const tmp = makeTempDir('loa-announce-');
  beforeAll(async () => {
    t = await startTestHub();
    await t.addCluster('ban-a');
    await t.addCluster('ban-b');
  });
  afterAll(async () => {
    await t?.stop();
    tmp.remove();
  });

  it('reads the text out and broadcasts it on the chosen clusters; the chime adds its notes around it', async () => {
    const plain = await t.api<Answer>('POST', '/api/v1/announcements', { text: NOTICE, clusters: ['ban-a'] });
    expect(plain.status).toBe(201);
    expect(plain.body.media.name).toMatch(/^announce \d{4}-\d\d-\d\d \d\d:\d\d Thông báo: chiều nay 17 giờ họp dân tại…$/);
    expect(plain.body.media.durationMs).toBeGreaterThan(2000);
    expect(plain.body.media.durationMs).toBeLessThan(15_000);
    expect(plain.body.broadcast).toMatchObject({ mediaId: plain.body.mediaId, targets: [{ clusterId: 'ban-a' }] });
    const listed = await t.api<{ broadcasts: { id: string }[] }>('GET', '/api/v1/broadcasts');
    expect(listed.body.broadcasts.map((b) => b.id)).toContain(plain.body.broadcast!.id);

    const chimed = await t.api<Answer>('POST', '/api/v1/announcements', { text: NOTICE, all: true, chime: true });
    expect(chimed.status, JSON.stringify(chimed.body)).toBe(201);
    // Two chimes of ~1.45 s each.
    expect(chimed.body.media.durationMs - plain.body.media.durationMs).toBeGreaterThan(2500);
    expect(chimed.body.broadcast!.targets.map((x) => x.clusterId).sort()).toEqual(['ban-a', 'ban-b']);
    // The chime is made once and cached in the data dir.
    expect(readFileSync(join(t.dataDir, 'announce', 'chime-v1.wav')).length).toBeGreaterThan(10_000);
  });

  it('starts an emergency with emergency: true', async () => {
    const r = await t.api<Answer>('POST', '/api/v1/announcements', { text: 'Cảnh báo lũ quét.', all: true, emergency: true });
    expect(r.status).toBe(201);
    expect(r.body.broadcast).toBeUndefined();
    expect(r.body.emergency).toMatchObject({ mediaId: r.body.mediaId, clusters: ['ban-a', 'ban-b'] });
    const active = await t.api<{ active: { id: string }[] }>('GET', '/api/v1/emergency');
    expect(active.body.active.map((e) => e.id)).toContain(r.body.emergency!.id);
    await t.api('POST', '/api/v1/emergency/stop', {});
  });

  it('plays an uploaded file, as plain JSON or with NDJSON progress', async () => {
    const wav = readFileSync(makeTone(join(tmp.path, 'loa.wav'), 2));
    const r = await t.api<Answer>('POST', '/api/v1/announcements?filename=loa.wav&clusters=ban-b', wav);
    expect(r.status).toBe(201);
    expect(r.body.media.name).toMatch(/ loa\.wav$/);
    expect(r.body.media.durationMs).toBeGreaterThan(1800);
    expect(r.body.broadcast!.targets.map((x) => x.clusterId)).toEqual(['ban-b']);

    const s = await t.api<string>('POST', '/api/v1/announcements?filename=loa.wav&all=1&chime=1', wav, { headers: { accept: 'application/x-ndjson' } });
    expect(s.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = s.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string } & Answer);
    expect(lines.some((l) => l.event === 'progress')).toBe(true);
    const done = lines.at(-1)!;
    expect(done.event).toBe('done');
    expect(done.media.durationMs).toBeGreaterThan(4500);
    expect(done.broadcast!.targets).toHaveLength(2);
  });

  it('refuses bad requests before any speech is made', async () => {
    const empty = await t.api<Answer>('POST', '/api/v1/announcements', { text: '  ', all: true });
    expect([empty.status, empty.body.error?.code]).toEqual([400, 'LOA_TTS_EMPTY']);
    const unknown = await t.api<Answer>('POST', '/api/v1/announcements', { text: 'xin chào', clusters: ['ban-z'] });
    expect([unknown.status, unknown.body.error?.code]).toEqual([404, 'LOA_UNKNOWN_TARGET']);
    const neither = await t.api<Answer>('POST', '/api/v1/announcements', { text: 'xin chào' });
    expect(neither.status).toBe(400);
    const voice = await t.api<Answer>('POST', '/api/v1/announcements', { text: 'xin chào', all: true, voice: 'zz-none' });
    expect([voice.status, voice.body.error?.code]).toEqual([400, 'LOA_TTS_UNKNOWN_VOICE']);
  });

  it('reads a schedule text out once per provider, voice and text (the tts: building block)', async () => {
    const a = await t.hub.announce.speechMedia('Chương trình phát thanh buổi sáng.');
    expect(a.name).toBe('tts Chương trình phát thanh buổi sáng.');
    expect(a.durationMs).toBeGreaterThan(1000);
    const cacheFile = join(t.dataDir, 'announce', 'tts-cache.json');
    const cache = JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, string>;
    expect(Object.values(cache)).toEqual([a.id]);
    // Point the entry at other media: a second call must take it from the cache, not synthesise.
    const other = (await t.api<{ media: { id: string }[] }>('GET', '/api/v1/media')).body.media.find((m) => m.id !== a.id)!;
    writeFileSync(cacheFile, JSON.stringify({ [Object.keys(cache)[0]!]: other.id }));
    expect((await t.hub.announce.speechMedia('  Chương trình phát thanh buổi sáng. ')).id).toBe(other.id);
    // Another voice is another entry, not the cached one (this one does not exist).
    await expect(t.hub.announce.speechMedia('Chương trình phát thanh buổi sáng.', 'zz-none')).rejects.toMatchObject({ code: 'LOA_TTS_UNKNOWN_VOICE' });
  });

  it('refuses police and viewer tokens, and no token', async () => {
    for (const role of ['police', 'viewer'] as const) {
      const token = await makeToken(t, role);
      const r = await t.api<Answer>('POST', '/api/v1/announcements', { text: NOTICE, all: true }, { token });
      expect(r.status, role).toBe(403);
    }
    expect((await t.api('POST', '/api/v1/announcements', { text: NOTICE, all: true }, { token: null })).status).toBe(401);
    const media = await t.api<{ media: { name: string }[] }>('GET', '/api/v1/media');
    expect(media.body.media.filter((m) => m.name.startsWith('announce'))).toHaveLength(5);
  });
});

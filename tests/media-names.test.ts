// Media names in the library (issue 13, items 1 and 2), with the real hub, the real `loa` CLI as a
// child process, real ffmpeg imports and a real schedule in force: a name is taken once (reusing
// it is refused, or replaces the item with --replace), the same audio under a second name is
// refused naming the first, and media a schedule or a broadcast uses is not removed without
// --force, after which it is never resolved again.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTone } from './helpers/audio.js';
import { spawnLoa, type LoaRun } from './helpers/cli-run.js';
import { startTestHub, waitFor, type TestHub } from './helpers/hub.js';
import { scriptedBox } from './helpers/scripted-box.js';
import { makeTempDir } from './helpers/tmp.js';

let t: TestHub;
const tmp = makeTempDir('loa-media-names-');
const loa = (args: string[], lang = 'en'): Promise<LoaRun> => spawnLoa(['--data-dir', t.dataDir, ...args], { cwd: tmp.path, env: { LOA_LANG: lang } });
let box: { id: string; secret: string };
const boxes: MqttClient[] = [];

interface MediaJson {
  id: string;
  name: string;
}
interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}
interface PlanBody {
  entries: { programmeId: string; item: { kind: string; media?: string }; mediaId: string | null }[];
}

let tones = 0;
/** A WAV of its own (a different pitch each time, so a different media id). */
function tone(file: string, seconds = 1): string {
  tones += 1;
  return makeTone(join(tmp.path, file), seconds, 300 + tones * 37);
}

async function add(file: string, name: string, extra: string[] = []): Promise<MediaJson> {
  const r = await loa(['media', 'add', file, '--name', name, '--json', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { media: MediaJson }).media;
}

const PLAN_DATE = '2030-03-04';

/** Puts a schedule in force whose one daily programme plays `items` in the morning slot. */
async function applySchedule(items: string[], programme = { id: 'buoi-sang', name: 'Chương trình buổi sáng' }): Promise<string> {
  const file = join(tmp.path, 'schedule.yaml');
  writeFileSync(
    file,
    [
      'site: xa-thu',
      'slots:',
      '  sang: { start: "05:00", end: "07:30" }',
      'programmes:',
      `  - id: ${programme.id}`,
      `    name: ${programme.name}`,
      '    slot: sang',
      '    zones: [all]',
      `    items: [${items.join(', ')}]`,
      '',
    ].join('\n'),
  );
  const r = await loa(['schedule', 'apply', file]);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return file;
}

const plan = async (): Promise<PlanBody['entries']> => (await t.api<PlanBody>('GET', `/api/v1/plan?date=${PLAN_DATE}`)).body.entries;

/** What a box gets for a media id's content: 200 while the hub serves it, 404 once it is gone. */
async function contentStatus(id: string): Promise<number> {
  const res = await fetch(`${t.addresses.httpUrl}/api/v1/media/${id}/content`, {
    headers: { authorization: `Basic ${Buffer.from(`${box.id}:${box.secret}`).toString('base64')}` },
  });
  await res.arrayBuffer();
  return res.status;
}

beforeAll(async () => {
  t = await startTestHub();
  box = await t.addCluster('ban-thu');
});
afterAll(async () => {
  for (const b of boxes) b.end(true);
  await t.stop();
  tmp.remove();
});

describe('a media name is taken once', () => {
  it('refuses a second item under a name in use, on the CLI (both languages) and the API', async () => {
    const first = await add(tone('tin-xa-1.wav'), 'tin-xa');
    const second = tone('tin-xa-2.wav');
    const r = await loa(['media', 'add', second, '--name', 'tin-xa']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/"tin-xa" is already in the library/);
    expect(r.stderr).toContain('--replace');
    expect(r.stderr).toContain('LOA_MEDIA_NAME_TAKEN');
    const vi = await loa(['media', 'add', second, '--name', 'tin-xa'], 'vi');
    expect(vi.code).toBe(1);
    expect(vi.stderr).toMatch(/^lỗi: thư viện đã có tệp âm thanh tên "tin-xa"/m);

    // An API client (the web console) gets the same refusal, before the upload is even read.
    const api = await t.api<ErrorBody>('POST', '/api/v1/media?name=tin-xa&filename=x.wav', Buffer.from('not even audio'), {
      headers: { accept: 'application/json' },
    });
    expect(api.status).toBe(409);
    expect(api.body.error.code).toBe('LOA_MEDIA_NAME_TAKEN');
    expect(api.body.error.details).toMatchObject({ name: 'tin-xa', existing: { id: first.id, name: 'tin-xa' } });

    const list = await t.api<{ media: MediaJson[] }>('GET', '/api/v1/media');
    expect(list.body.media.filter((m) => m.name === 'tin-xa').map((m) => m.id)).toEqual([first.id]);
  });

  it('takes names as people type them: surrounding spaces and Unicode forms do not make a new name', async () => {
    const nfc = 'Bản tin sáng';
    const m = await add(tone('ban-tin.wav'), nfc);
    expect(m.name).toBe(nfc);
    // The same words as a Mac writes them in a file name (decomposed), with a stray space.
    const nfd = ` ${nfc.normalize('NFD')} `;
    const r = await loa(['media', 'add', tone('ban-tin-2.wav'), '--name', nfd]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('LOA_MEDIA_NAME_TAKEN');
    const blank = await t.api<ErrorBody>('POST', '/api/v1/media?name=%20%20', Buffer.from('x'), { headers: { accept: 'application/json' } });
    expect([blank.status, blank.body.error.code]).toEqual([400, 'LOA_BAD_REQUEST']);
    const control = await t.api<ErrorBody>('POST', '/api/v1/media?name=tin%0Axa', Buffer.from('x'), { headers: { accept: 'application/json' } });
    expect([control.status, control.body.error.code]).toEqual([400, 'LOA_BAD_REQUEST']);
  });

  it('--replace puts new audio under the name: the schedule in force plays it and boxes fetch the new id', async () => {
    const old = await add(tone('quoc-ca-1.wav'), 'quoc-ca-r');
    await applySchedule(['quoc-ca-r']);
    expect((await plan()).map((e) => e.mediaId)).toEqual([old.id]);

    const r = await loa(['media', 'add', tone('quoc-ca-2.wav', 2), '--name', 'quoc-ca-r', '--replace', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const body = JSON.parse(r.stdout) as { media: MediaJson; replaced: MediaJson | null };
    expect(body.replaced?.id).toBe(old.id);
    expect(body.media.id).not.toBe(old.id);
    expect(body.media.name).toBe('quoc-ca-r');
    expect((await plan()).map((e) => e.mediaId)).toEqual([body.media.id]);
    // Nothing plays the old audio any more: its file is gone, the new one is served.
    expect(await contentStatus(old.id)).toBe(404);
    expect(await contentStatus(body.media.id)).toBe(200);
    const human = await loa(['media', 'add', tone('quoc-ca-3.wav'), '--name', 'quoc-ca-r', '--replace']);
    expect(human.stdout).toMatch(/Media "quoc-ca-r" replaced/);
    const humanVi = await loa(['media', 'add', tone('quoc-ca-4.wav'), '--name', 'quoc-ca-r', '--replace'], 'vi');
    expect(humanVi.stdout).toMatch(/Đã thay tệp âm thanh "quoc-ca-r"/);

    // --replace of a name nobody has is a typo, not a new item.
    const typo = await loa(['media', 'add', tone('typo.wav'), '--name', 'quoc-ca-rr', '--replace']);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(/no media named "quoc-ca-rr" to replace/);
    expect((await t.api<{ media: MediaJson[] }>('GET', '/api/v1/media')).body.media.map((m) => m.name)).not.toContain('quoc-ca-rr');
  });
});

describe('worst input at the names interface', () => {
  it('refuses bad flags and names with 400, and two uploads racing for one name leave one item and no stray file', async () => {
    for (const q of ['replace=yes', 'replace=', `name=${'x'.repeat(201)}`]) {
      const r = await t.api<ErrorBody>('POST', `/api/v1/media?${q}&filename=a.wav`, Buffer.from('x'), { headers: { accept: 'application/json' } });
      expect([q, r.status, r.body.error.code]).toEqual([q, 400, 'LOA_BAD_REQUEST']);
    }
    const some = await add(tone('co.wav'), 'co');
    expect((await t.api<ErrorBody>('DELETE', `/api/v1/media/${some.id}?force=perhaps`)).status).toBe(400);
    expect((await t.api<ErrorBody>('DELETE', `/api/v1/media/${'0'.repeat(64)}?force=1`)).status).toBe(404);
    // What uses an item is part of its record, for the web console.
    expect((await t.api<{ usage: unknown }>('GET', `/api/v1/media/${some.id}`)).body.usage).toEqual({ programmes: [], broadcasts: [], emergencies: [] });

    const [a, b] = [tone('race-a.wav', 1.5), tone('race-b.wav', 1.5)];
    const post = (f: string) =>
      t.api<{ media?: MediaJson } & Partial<ErrorBody>>('POST', '/api/v1/media?name=dua&filename=race.wav', readFileSync(f), {
        headers: { accept: 'application/json' },
      });
    const answers = await Promise.all([post(a), post(b)]);
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(answers.find((r) => r.status === 409)?.body.error?.code).toBe('LOA_MEDIA_NAME_TAKEN');
    // Every stored file belongs to an item in the library: the loser's audio was not left behind.
    const listed = new Set((await t.api<{ media: MediaJson[] }>('GET', '/api/v1/media')).body.media.map((m) => `${m.id}.ogg`));
    expect(
      readdirSync(join(t.dataDir, 'media'))
        .filter((f) => f.endsWith('.ogg'))
        .filter((f) => !listed.has(f)),
    ).toEqual([]);
  });

  it('the hub\'s own imports never collide: a second name gets " (2)", the same audio gives the item there', async () => {
    const first = await t.hub.media.import({ inputPath: tone('tb-1.wav'), name: 'announce 05:00 Thông báo', originalName: 'a.wav' });
    const file = tone('tb-2.wav');
    const second = await t.hub.media.import({ inputPath: file, name: 'announce 05:00 Thông báo', originalName: 'b.wav' });
    expect([first.name, second.name]).toEqual(['announce 05:00 Thông báo', 'announce 05:00 Thông báo (2)']);
    expect((await t.hub.media.import({ inputPath: file, name: 'other', originalName: 'c.wav' })).id).toBe(second.id);
  });
});

describe('the same audio under a new name', () => {
  it('is refused, naming the item it already is; --replace with the same audio changes nothing', async () => {
    const file = tone('quoc-ca.wav');
    const first = await add(file, 'quoc-ca');
    const copy = join(tmp.path, 'x.wav');
    writeFileSync(copy, readFileSync(file));
    const r = await loa(['media', 'add', copy, '--name', 'tin-xa-moi']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/x\.wav: this audio is already in the library as "quoc-ca"/);
    expect(r.stderr).toContain('LOA_MEDIA_DUPLICATE');
    expect(r.stdout).not.toMatch(/imported/);
    const vi = await loa(['media', 'add', copy, '--name', 'tin-xa-moi'], 'vi');
    expect(vi.stderr).toMatch(/đã có trong thư viện với tên "quoc-ca"/);
    const api = await t.api<ErrorBody>('POST', '/api/v1/media?name=tin-xa-moi&filename=x.wav', readFileSync(copy), { headers: { accept: 'application/json' } });
    expect([api.status, api.body.error.code]).toEqual([409, 'LOA_MEDIA_DUPLICATE']);
    expect(api.body.error.details).toMatchObject({ existing: { id: first.id, name: 'quoc-ca' } });
    const names = (await t.api<{ media: MediaJson[] }>('GET', '/api/v1/media')).body.media.map((m) => m.name);
    expect(names).toContain('quoc-ca');
    expect(names).not.toContain('tin-xa-moi');

    // The name is taken, even by the same audio; --replace with the same audio changes nothing.
    expect((await loa(['media', 'add', copy, '--name', 'quoc-ca'])).stderr).toContain('LOA_MEDIA_NAME_TAKEN');
    const again = await loa(['media', 'add', copy, '--name', 'quoc-ca', '--replace']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/Media "quoc-ca" is already in the library with this audio; nothing changed/);
    const againJson = await loa(['media', 'add', copy, '--name', 'quoc-ca', '--replace', '--json']);
    expect(JSON.parse(againJson.stdout)).toMatchObject({ media: { id: first.id, name: 'quoc-ca' }, replaced: null, unchanged: true });
    expect(await contentStatus(first.id)).toBe(200);
  });
});

describe('removing media in use', () => {
  it('is refused while the schedule in force plays it, naming the programme; --force removes it and the item is silent', async () => {
    const m = await add(tone('nhac-hieu.wav'), 'nhac-hieu');
    await applySchedule(['nhac-hieu'], { id: 'nhac-sang', name: 'Nhạc hiệu buổi sáng' });

    const r = await loa(['media', 'remove', 'nhac-hieu']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('LOA_MEDIA_IN_USE');
    expect(r.stderr).toContain('nhac-sang');
    expect(r.stderr).toContain('--force');
    const vi = await loa(['media', 'remove', 'nhac-hieu'], 'vi');
    expect(vi.stderr).toMatch(/^lỗi: .*đang được dùng.*nhac-sang/m);
    const api = await t.api<ErrorBody>('DELETE', `/api/v1/media/${m.id}`);
    expect(api.status).toBe(409);
    expect(api.body.error.details).toMatchObject({ programmes: [{ id: 'nhac-sang', name: 'Nhạc hiệu buổi sáng' }], broadcasts: [], emergencies: [] });
    expect(await contentStatus(m.id)).toBe(200);

    const forced = await loa(['media', 'remove', 'nhac-hieu', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/warning: .*nhac-sang/);
    // Never resolved again: the item keeps its place in the plan but plays nothing.
    const entries = await plan();
    expect(entries.map((e) => [e.item.media, e.mediaId])).toEqual([['nhac-hieu', null]]);
    expect(await contentStatus(m.id)).toBe(404);
    const shown = await loa(['schedule', 'plan', '--date', PLAN_DATE]);
    expect(shown.stdout).toMatch(/nhac-hieu \(removed/);
  });

  it('a removed name is not resolved even when an older item had it (the field trial)', async () => {
    const a = await add(tone('tin-a.wav'), 'tin-thon');
    const b = await add(tone('tin-b.wav'), 'tin-thon', ['--replace']);
    const file = await applySchedule(['tin-thon']);
    expect((await plan()).map((e) => e.mediaId)).toEqual([b.id]);
    expect((await loa(['media', 'remove', 'tin-thon', '--force'])).code).toBe(0);
    expect((await plan()).map((e) => e.mediaId)).toEqual([null]);
    // Applying the file again is refused: it names media the library no longer has.
    const again = await loa(['schedule', 'apply', file]);
    expect(again.code).toBe(1);
    expect(again.stdout + again.stderr).toContain('SCHEDULE_UNKNOWN_MEDIA');
    expect([a.id, b.id]).not.toContain((await plan())[0]!.mediaId);
  });
});

describe('media on air', () => {
  it('--replace lets a running broadcast end on the old audio, served until then; --force stops one', async () => {
    const on = await scriptedBox(t.addresses.mqttUrl, box.id, box.secret, { finish: false });
    boxes.push(on.client);
    await waitFor(() => t.hub.store.clusters.get(box.id)?.online, { what: 'box online' });
    const old = await add(tone('keo-dai.wav'), 'thong-bao-chay');
    const play = await loa(['broadcast', 'play', '--media', 'thong-bao-chay', '--clusters', box.id, '--json']);
    expect(play.code, play.stderr).toBe(0);
    const broadcastId = (JSON.parse(play.stdout) as { broadcast: { id: string } }).broadcast.id;
    await waitFor(() => t.hub.store.broadcasts.target(broadcastId, box.id)?.status === 'started', { what: 'started' });

    const refused = await loa(['media', 'remove', 'thong-bao-chay']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(broadcastId);
    const api = await t.api<ErrorBody>('DELETE', `/api/v1/media/${old.id}`);
    expect(api.body.error.details).toMatchObject({ programmes: [], broadcasts: [{ id: broadcastId, kind: 'adhoc' }] });

    const replacing = await loa(['media', 'add', tone('moi.wav'), '--name', 'thong-bao-chay', '--replace']);
    expect(replacing.code, replacing.stderr).toBe(0);
    expect(replacing.stdout).toContain(`warning: broadcast(s) ${broadcastId} of the old audio, on air or due, play it to their end`);
    const next = (await t.api<{ media: MediaJson[] }>('GET', '/api/v1/media')).body.media.find((m) => m.name === 'thong-bao-chay')!;
    expect(next.id).not.toBe(old.id);
    // A box still fetching the broadcast's audio gets it; the box is not told anything new.
    expect(await contentStatus(old.id)).toBe(200);
    expect(on.received.map((c) => c.type)).toEqual(['play']);
    expect((await loa(['broadcast', 'stop', '--broadcast', broadcastId])).code).toBe(0);
    await waitFor(async () => (await contentStatus(old.id)) === 404, { what: 'old audio released' });
    expect(await contentStatus(next.id)).toBe(200);

    const again = await loa(['broadcast', 'play', '--media', 'thong-bao-chay', '--clusters', box.id, '--json']);
    const againId = (JSON.parse(again.stdout) as { broadcast: { id: string } }).broadcast.id;
    await waitFor(() => t.hub.store.broadcasts.target(againId, box.id)?.status === 'started', { what: 'started again' });
    const forced = await loa(['media', 'remove', 'thong-bao-chay', '--force', '--json']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ removed: next.id, stopped: [{ broadcastId: againId, clusterId: box.id }] });
    await waitFor(() => t.hub.store.broadcasts.target(againId, box.id)?.status === 'stopped', { what: 'stopped by the removal' });
    expect(on.received.map((c) => c.type)).toEqual(['play', 'stop', 'play', 'stop']);
    expect(await contentStatus(next.id)).toBe(404);
  });

  it('--force does not end an emergency: its audio stays until the emergency is stopped', async () => {
    const m = await add(tone('bao-dong.wav'), 'bao-dong');
    const e = await t.api<{ emergency: { id: string } }>('POST', '/api/v1/emergency', { mediaId: m.id, all: true, repeat: true });
    expect(e.status).toBe(201);
    const r = await loa(['media', 'remove', 'bao-dong', '--force']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('LOA_MEDIA_IN_USE');
    expect(r.stderr).toContain(e.body.emergency.id);
    expect(r.stderr).toContain('loa emergency stop');
    expect(await contentStatus(m.id)).toBe(200);
    expect((await loa(['emergency', 'stop'])).code).toBe(0);
    await waitFor(async () => (await loa(['media', 'remove', 'bao-dong', '--force'])).code === 0, { what: 'removed after the emergency' });
  });
});

// The schedule, plan, emergency and report routes of the real hub.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { local, MEDIA_LENGTHS, SCHEDULE_FILE, SITE } from './helpers/radio-day.js';

let t: TestHub;
const text = readFileSync(SCHEDULE_FILE, 'utf8');

beforeAll(async () => {
  t = await startTestHub();
  for (const c of SITE.clusters) await t.hub.clusters.add(c);
  for (const [name, durationMs] of Object.entries(MEDIA_LENGTHS)) {
    t.hub.store.media.upsert({
      id: createHash('sha256').update(name).digest('hex'),
      name,
      originalName: name,
      durationMs,
      bytes: 1000,
      format: 'ogg/opus',
      createdAt: Date.now(),
    });
  }
});
afterAll(() => t.stop());

describe('schedule routes', () => {
  it('validates without applying, with line and column for each problem, in Vietnamese on request', async () => {
    const broken = text.replace('- media: quoc-ca', '- media: quoc-caa').replace('start: "17:00"', 'start: "17:70"');
    const r = await t.api<{ ok: boolean; problems: { code: string; line: number; col: number; severity: string; message: string }[] }>(
      'POST',
      '/api/v1/schedules/validate',
      { text: broken, file: 'x.yaml' },
    );
    expect(r.status).toBe(200);
    expect(r.body.ok).toBe(false);
    const codes = r.body.problems.filter((p) => p.severity === 'error').map((p) => p.code);
    expect(codes).toEqual(expect.arrayContaining(['SCHEDULE_UNKNOWN_MEDIA', 'SCHEDULE_BAD_TIME']));
    const media = r.body.problems.find((p) => p.code === 'SCHEDULE_UNKNOWN_MEDIA')!;
    const lines = broken.split('\n');
    expect(lines[media.line - 1]!.slice(media.col - 1)).toMatch(/^quoc-caa/);
    const vi = await t.api<{ problems: { code: string; message: string }[] }>('POST', '/api/v1/schedules/validate', {
      text: broken,
      file: 'x.yaml',
      lang: 'vi',
    });
    expect(vi.body.problems.find((p) => p.code === 'SCHEDULE_UNKNOWN_MEDIA')!.message).not.toBe(media.message);
  });

  it('refuses to apply a file with errors (422, every problem) and keeps nothing', async () => {
    const r = await t.api<{ error: { code: string; details: unknown[] } }>('POST', '/api/v1/schedules', {
      text: text.replace('zones: [all]', 'zones: [nowhere]'),
      file: 'x.yaml',
    });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('LOA_SCHEDULE_INVALID');
    expect(r.body.error.details.length).toBeGreaterThan(0);
    expect((await t.api('GET', '/api/v1/schedules/current')).status).toBe(404);
  });

  it('dry-runs, applies as numbered versions, and shows the programmes in force', async () => {
    const dry = await t.api<{ version: number | null; changes: { added: string[] } }>('POST', '/api/v1/schedules?dryRun=1', { text, file: 'tu-le.yaml' });
    expect(dry.status).toBe(200);
    expect(dry.body.version).toBeNull();
    expect(dry.body.changes.added).toContain('quoc-ca-sang');
    expect((await t.api('GET', '/api/v1/schedules/current')).status).toBe(404);

    const v1 = await t.api<{ version: number }>('POST', '/api/v1/schedules', { text, file: 'tu-le.yaml' });
    expect(v1.status).toBe(201);
    const v2 = await t.api<{ version: number; changes: { added: string[]; changed: string[]; unchanged: string[] } }>('POST', '/api/v1/schedules', {
      text: text.replace('volume: 85', 'volume: 70'),
      file: 'tu-le.yaml',
    });
    expect(v2.body.version).toBe(v1.body.version + 1);
    expect(v2.body.changes.changed).toEqual(['tin-xa-chieu']);
    expect(v2.body.changes.added).toEqual([]);
    const cur = await t.api<{ schedule: { version: number; appliedBy: string; programmes: { id: string }[] } }>('GET', '/api/v1/schedules/current');
    expect(cur.body.schedule.version).toBe(v2.body.version);
    expect(cur.body.schedule.appliedBy).toBe('local operator');
    expect(cur.body.schedule.programmes.map((p) => p.id)).toContain('nhac-nen-chieu');
    const versions = await t.api<{ versions: { version: number }[] }>('GET', '/api/v1/schedules');
    expect(versions.body.versions.map((v) => v.version)).toEqual([v2.body.version, v1.body.version]);
  });

  it("expands a day's plan for one cluster in the site's time zone", async () => {
    const r = await t.api<{ timezone: string; entries: { clusterId: string; programmeId: string; startAt: number; volume: number | null }[] }>(
      'GET',
      '/api/v1/plan?date=2026-12-02&cluster=na-long-1',
    );
    expect(r.body.timezone).toBe('Asia/Ho_Chi_Minh');
    expect(r.body.entries.every((e) => e.clusterId === 'na-long-1')).toBe(true);
    expect(r.body.entries[0]).toMatchObject({ programmeId: 'quoc-ca-sang', startAt: local('2026-12-02', '05:00:00') });
    expect(r.body.entries.find((e) => e.programmeId === 'tin-xa-chieu')?.volume).toBe(70);
    expect((await t.api('GET', '/api/v1/plan?date=tomorrow')).status).toBe(400);
  });
});

describe('emergency routes', () => {
  it('starts on a zone, lists it, stops it; an unknown zone is refused', async () => {
    const mediaId = createHash('sha256').update('canh-bao').digest('hex');
    const bad = await t.api<{ error: { code: string } }>('POST', '/api/v1/emergency', { mediaId, zones: ['nowhere'] });
    expect(bad.status).toBe(404);
    expect(bad.body.error.code).toBe('LOA_UNKNOWN_TARGET');
    const r = await t.api<{ emergency: { id: string; clusters: string[] } }>('POST', '/api/v1/emergency', {
      mediaId,
      zones: ['na-long', 'bo-he'],
      repeat: true,
    });
    expect(r.status).toBe(201);
    expect(r.body.emergency.clusters).toEqual(['bo-he', 'na-long-1', 'na-long-2']);
    const active = await t.api<{ active: { id: string }[] }>('GET', '/api/v1/emergency');
    expect(active.body.active.map((e) => e.id)).toEqual([r.body.emergency.id]);
    const stop = await t.api<{ stopped: { id: string; stoppedBy: string }[] }>('POST', '/api/v1/emergency/stop', {});
    expect(stop.body.stopped.map((e) => e.id)).toEqual([r.body.emergency.id]);
    expect((await t.api<{ active: unknown[] }>('GET', '/api/v1/emergency')).body.active).toEqual([]);
  });

  it('lets no police token near the schedule or the emergency', async () => {
    const police = (await t.api<{ secret: string }>('POST', '/api/v1/tokens', { role: 'police', name: 'p' })).body.secret;
    for (const [m, p] of [
      ['POST', '/api/v1/emergency'],
      ['POST', '/api/v1/schedules'],
      ['GET', '/api/v1/plan?date=2026-12-02'],
      ['GET', '/api/v1/report?month=2026-11'],
    ] as const) {
      expect((await t.api(m, p, m === 'POST' ? {} : undefined, { token: police })).status, p).toBe(403);
    }
  });
});

describe('report route', () => {
  it('refuses a malformed month', async () => {
    expect((await t.api('GET', '/api/v1/report?month=2026-13')).status).toBe(400);
    expect((await t.api('GET', '/api/v1/report')).status).toBe(400);
  });
});

// `loa schedule validate|apply|show|plan` as the real `node bin/loa.js` against a real hub with the
// 12 Tú Lệ clusters and the media the Tú Lệ schedule names: problems with file:line:col, exit
// statuses, both languages, dry run, versions, the stored text, and a day's plan.
// The tests run in order on one hub: apply comes after the checks that need no schedule in force.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loaFor, startScheduleHub, TU_LE_CLUSTERS, TU_LE_SCHEDULE } from './helpers/cli-schedule-hub.js';
import type { LoaRun } from './helpers/cli-run.js';
import { spawnLoa } from './helpers/cli-run.js';
import type { TestHub } from './helpers/hub.js';
import { makeTempDir } from './helpers/tmp.js';

const REPO = process.cwd();
const PROGRAMMES = ['quoc-ca-sang', 'tin-xa-sang', 'nhac-nen-sang', 'tin-xa-chieu', 'phat-lai-ban-tin', 'nhac-nen-chieu', 'hop-dan-na-long'];

let t: TestHub;
let loa: (args: string[]) => Promise<LoaRun>;
let loaVi: (args: string[]) => Promise<LoaRun>;
const tmp = makeTempDir('loa-cli-schedule-');
const original = readFileSync(TU_LE_SCHEDULE, 'utf8');
// A broken copy: a media name the library does not have, and a slot starting at 25:00.
const broken = original.replace('- media: quoc-ca\n', '- media: quoc-caa\n').replace('sang:  { start: "05:00"', 'sang:  { start: "25:00"');
const brokenFile = join(tmp.path, 'lich-hong.yaml');

/** 1-based line and column of the first `needle` in `text`. */
function where(text: string, needle: string): { line: number; col: number } {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  return { line: i + 1, col: lines[i]!.indexOf(needle) + 1 };
}

beforeAll(async () => {
  t = await startScheduleHub();
  loa = loaFor(t, REPO);
  loaVi = loaFor(t, REPO, 'vi');
  writeFileSync(brokenFile, broken);
});
afterAll(async () => {
  await t.stop();
  tmp.remove();
});

describe('loa schedule validate', () => {
  test('the Tú Lệ file is clean: exit 0, no problem lines, a count and "can be applied"', async () => {
    const r = await loa(['schedule', 'validate', TU_LE_SCHEDULE]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('0 errors, 0 warnings');
    expect(r.stdout).toContain(`${TU_LE_SCHEDULE} can be applied (7 programmes)`);
    expect(r.stdout).not.toMatch(/:\d+:\d+: /);
  });

  test('a broken copy: exit 1, FILE:LINE:COL: error CODE lines sorted by line, and the count', async () => {
    const r = await loa(['schedule', 'validate', brokenFile]);
    expect(r.code).toBe(1);
    const time = where(broken, '"25:00"');
    const media = where(broken, 'quoc-caa');
    expect(r.stdout).toContain(`${brokenFile}:${time.line}:${time.col}: error SCHEDULE_BAD_TIME: "25:00" is not a time of day`);
    expect(r.stdout).toContain(`${brokenFile}:${media.line}:${media.col}: error SCHEDULE_UNKNOWN_MEDIA: there is no media named "quoc-caa"`);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith(`${brokenFile}:`));
    const numbers = lines.map((l) => Number(l.slice(brokenFile.length + 1).split(':')[0]));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(r.stdout).toMatch(new RegExp(`^${lines.length} errors, 0 warnings$`, 'm'));
    // The broken slot is reported once, at its time: not again for each programme in it.
    expect(lines).toHaveLength(2);
    expect(r.stdout).not.toContain('SCHEDULE_UNKNOWN_SLOT');
    expect(r.stdout).toContain('nothing of it can be applied');
  });

  test('--lang vi: Vietnamese severities, messages and summary', async () => {
    const r = await loa(['schedule', 'validate', brokenFile, '--lang', 'vi']);
    expect(r.code).toBe(1);
    const media = where(broken, 'quoc-caa');
    expect(r.stdout).toContain(`${brokenFile}:${media.line}:${media.col}: lỗi SCHEDULE_UNKNOWN_MEDIA: thư viện không có tệp âm thanh tên "quoc-caa"`);
    expect(r.stdout).toMatch(/lỗi SCHEDULE_BAD_TIME: "25:00" không phải giờ hợp lệ/);
    expect(r.stdout).toMatch(/^\d+ lỗi, 0 cảnh báo$/m);
    expect(r.stdout).toContain('phải sửa hết lỗi mới áp dụng được');
  });

  test("--json prints the hub's answer; the exit status still says whether it has errors", async () => {
    const r = await loa(['schedule', 'validate', brokenFile, '--json']);
    expect(r.code).toBe(1);
    const body = JSON.parse(r.stdout) as { ok: boolean; problems: Array<{ code: string; file: string }> };
    expect(body.ok).toBe(false);
    expect(body.problems.map((p) => p.code)).toEqual(expect.arrayContaining(['SCHEDULE_BAD_TIME', 'SCHEDULE_UNKNOWN_MEDIA']));
    expect(body.problems.every((p) => p.file === brokenFile)).toBe(true);
  });

  test('a missing file is one clear error before any request (the hub address here is dead)', async () => {
    const r = await spawnLoa(['--hub', 'http://127.0.0.1:9', '--token', 'x', 'schedule', 'validate', 'khong-co.yaml'], {
      cwd: tmp.path,
      env: { LOA_LANG: 'en' },
    });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot read khong-co\.yaml \(ENOENT\).*LOA_CLI_FILE_UNREADABLE/);
    const dir = await spawnLoa(['--hub', 'http://127.0.0.1:9', '--token', 'x', 'schedule', 'apply', '.'], { cwd: tmp.path, env: { LOA_LANG: 'en' } });
    expect(dir.stderr).toMatch(/LOA_CLI_NOT_A_FILE/);
  });
});

describe('loa schedule apply and show', () => {
  test('a file with errors is refused whole: every problem, exit 1, nothing in force', async () => {
    const r = await loa(['schedule', 'apply', brokenFile]);
    expect(r.code).toBe(1);
    const media = where(broken, 'quoc-caa');
    expect(r.stdout).toContain(`${brokenFile}:${media.line}:${media.col}: error SCHEDULE_UNKNOWN_MEDIA`);
    expect(r.stdout).toContain('SCHEDULE_BAD_TIME');
    expect(r.stdout).toContain('nothing was applied and the schedule in force is unchanged');
    const json = JSON.parse((await loa(['schedule', 'apply', brokenFile, '--json'])).stdout) as { error: { code: string; details: unknown[] } };
    expect(json.error.code).toBe('LOA_SCHEDULE_INVALID');
    expect(json.error.details.length).toBeGreaterThanOrEqual(2);
    expect(t.hub.store.schedules.versions()).toHaveLength(0);
  });

  test('--dry-run shows the changes and applies nothing: show still says LOA_NO_SCHEDULE', async () => {
    const dry = await loa(['schedule', 'apply', TU_LE_SCHEDULE, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('nothing applied');
    expect(dry.stdout).toMatch(/Added\s*│ quoc-ca-sang, tin-xa-sang/);
    const show = await loa(['schedule', 'show']);
    expect(show.code).toBe(1);
    expect(show.stderr).toMatch(/LOA_NO_SCHEDULE/);
    expect((await loa(['schedule', 'show', '--versions'])).stdout).toContain('No schedule has been applied yet');
  });

  test('apply gives version 1; the same file again gives version 2 with every programme unchanged', async () => {
    const first = await loa(['schedule', 'apply', TU_LE_SCHEDULE]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`Schedule version 1 (${TU_LE_SCHEDULE}) is now in force.`);
    const again = await loa(['schedule', 'apply', TU_LE_SCHEDULE, '--json']);
    expect(again.code, again.stderr).toBe(0);
    const body = JSON.parse(again.stdout) as { version: number; dryRun: boolean; changes: Record<string, string[]> };
    expect(body.version).toBe(2);
    expect(body.changes).toEqual({ added: [], removed: [], changed: [], unchanged: PROGRAMMES });
    const vi = await loaVi(['schedule', 'apply', TU_LE_SCHEDULE]);
    expect(vi.stdout).toContain('Lịch phát thanh phiên bản 3');
    expect(vi.stdout).toMatch(/Giữ nguyên\s*│ quoc-ca-sang/);
  });

  test('show: version, file, who, when, and a row per programme; --versions; --text verbatim', async () => {
    const r = await loa(['schedule', 'show']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Site\s*│ tu-le /);
    expect(r.stdout).toMatch(/Version\s*│ 3 /);
    expect(r.stdout).toMatch(/File\s*│ config\/sites\/tu-le\/schedule\.yaml/);
    expect(r.stdout).toMatch(/Applied by\s*│ local operator/);
    expect(r.stdout).toMatch(/Applied at\s*│ \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    expect(r.stdout).toMatch(/quoc-ca-sang\s*│ Quốc ca và bản tin sáng\s*│ slot sang\s*│ normal\s*│ 12\s*│ 3/);
    expect(r.stdout).toMatch(/hop-dan-na-long\s*│ Thông báo họp dân bản Nà Lóng \(event\)\s*│ slot chieu\s*│ priority\s*│ 2/);
    const vi = await loaVi(['schedule', 'show']);
    expect(vi.stdout).toMatch(/nhac-nen-chieu\s*│ Nhạc buổi chiều\s*│ khung giờ chieu\s*│ nền/);

    const versions = await loa(['schedule', 'show', '--versions']);
    expect(versions.stdout.match(/│ [123]\s+│ config\/sites\/tu-le\/schedule\.yaml/g)).toHaveLength(3);
    const text = await loa(['schedule', 'show', '--text']);
    expect(text.stdout).toBe(original);
  });
});

describe('loa schedule plan', () => {
  test('2026-12-02 on na-long-1: quốc ca at 05:00:00, the silence, times in HH:MM:SS', async () => {
    const r = await loa(['schedule', 'plan', '--date', '2026-12-02', '--cluster', 'na-long-1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Plan for 2026-12-02 (times in Asia/Ho_Chi_Minh)');
    expect(r.stdout).toMatch(/^na-long-1: 55 items$/m);
    expect(r.stdout).toMatch(/05:00:00–05:01:00\s*│ quoc-ca-sang\s*│ quoc-ca\s*│ normal/);
    expect(r.stdout).toMatch(/05:01:00–05:01:03\s*│ quoc-ca-sang\s*│ silence 3s/);
    expect(r.stdout).not.toContain('na-long-2');
    const vi = await loaVi(['schedule', 'plan', '--date', '2026-12-02', '--cluster', 'na-long-1']);
    expect(vi.stdout).toMatch(/05:01:00–05:01:03\s*│ quoc-ca-sang\s*│ im lặng 3s\s*│ thông thường/);
  });

  test('grouped: a repeating programme is one row (rounds, length of a round), clusters with the same day one block', async () => {
    const r = await loa(['schedule', 'plan', '--date', '2026-12-02']);
    expect(r.code, r.stderr).toBe(0);
    const near = 'ban-luot, bo-he, lim-thai-1, lim-thai-2, na-long-1, na-long-2, ta-cho, trung-tam-1, trung-tam-2';
    const far = 'khau-than, lim-mong, phinh-ho';
    // Every cluster is named once, in one of two blocks (the far villages get the replay).
    expect(r.stdout).toContain(`${far}: 56 items each\n`);
    expect(r.stdout).toContain(`${near}: 55 items each\n`);
    for (const c of TU_LE_CLUSTERS) expect(r.stdout.split(c.id).length - 1, c.id).toBe(1);
    // The background music: 13 rounds of 5 min until 06:30, then 19 rounds of 5m10s until 19:00,
    // the last one cut (the times say where it stops).
    expect(r.stdout).toMatch(/05:26:03–06:30:00\s*│ nhac-nen-sang\s*│ nhac-nen \(×13, a round every 5m\)\s*│ filler/);
    expect(r.stdout).toMatch(/17:25:00–19:00:00\s*│ nhac-nen-chieu\s*│ nhac-nen, silence 10s \(×19, a round every 5m10s\)\s*│ filler/);
    expect(r.stdout).toMatch(/17:10:00–17:25:00\s*│ phat-lai-ban-tin\s*│ ban-tin-sang/);
    // A handful of rows instead of one per item per cluster.
    expect(r.stdout.split('\n').filter((l) => /^│ \d\d:\d\d:\d\d–/.test(l))).toHaveLength(7 + 8);
    const vi = await loaVi(['schedule', 'plan', '--date', '2026-12-02']);
    expect(vi.stdout).toMatch(/nhac-nen, im lặng 10s \(×19, mỗi lượt 5m10s\)\s*│ nền/);
    expect(vi.stdout).toContain(`${far}: mỗi cụm 56 mục\n`);
  });

  test("--full: every item on every cluster; --json is the hub's whole answer either way", async () => {
    const r = await loa(['schedule', 'plan', '--date', '2026-12-02', '--full']);
    expect(r.code, r.stderr).toBe(0);
    for (const c of TU_LE_CLUSTERS) expect(r.stdout).toMatch(new RegExp(`^${c.id}: \\d+ items$`, 'm'));
    expect(r.stdout).toMatch(/18:58:00–19:00:00\s*│ nhac-nen-chieu\s*│ nhac-nen\s*│ filler/);
    expect(r.stdout.split('\n').filter((l) => /^│ \d\d:\d\d:\d\d–/.test(l))).toHaveLength(9 * 55 + 3 * 56);
    const json = JSON.parse((await loa(['schedule', 'plan', '--date', '2026-12-02', '--json'])).stdout) as {
      date: string;
      entries: Array<{ clusterId: string; programmeId: string; item: { kind: string; media?: string } }>;
    };
    expect(json.date).toBe('2026-12-02');
    expect(json.entries).toHaveLength(9 * 55 + 3 * 56);
    const one = JSON.parse((await loa(['schedule', 'plan', '--date', '2026-12-02', '--cluster', 'na-long-1', '--json'])).stdout) as typeof json;
    expect(new Set(one.entries.map((e) => e.clusterId))).toEqual(new Set(['na-long-1']));
    expect(one.entries[0]).toMatchObject({ programmeId: 'quoc-ca-sang', item: { kind: 'media', media: 'quoc-ca' } });
  });

  test('a bad --date is a usage error (exit 2) before any request', async () => {
    const r = await loa(['schedule', 'plan', '--date', '2026-02-30']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"2026-02-30" is not a date; use YYYY-MM-DD/);
  });
});

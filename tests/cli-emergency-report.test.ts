// `loa emergency start|status|stop`, the new columns of `loa log` and `loa report --month`, as the
// real `node bin/loa.js` against a real hub with the Tú Lệ clusters (no boxes connected, so what
// is sent to them is logged as missed while offline) and the Tú Lệ schedule in force.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LOG_CSV_HEAD } from '../cli/commands/log/log.js';
import { REPORT_CSV_HEAD } from '../cli/commands/report/report.js';
import { formatDateTime, formatIsoInZone } from '../cli/time.js';
import { addMedia, loaFor, startScheduleHub, TU_LE_CLUSTERS, TU_LE_SCHEDULE } from './helpers/cli-schedule-hub.js';
import type { LoaRun } from './helpers/cli-run.js';
import type { TestHub } from './helpers/hub.js';

let t: TestHub;
let loa: (args: string[]) => Promise<LoaRun>;
let loaVi: (args: string[]) => Promise<LoaRun>;
/** A name that needs CSV quoting: a comma and double quotes. */
const QUOTED = 'Thông báo "họp", số 2';
let quotedId: string;

/** This month in the hub's zone (the hub's clock ticks from SCHEDULE_HUB_NOW here). */
const thisMonth = (): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit' }).format(new Date(t.hub.clock.now())).slice(0, 7);

beforeAll(async () => {
  t = await startScheduleHub();
  t.hub.schedules.apply(readFileSync(TU_LE_SCHEDULE, 'utf8'), TU_LE_SCHEDULE, 'test', false);
  quotedId = addMedia(t, QUOTED, 20_000);
  loa = loaFor(t, process.cwd());
  loaVi = loaFor(t, process.cwd(), 'vi');
});
afterAll(async () => {
  await t.hub.schedules.stopEmergency('test');
  await t.stop();
});

describe('loa emergency', () => {
  test('start needs exactly one of --zones and --all (exit 2, nothing started)', async () => {
    const none = await loa(['emergency', 'start', '--media', 'thong-bao-hop']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--clusters A,B or --all .*--zones is the same/);
    const both = await loa(['emergency', 'start', '--media', 'thong-bao-hop', '--all', '--zones', 'na-long']);
    expect(both.code).toBe(2);
    expect(t.hub.store.schedules.activeEmergencies()).toHaveLength(0);
  });

  test("an unknown zone is the hub's LOA_UNKNOWN_TARGET (exit 1)", async () => {
    const r = await loa(['emergency', 'start', '--zones', 'na-longg', '--media', 'thong-bao-hop']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/LOA_UNKNOWN_TARGET/);
  });

  test('start --zones na-long --media NAME: on air on both Nà Lóng clusters; status shows it; stop ends it', async () => {
    const start = await loa(['emergency', 'start', '--zones', 'na-long', '--media', 'thong-bao-hop', '--volume', '95']);
    expect(start.code, start.stderr).toBe(0);
    const [active] = t.hub.store.schedules.activeEmergencies();
    expect(active).toMatchObject({ clusters: ['na-long-1', 'na-long-2'], zones: ['na-long'], volume: 95, repeat: false });
    expect(start.stdout).toContain(`EMERGENCY BROADCAST ${active!.id} IS ON AIR on 2 clusters`);
    expect(start.stdout).toMatch(/thong-bao-hop\s*│ na-long\s*│ na-long-1, na-long-2/);

    const status = await loa(['emergency', 'status']);
    expect(status.stdout).toContain('1 EMERGENCY broadcast ON AIR');
    expect(status.stdout).toContain(active!.id);
    expect(status.stdout).toContain('thong-bao-hop');
    const vi = await loaVi(['emergency', 'status']);
    expect(vi.stdout).toContain('1 lượt PHÁT KHẨN CẤP ĐANG PHÁT');
    const json = JSON.parse((await loa(['emergency', 'status', '--json'])).stdout) as { active: Array<{ id: string }> };
    expect(json.active.map((e) => e.id)).toEqual([active!.id]);

    const stop = await loaVi(['emergency', 'stop', '--id', active!.id]);
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toContain(`Đã dừng phát khẩn cấp ${active!.id}`);
    expect(t.hub.store.schedules.activeEmergencies()).toHaveLength(0);
    expect((await loa(['emergency', 'status'])).stdout).toContain('No emergency is on air.');
    expect((await loa(['emergency', 'stop'])).stdout).toContain('No emergency was on air; nothing stopped.');
  });

  test('--all in Vietnamese says KHẨN CẤP; stop without --id ends every one', async () => {
    const start = await loaVi(['emergency', 'start', '--all', '--media', 'thong-bao-hop', '--repeat']);
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout).toMatch(/PHÁT KHẨN CẤP e-\w+ ĐANG PHÁT trên 12 cụm loa/);
    expect(t.hub.store.schedules.activeEmergencies()[0]!.repeat).toBe(true);
    const stop = await loa(['emergency', 'stop']);
    expect(stop.stdout).toMatch(/Emergency e-\w+ stopped/);
    expect(t.hub.store.schedules.activeEmergencies()).toHaveLength(0);
  });
});

describe('loa log with the new fields', () => {
  test('CSV: the old columns then planned_end, outcome, kind, …; RFC 4180 quoting; table in both languages', async () => {
    const play = await loa(['broadcast', 'play', '--media', quotedId.slice(0, 10), '--clusters', 'na-long-1']);
    expect(play.code, play.stderr).toBe(0);

    const csv = await loa(['log', '--csv']);
    expect(csv.code, csv.stderr).toBe(0);
    const lines = csv.stdout.split('\r\n');
    expect(lines[0]).toBe(LOG_CSV_HEAD.join(','));
    expect(LOG_CSV_HEAD.slice(-6)).toEqual(['planned_end', 'outcome', 'kind', 'priority', 'programme_id', 'programme_name']);
    const row = lines.find((l) => l.includes(quotedId))!;
    expect(row).toContain(`,${quotedId},"Thông báo ""họp"", số 2",`);
    // cluster offline when due: raw outcome enum, kind and priority at the end.
    expect(row).toMatch(/,offline,cluster-offline,.*,missed-offline,adhoc,priority,,$/);

    const table = await loa(['log', '--cluster', 'na-long-1']);
    expect(table.stdout).toMatch(/Planned\s*│ Planned end\s*│ Cluster\s*│ Kind\s*│ Programme\s*│ Media\s*│ Outcome/);
    expect(table.stdout).toMatch(/na-long-1\s*│ on demand\s*│ –\s*│ Thông báo "họp", số 2\s*│ missed \(offline\)/);
    const vi = await loaVi(['log', '--cluster', 'na-long-1']);
    expect(vi.stdout).toMatch(/phát theo lệnh\s*│ –\s*│ Thông báo "họp", số 2\s*│ bỏ lỡ \(mất kết nối\)/);
  });
});

describe('loa report', () => {
  test('this month: a row per cluster and a total; availability in %', async () => {
    const month = thisMonth();
    const r = await loa(['report', '--month', month]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Broadcast report for ${month} (Asia/Ho_Chi_Minh)`);
    for (const c of TU_LE_CLUSTERS) expect(r.stdout).toMatch(new RegExp(`│ ${c.id}\\s*│ \\d+\\.\\d{2}\\s*│ \\d+`));
    // The ad-hoc broadcast above reached an offline cluster: one missed on na-long-1 and in total.
    // Its availability counts from when it was added this month (*), and the note says when.
    expect(r.stdout).toMatch(/│ na-long-1\s*│ 0\.00\s*│ 0\s*│ 0\s*│ 0\s*│ [1-9]\d*\s*│ 0\s*│ 0\.0 % \*/);
    const added = formatDateTime(t.hub.store.clusters.get('na-long-1')!.createdAt, 'Asia/Ho_Chi_Minh');
    expect(r.stdout).toContain(`* counted from when the cluster was added: ${added} (`);
    expect(r.stdout).toMatch(/\(ban-luot, bo-he, .*trung-tam-2\)/);
    expect(r.stdout).toMatch(/│ Total\s*│ [\d.]+\s*│/);
    const vi = await loaVi(['report', '--month', month]);
    expect(vi.stdout).toMatch(/│ Tổng cộng\s*│/);
    expect(vi.stdout).toContain('Tỷ lệ hoạt động');
    expect(vi.stdout).toContain(`* tính từ khi cụm loa được thêm vào: ${added} (`);
  });

  test('a month before the clusters were added: no availability (–), none counted in the total', async () => {
    const r = await loa(['report', '--month', '2026-10']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/│ na-long-1\s*│ 0\.00\s*│ 0\s*│ 0\s*│ 0\s*│ 0\s*│ 0\s*│ –/);
    expect(r.stdout).toMatch(/│ Total\s*│ 0\.00\s*│ 0\s*│ 0\s*│ 0\s*│ 0\s*│ 0\s*│ –/);
    const json = JSON.parse((await loa(['report', '--month', '2026-10', '--json'])).stdout) as {
      clusters: { availability: number | null; availabilityFrom: number | null }[];
    };
    expect(json.clusters.every((c) => c.availability === null && c.availabilityFrom === null)).toBe(true);
    const csv = (await loa(['report', '--month', '2026-10', '--csv'])).stdout.trim().split('\r\n');
    expect(csv[1]).toMatch(/^2026-10,ban-luot,0\.00,0,0,0,0,0,,$/);
  });

  test('--csv has stable English columns, a row per cluster and a TOTAL row; --json is the API answer', async () => {
    const month = thisMonth();
    const csv = await loaVi(['report', '--month', month, '--csv']);
    expect(csv.code, csv.stderr).toBe(0);
    const lines = csv.stdout.trim().split('\r\n');
    expect(lines[0]).toBe(REPORT_CSV_HEAD.join(','));
    expect(lines[0]).toBe('month,cluster_id,hours_on_air,played,partial,preempted,missed,failed,availability_pct,availability_from');
    // Counted from when the cluster was added (ISO with the zone's offset), on every row.
    const added = formatIsoInZone(t.hub.store.clusters.get('ban-luot')!.createdAt, 'Asia/Ho_Chi_Minh');
    expect(lines[1]).toMatch(new RegExp(`^${month},ban-luot,.*,0\\.0,${added.replace('+', '\\+')}$`));
    expect(lines.slice(1).map((l) => l.split(',')[1])).toEqual([...TU_LE_CLUSTERS.map((c) => c.id).sort(), 'TOTAL']);
    expect(lines.every((l, i) => i === 0 || l.startsWith(`${month},`))).toBe(true);
    const json = JSON.parse((await loa(['report', '--month', month, '--json'])).stdout) as { month: string; clusters: unknown[]; total: { clusterId: string } };
    expect(json.month).toBe(month);
    expect(json.clusters).toHaveLength(12);
  });

  test('a bad --month is a usage error (exit 2)', async () => {
    const r = await loa(['report', '--month', '2026-13']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"2026-13" is not a month; use YYYY-MM/);
  });
});

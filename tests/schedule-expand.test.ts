// Expanding a schedule into per-cluster timeline entries in absolute time: slot order, repeats,
// priority items, day boundaries, a programme crossing midnight, exceptions, date ranges.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expandDay, expandRange, timelineAt } from '../hub/schedule/expand.js';
import { parseSchedule } from '../hub/schedule/format.js';
import type { Schedule, TimelineEntry } from '../hub/schedule/model.js';
import { validateSchedule } from '../hub/schedule/validate.js';
import { smallContext, TU_LE_SCHEDULE, tuLeContext } from './helpers/schedule-fixtures.js';

const ctx = smallContext();
/** Epoch ms of a Vietnam wall time (UTC+7, no daylight saving): 05:00 on the 23rd is 22:00Z on the 22nd. */
const vn = (date: string, time: string) => Date.parse(`${date}T${time}+07:00`);
const S = 1000;

function load(text: string): Schedule {
  const { schedule, problems } = validateSchedule(text, 'f.yaml', ctx);
  expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  return schedule!;
}

/** One line per entry on one cluster: "key HH:MM:SS-HH:MM:SS", Vietnam time. */
function lines(entries: TimelineEntry[], cluster: string): string[] {
  const t = (ms: number) => new Date(ms + 7 * 3600 * S).toISOString().slice(11, 19);
  return entries.filter((e) => e.clusterId === cluster).map((e) => `${e.key} ${t(e.startAt)}-${t(e.endAt)}`);
}

const HEAD =
  'site: t\nslots:\n  sang: { start: "05:00", end: "07:30" }\n  ngan: { start: "18:00", end: "18:12" }\n  dem: { start: "23:30", end: "00:30" }\nzones:\n  ' +
  'xa: [a1, a2]\n';

describe('expandDay', () => {
  it('puts slot programmes one after another, priority first, each starting when its clusters are free', () => {
    const s = load(`${HEAD}programmes:
  - { id: chu-nhat, slot: sang, days: { weekdays: [sun] }, zones: [all], items: [ban-tin] }
  - { id: p1, slot: sang, zones: [all], items: [ban-tin] }
  - { id: p2, slot: sang, zones: [xa], items: [quoc-ca] }
  - { id: p3, slot: sang, clusters: [b1], priority: uu-tien, items: [quoc-ca] }
`);
    // 2026-11-23 is a Monday: chu-nhat does not run and takes no time.
    const day = expandDay(s, ctx, '2026-11-23');
    expect(lines(day, 'b1')).toEqual(['p3@2026-11-23#0.0 05:00:00-05:01:00', 'p1@2026-11-23#0.0 05:01:00-05:11:00']);
    // p1 waits for b1 so that all its clusters start together; p2 follows p1 on a1 and a2.
    expect(lines(day, 'a1')).toEqual(['p1@2026-11-23#0.0 05:01:00-05:11:00', 'p2@2026-11-23#0.0 05:11:00-05:12:00']);
    expect(day.find((e) => e.programmeId === 'p3')!.startAt).toBe(Date.UTC(2026, 10, 22, 22, 0, 0));
    expect(day.find((e) => e.programmeId === 'p1')).toMatchObject({ mediaId: 'm2', priority: 'normal', localDate: '2026-11-23', volume: null });
    // On the Sunday chu-nhat runs too: after p3 on b1 (priority first), then p1 after it (file order).
    expect(lines(expandDay(s, ctx, '2026-11-29'), 'a1')[1]).toBe('p1@2026-11-29#0.0 05:11:00-05:21:00');
  });

  it('repeats to the end of the slot, cutting the last item there', () => {
    const s = load(`${HEAD}programmes:
  - { id: tin, slot: ngan, zones: [all], items: [quoc-ca] }
  - { id: nhac, slot: ngan, zones: [all], priority: filler, repeat: true, items: [nhac, { silence: 10s }] }
`);
    const a1 = lines(expandDay(s, ctx, '2026-11-23'), 'a1');
    expect(a1).toEqual([
      'tin@2026-11-23#0.0 18:00:00-18:01:00',
      'nhac@2026-11-23#0.0 18:01:00-18:04:20',
      'nhac@2026-11-23#1.0 18:04:20-18:04:30',
      'nhac@2026-11-23#0.1 18:04:30-18:07:50',
      'nhac@2026-11-23#1.1 18:07:50-18:08:00',
      'nhac@2026-11-23#0.2 18:08:00-18:11:20',
      'nhac@2026-11-23#1.2 18:11:20-18:11:30',
      'nhac@2026-11-23#0.3 18:11:30-18:12:00',
    ]);
  });

  it('stops a repeat at `until`, and the next programme of the slot starts there', () => {
    const s = load(`${HEAD}programmes:
  - { id: nhac, slot: sang, zones: [all], repeat: true, until: "05:05", items: [quoc-ca] }
  - { id: tin, slot: sang, zones: [all], items: [tin-xa] }
`);
    expect(lines(expandDay(s, ctx, '2026-11-23'), 'b1')).toEqual([
      ...[0, 1, 2, 3, 4].map((r) => `nhac@2026-11-23#0.${r} 05:0${r}:00-05:0${r + 1}:00`),
      'tin@2026-11-23#0.0 05:05:00-05:10:00',
    ]);
  });

  it('plays items marked priority first and cuts items at the slot end', () => {
    // Too long for its slot: validation refuses it, but the expansion still cuts at the slot end.
    const { schedule } = parseSchedule(
      `${HEAD}programmes:
  - id: p
    slot: ngan
    clusters: [a1]
    items: [quoc-ca, { media: ban-tin, priority: uu-tien }, tin-xa]
`,
      'f.yaml',
      ctx,
    );
    expect(lines(expandDay(schedule!, ctx, '2026-11-23'), 'a1')).toEqual([
      'p@2026-11-23#0.0 18:00:00-18:10:00', // ban-tin, moved first
      'p@2026-11-23#1.0 18:10:00-18:11:00', // quoc-ca
      'p@2026-11-23#2.0 18:11:00-18:12:00', // tin-xa, 5 min, cut at 18:12
    ]);
    expect(schedule!.programmes[0]!.items.map((i) => (i.kind === 'media' ? i.media : i.kind))).toEqual(['ban-tin', 'quoc-ca', 'tin-xa']);
  });

  it('keeps day boundaries: 23:59 belongs to its day, 00:00 to the next', () => {
    const s = load(`${HEAD}programmes:
  - { id: cuoi-ngay, at: "23:59", priority: emergency, clusters: [a1], items: [quoc-ca] }
  - { id: dau-ngay, at: "00:00", priority: emergency, clusters: [a1], items: [quoc-ca] }
`);
    const d1 = expandDay(s, ctx, '2026-11-23');
    expect(d1.map((e) => [e.key, e.startAt, e.endAt])).toEqual([
      ['dau-ngay@2026-11-23#0.0', vn('2026-11-23', '00:00:00'), vn('2026-11-23', '00:01:00')],
      ['cuoi-ngay@2026-11-23#0.0', vn('2026-11-23', '23:59:00'), vn('2026-11-24', '00:00:00')],
    ]);
    expect(expandDay(s, ctx, '2026-11-24')[0]).toMatchObject({ key: 'dau-ngay@2026-11-24#0.0', startAt: vn('2026-11-24', '00:00:00') });
    // At exactly midnight the 23:59 programme has ended and the 00:00 one is on.
    expect(timelineAt(s, ctx, vn('2026-11-24', '00:00:00')).map((e) => e.key)).toEqual(['dau-ngay@2026-11-24#0.0']);
  });

  it('finds a programme crossing midnight just after midnight, under the date it started', () => {
    const s = load(`${HEAD}programmes:
  - { id: dem, slot: dem, days: { weekdays: [sat] }, zones: [xa], repeat: true, items: [ban-tin] }
`);
    // Saturday 2026-11-28 23:30 → Sunday 00:30; the programme does not run on Sunday itself.
    const sunday = expandDay(s, ctx, '2026-11-29');
    expect(sunday).toEqual([]);
    const at = timelineAt(s, ctx, vn('2026-11-29', '00:05:00'));
    expect(at.map((e) => [e.clusterId, e.key, e.localDate])).toEqual([
      ['a1', 'dem@2026-11-28#0.3', '2026-11-28'],
      ['a2', 'dem@2026-11-28#0.3', '2026-11-28'],
    ]);
    expect(at[0]!.startAt).toBe(vn('2026-11-29', '00:00:00'));
    expect(lines(expandDay(s, ctx, '2026-11-28'), 'a1').at(-1)).toBe('dem@2026-11-28#0.5 00:20:00-00:30:00');
    expect(timelineAt(s, ctx, vn('2026-11-29', '00:30:00'))).toEqual([]);
  });

  it('plays nothing on an exception date, and again the day after', () => {
    const s = load(`${HEAD}holidays:
  giang-sinh: ["2026-12-24..2026-12-25"]
programmes:
  - { id: p, slot: sang, days: { except: [giang-sinh, 2026-12-31] }, zones: [all], items: [quoc-ca] }
`);
    expect(expandDay(s, ctx, '2026-12-23')).toHaveLength(3);
    expect(expandDay(s, ctx, '2026-12-24')).toEqual([]);
    expect(expandDay(s, ctx, '2026-12-25')).toEqual([]);
    expect(expandDay(s, ctx, '2026-12-26')).toHaveLength(3);
    expect(expandDay(s, ctx, '2026-12-31')).toEqual([]);
  });

  it('runs on the days of a date range and on weekdays given as a range', () => {
    const s = load(`${HEAD}programmes:
  - { id: r, slot: sang, days: { dates: ["2026-12-01..2026-12-03"] }, clusters: [a1], items: [quoc-ca] }
  - { id: w, slot: ngan, days: { weekdays: [t2..t6] }, clusters: [b1], items: [quoc-ca] }
`);
    const ran = (date: string, id: string) => expandDay(s, ctx, date).some((e) => e.programmeId === id);
    expect(['2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04'].map((d) => ran(d, 'r'))).toEqual([false, true, true, true, false]);
    // 2026-11-23 is a Monday: t2..t6 is Monday to Friday.
    expect(['2026-11-23', '2026-11-27', '2026-11-28', '2026-11-29'].map((d) => ran(d, 'w'))).toEqual([true, true, false, false]);
  });
});

describe('expandRange and the Tú Lệ week', () => {
  const tl = tuLeContext();
  const tuLe = validateSchedule(readFileSync(TU_LE_SCHEDULE, 'utf8'), 'schedule.yaml', tl).schedule!;

  it('starts both slots on time on every cluster, every day of a week', () => {
    for (let d = 23; d <= 29; d++) {
      const date = `2026-11-${d}`;
      const day = expandDay(tuLe, tl, date);
      for (const c of tl.clusterIds) {
        const mine = day.filter((e) => e.clusterId === c);
        expect(mine[0]!.startAt, `${c} ${date}`).toBe(vn(date, '05:00:00'));
        expect(Math.max(...mine.map((e) => e.endAt)), `${c} ${date}`).toBe(vn(date, '19:00:00'));
        expect(mine.some((e) => e.startAt === vn(date, '17:00:00'))).toBe(true);
        expect(mine.every((e) => e.startAt >= vn(date, '05:00:00') && e.endAt <= vn(date, '19:00:00'))).toBe(true);
      }
    }
  });

  it('gives the village event the head of the evening slot on its date only', () => {
    const na = lines(expandDay(tuLe, tl, '2026-12-05'), 'na-long-1').filter((l) => l.includes('hop-dan') || l.includes('tin-xa-chieu'));
    expect(na).toEqual([
      'hop-dan-na-long@2026-12-05#0.0 17:00:00-17:00:45',
      'hop-dan-na-long@2026-12-05#1.0 17:00:45-17:00:47',
      'hop-dan-na-long@2026-12-05#2.0 17:00:47-17:01:32',
      'tin-xa-chieu@2026-12-05#0.0 17:01:32-17:11:32',
    ]);
    expect(expandDay(tuLe, tl, '2026-12-06').some((e) => e.programmeId === 'hop-dan-na-long')).toBe(false);
    // Tết 2027: no morning programmes, evening as usual.
    expect(lines(expandDay(tuLe, tl, '2027-02-06'), 'ta-cho')[0]).toBe('tin-xa-chieu@2027-02-06#0.0 17:00:00-17:10:00');
  });

  it('expandRange returns the entries overlapping a window, keys unique per cluster', () => {
    const from = vn('2026-11-23', '06:00:00');
    const to = vn('2026-11-23', '17:05:00');
    const got = expandRange(tuLe, tl, from, to);
    expect(got.every((e) => e.startAt < to && e.endAt > from)).toBe(true);
    expect(new Set(got.map((e) => `${e.key}/${e.clusterId}`)).size).toBe(got.length);
    expect(new Set(got.filter((e) => e.startAt >= vn('2026-11-23', '17:00:00')).map((e) => e.programmeId))).toEqual(new Set(['tin-xa-chieu']));
    expect(got.some((e) => e.programmeId === 'nhac-nen-sang' && e.endAt === vn('2026-11-23', '06:30:00'))).toBe(true);
  });
});

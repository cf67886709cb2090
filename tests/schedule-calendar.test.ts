// Local dates, times and durations of schedule files, and wall time in a zone → epoch ms: fixed
// epochs for Vietnam, daylight-saving gaps and repeats elsewhere, and the same answers from
// compiled code run under TZ=UTC and TZ=America/New_York (the hub's machine zone must not matter).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { epochToZoned, formatDuration, parseDate, parseDuration, parseTimeOfDay, weekdayOf, zonedToEpoch } from '../hub/schedule/calendar.js';
import { expandDay, timelineAt } from '../hub/schedule/expand.js';
import { validateSchedule } from '../hub/schedule/validate.js';
import { ROOT, smallContext, TU_LE_SCHEDULE, tuLeContext } from './helpers/schedule-fixtures.js';

describe('parsing what an officer writes', () => {
  it('times of day', () => {
    expect(['05:00', '5:00', '17:30:15', '23:59:59', '00:00'].map(parseTimeOfDay)).toEqual([18000, 18000, 63015, 86399, 0]);
    expect(['24:00', '05:60', '5h', '05:00:60', ''].map(parseTimeOfDay)).toEqual([null, null, null, null, null]);
  });

  it('dates, including leap days, and weekdays', () => {
    expect(parseDate('2028-02-29')).toBe('2028-02-29');
    expect(['2026-02-29', '2026-02-30', '2026-13-01', '26-12-01', '2026-1-5'].map(parseDate)).toEqual([null, null, null, null, null]);
    expect(weekdayOf('2026-11-23')).toBe(1); // a Monday
    expect(weekdayOf('1970-01-01')).toBe(4);
    expect(weekdayOf('1969-12-28')).toBe(0);
  });

  it('durations', () => {
    expect(['5s', '90s', '1m30s', '2m', '1h15m', '5', '2.5s'].map((d) => parseDuration(d))).toEqual([5000, 90000, 90000, 120000, 4500000, 5000, 2500]);
    expect(parseDuration(10)).toBe(10000);
    expect(['0s', '5x', 'm', '', '-5s'].map((d) => parseDuration(d))).toEqual([null, null, null, null, null]);
    expect([90000, 4500000, 0, 3600000].map(formatDuration)).toEqual(['1m30s', '1h15m', '0s', '1h']);
  });
});

describe('wall time in a zone', () => {
  it('05:00 in Asia/Ho_Chi_Minh is 22:00 UTC the day before', () => {
    expect(zonedToEpoch('Asia/Ho_Chi_Minh', '2026-11-23', 5 * 3600)).toBe(Date.UTC(2026, 10, 22, 22, 0, 0));
    expect(zonedToEpoch('Asia/Ho_Chi_Minh', '2027-01-01', 0)).toBe(Date.UTC(2026, 11, 31, 17, 0, 0));
    expect(epochToZoned('Asia/Ho_Chi_Minh', Date.UTC(2026, 10, 22, 22, 0, 0))).toEqual({ date: '2026-11-23', seconds: 18000 });
    expect(epochToZoned('Asia/Ho_Chi_Minh', Date.UTC(2026, 10, 22, 16, 59, 59, 999))).toEqual({ date: '2026-11-22', seconds: 86399 });
  });

  it('handles daylight saving: standard, summer, a gap moved forward, a repeat taken first', () => {
    const ny = (date: string, h: number, m = 0) => zonedToEpoch('America/New_York', date, h * 3600 + m * 60);
    expect(ny('2026-01-15', 5)).toBe(Date.UTC(2026, 0, 15, 10));
    expect(ny('2026-07-15', 5)).toBe(Date.UTC(2026, 6, 15, 9));
    expect(ny('2026-03-08', 2, 30)).toBe(Date.UTC(2026, 2, 8, 7, 30)); // 02:30 never happens: 03:30 EDT
    expect(ny('2026-03-08', 3)).toBe(Date.UTC(2026, 2, 8, 7));
    expect(ny('2026-11-01', 1, 30)).toBe(Date.UTC(2026, 10, 1, 5, 30)); // happens twice: the EDT one
    expect(ny('2026-11-01', 2)).toBe(Date.UTC(2026, 10, 1, 7));
    // A half-hour shift (Lord Howe Island): 02:15 does not exist on 2026-10-04, 02:45 does.
    expect(zonedToEpoch('Australia/Lord_Howe', '2026-10-04', 2 * 3600 + 15 * 60)).toBe(Date.UTC(2026, 9, 3, 15, 45));
    expect(epochToZoned('America/New_York', Date.UTC(2026, 10, 1, 6, 30))).toEqual({ date: '2026-11-01', seconds: 5400 });
  });

  it('a slot across a daylight-saving change is as long as the clocks say', () => {
    const text =
      'site: t\ntimezone: America/New_York\nslots:\n  dem: { start: "01:00", end: "03:00" }\nprogrammes:\n  - { id: n, slot: dem, zones: [all], priority: ' +
      'filler, repeat: true, items: [quoc-ca] }\n';
    const ctx = smallContext({ today: '2026-03-01' });
    const { schedule } = validateSchedule(text, 'f.yaml', ctx);
    const span = (date: string) => {
      const e = expandDay(schedule!, ctx, date).filter((x) => x.clusterId === 'a1');
      return (e.at(-1)!.endAt - e[0]!.startAt) / 60_000;
    };
    expect([span('2026-03-07'), span('2026-03-08'), span('2026-11-01')]).toEqual([120, 60, 180]);
  });
});

describe('independent of the machine time zone', () => {
  const script = `
    import { readFileSync } from 'node:fs';
    import { validateSchedule } from ${JSON.stringify(join(ROOT, 'dist/hub/schedule/validate.js'))};
    import { expandDay, timelineAt } from ${JSON.stringify(join(ROOT, 'dist/hub/schedule/expand.js'))};
    const ctx = { clusterIds: ${JSON.stringify(tuLeContext().clusterIds)}, media: new Map(${JSON.stringify([...tuLeContext().media])}), today: '2026-11-23' };
    const text = readFileSync(${JSON.stringify(TU_LE_SCHEDULE)}, 'utf8');
    const { schedule, problems } = validateSchedule(text, 'schedule.yaml', ctx);
    const day = expandDay(schedule, ctx, '2026-11-23');
    const at = timelineAt(schedule, ctx, Date.UTC(2026, 10, 23, 10, 0, 30)).map((e) => e.key);
    const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    console.log(JSON.stringify({ tz, errors: problems.length, first: day[0].startAt, last: Math.max(...day.map((e) => e.endAt)), at, n: day.length }));
  `;

  it('gives the same epochs under TZ=UTC and TZ=America/New_York', () => {
    if (!existsSync(join(ROOT, 'dist/hub/schedule/expand.js'))) throw new Error('dist/ is missing: run `npx tsc -p .` first');
    const run = (tz: string) =>
      JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, TZ: tz }, encoding: 'utf8' })) as Record<
        string,
        unknown
      >;
    const utc = run('UTC');
    const ny = run('America/New_York');
    expect(utc.tz).toBe('UTC');
    expect(ny.tz).toBe('America/New_York');
    expect({ ...ny, tz: 'x' }).toEqual({ ...utc, tz: 'x' });
    expect(utc).toMatchObject({
      errors: 0,
      first: Date.UTC(2026, 10, 22, 22, 0, 0), // 05:00 in Tú Lệ
      last: Date.UTC(2026, 10, 23, 12, 0, 0), // 19:00 in Tú Lệ
      at: Array(12).fill('tin-xa-chieu@2026-11-23#0.0'), // 17:00:30 in Tú Lệ, on every cluster
    });
    // And in this process, whatever its zone is.
    const { schedule } = validateSchedule(readFileSync(TU_LE_SCHEDULE, 'utf8'), 'schedule.yaml', tuLeContext());
    expect(timelineAt(schedule!, tuLeContext(), Date.UTC(2026, 10, 22, 22, 0, 0)).length).toBe(12);
  });
});

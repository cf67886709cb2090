// Time-zone arithmetic exists once (common/zoned-time.ts): the CLI's dates and the schedule's
// times agree on every instant, also across daylight-saving changes, in any zone.
import { describe, expect, it } from 'vitest';
import { formatWallTime, isCalendarDate, isTimeZone, wallClockMs, wallToEpoch, zoneOffsetMs } from '../common/zoned-time.js';
import { formatClock, formatDate, formatDateTime, formatIsoInZone, parseDateBound, parseInstant, parseStartTime } from '../cli/time.js';
import { epochToZoned, zonedToEpoch } from '../hub/schedule/calendar.js';

const NY = 'America/New_York';

describe('zoned time', () => {
  it('the CLI reads a wall time as the schedule does, also in a spring-forward gap and a fall-back repeat', () => {
    const cases: [string, string, number][] = [
      ['2026-03-08 02:30', '2026-03-08', 2.5 * 3600], // never happens in New York: moved forward to 03:30 EDT
      ['2026-11-01 01:30', '2026-11-01', 1.5 * 3600], // happens twice: the earlier (EDT)
      ['2026-07-01 05:00', '2026-07-01', 5 * 3600],
    ];
    for (const [typed, date, seconds] of cases) expect(parseInstant(typed, NY)).toBe(zonedToEpoch(NY, date, seconds));
    expect(parseInstant('2026-03-08 02:30', NY)).toBe(Date.parse('2026-03-08T07:30:00Z'));
    expect(parseInstant('2026-11-01 01:30', NY)).toBe(Date.parse('2026-11-01T05:30:00Z'));
  });

  it('Asia/Ho_Chi_Minh: +07:00 all year; a date bound covers the whole local day', () => {
    const tz = 'Asia/Ho_Chi_Minh';
    expect(zoneOffsetMs(tz, Date.parse('2026-01-15T00:00:00Z'))).toBe(7 * 3600_000);
    expect(parseDateBound('2026-02-28', tz, 'from')).toBe(Date.parse('2026-02-27T17:00:00Z'));
    expect(parseDateBound('2026-02-28', tz, 'to')).toBe(Date.parse('2026-02-28T17:00:00Z') - 1);
    expect(parseDateBound('2026-12-31', tz, 'to')).toBe(Date.parse('2026-12-31T17:00:00Z') - 1);
    expect(formatIsoInZone(Date.parse('2026-03-01T22:00:00Z'), tz)).toBe('2026-03-02T05:00:00+07:00');
    expect(epochToZoned(tz, Date.parse('2026-03-01T22:00:00Z'))).toEqual({ date: '2026-03-02', seconds: 5 * 3600 });
  });

  it('an HH:MM start already past today is tomorrow, across a month end', () => {
    const tz = 'Asia/Ho_Chi_Minh';
    const now = Date.parse('2026-01-31T12:00:00Z'); // 19:00 on 31 January in Hà Nội
    expect(parseStartTime('05:00', tz, now)).toBe(Date.parse('2026-01-31T22:00:00Z'));
    expect(parseStartTime('20:00', tz, now)).toBe(Date.parse('2026-01-31T13:00:00Z'));
  });

  it('the CLI shows the wall clock as the shared formatter does; real calendar days only', () => {
    const ms = Date.parse('2026-03-08T07:30:05Z');
    expect(formatWallTime(NY, ms)).toBe('2026-03-08 03:30:05');
    expect([formatDate(ms, NY), formatDateTime(ms, NY), formatClock(ms, NY)]).toEqual(['2026-03-08', '2026-03-08 03:30', '03:30:05']);
    expect(formatIsoInZone(ms, NY)).toBe('2026-03-08T03:30:05-04:00');
    expect([isCalendarDate(2028, 2, 29), isCalendarDate(2026, 2, 29), isCalendarDate(2026, 4, 31)]).toEqual([true, false, false]);
    expect(parseInstant('2026-02-30 05:00', 'Asia/Ho_Chi_Minh')).toBeUndefined();
  });

  it('wall clock and back are inverse where the wall time exists; unknown zones are refused', () => {
    for (const ms of [Date.parse('2026-03-08T06:59:59Z'), Date.parse('2026-03-08T07:00:00Z'), Date.parse('2026-11-01T05:30:00Z')]) {
      expect(wallToEpoch(NY, wallClockMs(NY, ms))).toBe(ms);
    }
    expect(isTimeZone(NY)).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
});

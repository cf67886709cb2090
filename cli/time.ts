// Wall-clock times in a named time zone (the hub's, Asia/Ho_Chi_Minh by default): parsing the
// dates an operator types and showing epoch-ms times the way a clock on the wall would. The zone
// arithmetic is common/zoned-time.ts, shared with the hub's schedules.
import { formatWallTime, isCalendarDate, utcMs, wallClockMs, wallToEpoch, zoneOffsetMs } from '../common/zoned-time.js';

interface Wall {
  y: number;
  mo: number; // 1..12
  d: number;
  h: number;
  mi: number;
  s: number;
}

export function wallTime(ms: number, tz: string): Wall {
  const t = new Date(wallClockMs(tz, ms));
  return { y: t.getUTCFullYear(), mo: t.getUTCMonth() + 1, d: t.getUTCDate(), h: t.getUTCHours(), mi: t.getUTCMinutes(), s: t.getUTCSeconds() };
}

/** The instant at which the clocks of tz show this wall time. */
export function fromWallTime(w: Wall, tz: string): number {
  return wallToEpoch(tz, utcMs(w.y, w.mo, w.d, w.h, w.mi, w.s));
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

export function formatDate(ms: number, tz: string): string {
  return formatWallTime(tz, ms).slice(0, 10);
}

export function formatDateTime(ms: number, tz: string): string {
  return formatWallTime(tz, ms).slice(0, 16);
}

export function formatClock(ms: number, tz: string): string {
  return formatWallTime(tz, ms).slice(11);
}

/** ISO 8601 with the zone's offset, e.g. 2025-03-01T05:00:00+07:00 (for CSV files). */
export function formatIsoInZone(ms: number, tz: string): string {
  const off = Math.round(zoneOffsetMs(tz, ms) / 60_000);
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  return `${formatWallTime(tz, ms).replace(' ', 'T')}${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const CLOCK = /^(\d{1,2}):(\d{2})$/;
const ABSOLUTE = /(Z|[+-]\d{2}:?\d{2})$/i;

function checkedWall(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): Wall | undefined {
  if (!isCalendarDate(y, mo, d) || h > 23 || mi > 59 || s > 59) return undefined;
  return { y, mo, d, h, mi, s };
}

/**
 * A date or time typed by a person. A bare date means its whole day in tz: its start for
 * `from`, its last millisecond for `to`. A time without an offset is read in tz; one with Z or
 * an offset is absolute. Returns undefined when the text is not a date.
 */
export function parseDateBound(text: string, tz: string, bound: 'from' | 'to'): number | undefined {
  const t = text.trim();
  const date = DATE.exec(t);
  if (date) {
    const w = checkedWall(Number(date[1]), Number(date[2]), Number(date[3]));
    if (!w) return undefined;
    if (bound === 'from') return fromWallTime(w, tz);
    // The day after's midnight, less 1 ms (fromWallTime rolls the 32nd over into the next month).
    return fromWallTime({ ...w, d: w.d + 1 }, tz) - 1;
  }
  return parseInstant(t, tz);
}

/** YYYY-MM-DD HH:MM[:SS] in tz, or an ISO time with Z/offset. */
export function parseInstant(text: string, tz: string): number | undefined {
  const t = text.trim();
  const local = LOCAL.exec(t);
  if (local) {
    const w = checkedWall(Number(local[1]), Number(local[2]), Number(local[3]), Number(local[4]), Number(local[5]), Number(local[6] ?? 0));
    return w ? fromWallTime(w, tz) : undefined;
  }
  if (ABSOLUTE.test(t) && /^\d{4}-\d{2}-\d{2}T/.test(t)) {
    const ms = Date.parse(t);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

/** A start time for `broadcast play --at`: HH:MM means its next occurrence in tz after now. */
export function parseStartTime(text: string, tz: string, now: number): number | undefined {
  const clock = CLOCK.exec(text.trim());
  if (!clock) return parseInstant(text, tz);
  const h = Number(clock[1]);
  const mi = Number(clock[2]);
  const today = wallTime(now, tz);
  const w = checkedWall(today.y, today.mo, today.d, h, mi, 0);
  if (!w) return undefined;
  let at = fromWallTime(w, tz);
  if (at <= now) at = fromWallTime({ ...w, d: w.d + 1 }, tz);
  return at;
}

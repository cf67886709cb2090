// Local dates, times of day and durations as a schedule file writes them, and the one conversion
// that matters: "this wall-clock time on this local date in zone Z" → epoch ms, correct for any
// IANA zone (daylight-saving gaps and repeats included), whatever the process's own TZ is. The
// zone arithmetic itself is common/zoned-time.ts, shared with the CLI.
import { isCalendarDate, wallClockMs, wallToEpoch } from '../../common/zoned-time.js';

/** Days since 1970-01-01 of a "YYYY-MM-DD" that parseDate accepted. */
export function dayNumber(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Math.round(Date.UTC(y, m - 1, d) / 86_400_000);
}

export function dateOfDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

export function addDays(date: string, n: number): string {
  return dateOfDay(dayNumber(date) + n);
}

/** 0 = Sunday … 6 = Saturday, like Date.getUTCDay (1970-01-01 was a Thursday). */
export function weekdayOf(date: string): number {
  return (((dayNumber(date) + 4) % 7) + 7) % 7;
}

/** "YYYY-MM-DD" that names a real calendar day, or null. */
export function parseDate(text: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  return isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3])) ? text : null;
}

/** "HH:MM" or "HH:MM:SS" (one-digit hours allowed), 00:00–23:59:59 → seconds after midnight. */
export function parseTimeOfDay(text: string): number | null {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!m) return null;
  const [h, mi, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (h > 23 || mi > 59 || s > 59) return null;
  return h * 3600 + mi * 60 + s;
}

/** "5s", "1m30s", "90s", "2m", "1h", "1h15m"; a bare number is seconds. → ms > 0, or null. */
export function parseDuration(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? Math.round(value * 1000) : null;
  const m = /^\s*(?:(\d+(?:\.\d+)?)h)?\s*(?:(\d+(?:\.\d+)?)m)?\s*(?:(\d+(?:\.\d+)?)s)?\s*$/.exec(value);
  if (!m || (m[1] === undefined && m[2] === undefined && m[3] === undefined)) {
    return /^\s*\d+(\.\d+)?\s*$/.test(value) ? parseDuration(Number(value)) : null;
  }
  const ms = Math.round((Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)) * 1000);
  return ms > 0 ? ms : null;
}

/** 330000 → "5m30s", for messages. */
export function formatDuration(ms: number): string {
  let s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const out = `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
  return out;
}

export function formatTimeOfDay(seconds: number): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const s = ((seconds % 86_400) + 86_400) % 86_400;
  const base = `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}`;
  return s % 60 ? `${base}:${pad(s % 60)}` : base;
}

/** The instant at which clocks in tz show `seconds` after midnight of `date` (gaps and repeats:
 *  common/zoned-time.ts wallToEpoch). */
export function zonedToEpoch(tz: string, date: string, seconds: number): number {
  return wallToEpoch(tz, dayNumber(date) * 86_400_000 + seconds * 1000);
}

/** The local date and seconds after local midnight of instant ms in tz. */
export function epochToZoned(tz: string, ms: number): { date: string; seconds: number } {
  const wall = wallClockMs(tz, ms);
  const day = Math.floor(wall / 86_400_000);
  return { date: dateOfDay(day), seconds: Math.floor((wall - day * 86_400_000) / 1000) };
}

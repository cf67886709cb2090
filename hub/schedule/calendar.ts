// Local dates, times of day and durations as a schedule file writes them, and the one conversion
// that matters: "this wall-clock time on this local date in zone Z" → epoch ms, correct for any
// IANA zone (daylight-saving gaps and repeats included), whatever the process's own TZ is.

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
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  // Date.UTC rolls 2026-02-30 over to March: a date that does not survive the round trip is not real.
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d ? text : null;
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

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', era: 'short',
      year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

export function isTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

/** The zone's wall clock at instant ms, as if it were UTC (ms precision dropped to seconds). */
function wallAsUtc(tz: string, ms: number): number {
  const p: Record<string, string> = {};
  for (const part of formatter(tz).formatToParts(new Date(ms))) p[part.type] = part.value;
  const year = p.era === 'BC' ? 1 - Number(p.year) : Number(p.year);
  const t = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0–99 to 1900–1999.
  t.setUTCFullYear(year, Number(p.month) - 1, Number(p.day));
  t.setUTCHours(Number(p.hour) % 24, Number(p.minute), Number(p.second), 0);
  return t.getTime();
}

/** Offset of tz from UTC at instant ms (Asia/Ho_Chi_Minh: +7 h). */
export function zoneOffsetMs(tz: string, ms: number): number {
  return wallAsUtc(tz, ms) - Math.floor(ms / 1000) * 1000;
}

// Planning a year asks for the offset at the same times of day again and again (day D's "day
// after" is day D+2's "day before"); Intl is the slow part of validating, so remember them.
const bracketCache = new Map<string, Map<number, number>>();

function bracketOffset(tz: string, ms: number): number {
  let m = bracketCache.get(tz);
  if (!m) bracketCache.set(tz, (m = new Map()));
  let v = m.get(ms);
  if (v === undefined) {
    if (m.size > 50_000) m.clear();
    m.set(ms, (v = zoneOffsetMs(tz, ms)));
  }
  return v;
}

/**
 * The instant at which clocks in tz show `seconds` after midnight of `date`. A wall time that
 * happens twice (clocks set back) gives the earlier instant; one that never happens (clocks set
 * forward) is moved forward by the gap, as Temporal's "compatible" does: 02:30 on a spring-forward
 * night in New York becomes 03:30.
 */
export function zonedToEpoch(tz: string, date: string, seconds: number): number {
  const wall = dayNumber(date) * 86_400_000 + seconds * 1000;
  // Offsets a day either side bracket any transition near this wall time (zones change at most
  // a few times a year), so the right offset is one of these two.
  const before = bracketOffset(tz, wall - 86_400_000);
  const after = bracketOffset(tz, wall + 86_400_000);
  if (before === after) return wall - before;
  const fits = [wall - before, wall - after].filter((t) => zoneOffsetMs(tz, t) === wall - t);
  if (fits.length > 0) return Math.min(...fits);
  return wall - before;
}

/** The local date and seconds after local midnight of instant ms in tz. */
export function epochToZoned(tz: string, ms: number): { date: string; seconds: number } {
  const wall = wallAsUtc(tz, ms);
  const day = Math.floor(wall / 86_400_000);
  return { date: dateOfDay(day), seconds: Math.floor((wall - day * 86_400_000) / 1000) };
}

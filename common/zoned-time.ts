// Time-zone arithmetic, once for the hub, its schedule files and the CLI: the wall clock of a named
// IANA zone at an instant, and the instant at which that zone's clocks show a wall time (daylight-
// saving gaps and repeats included), whatever the process's own TZ is. Node's Intl does the zone
// work; only the gap and repeat rule is ours (Intl has no wall → instant conversion).

/** The commune's zone when the config, the schedule file or LOA_TZ does not name one. */
export const DEFAULT_TIME_ZONE = 'Asia/Ho_Chi_Minh';

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** True when Intl knows the zone name. */
export function isTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

/** The zone's wall clock at instant ms, written as if it were UTC (ms precision dropped to seconds). */
export function wallClockMs(tz: string, ms: number): number {
  const p: Record<string, string> = {};
  for (const part of formatter(tz).formatToParts(new Date(ms))) p[part.type] = part.value;
  const year = p.era === 'BC' ? 1 - Number(p.year) : Number(p.year);
  return utcMs(year, Number(p.month), Number(p.day), Number(p.hour) % 24, Number(p.minute), Number(p.second));
}

/** What the clocks of tz show at ms, as "YYYY-MM-DD HH:MM:SS" (cut it for the date or the minute). */
export function formatWallTime(tz: string, ms: number): string {
  return new Date(wallClockMs(tz, ms)).toISOString().slice(0, 19).replace('T', ' ');
}

/** True when y-m-d is a real calendar day (not 2026-02-30, which Date would roll into March).
 *  Date.UTC on purpose: years 0–99 come back as 1900–1999 and are refused (no schedule or log
 *  starts in the first century, and the schedule's day numbers use Date.UTC too). */
export function isCalendarDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** A calendar date and time as UTC epoch ms; setUTCFullYear, not Date.UTC, which maps years 0–99
 *  to 1900–1999. Out-of-range days and hours roll over, as with Date.UTC. */
export function utcMs(year: number, month: number, day: number, h = 0, mi = 0, s = 0): number {
  const t = new Date(0);
  t.setUTCFullYear(year, month - 1, day);
  t.setUTCHours(h, mi, s, 0);
  return t.getTime();
}

/** Offset of tz from UTC at instant ms (Asia/Ho_Chi_Minh: +7 h). */
export function zoneOffsetMs(tz: string, ms: number): number {
  return wallClockMs(tz, ms) - Math.floor(ms / 1000) * 1000;
}

// Planning a year asks for the offset at the same times of day again and again (day D's "day
// after" is day D+2's "day before"); Intl is the slow part of validating, so remember them.
const bracketCache = new Map<string, Map<number, number>>();

function bracketOffset(tz: string, ms: number): number {
  let m = bracketCache.get(tz);
  if (!m) {
    m = new Map();
    bracketCache.set(tz, m);
  }
  let v = m.get(ms);
  if (v === undefined) {
    if (m.size > 50_000) m.clear();
    v = zoneOffsetMs(tz, ms);
    m.set(ms, v);
  }
  return v;
}

/**
 * The instant at which clocks in tz show `wall` (a wall time written as UTC epoch ms). A wall time
 * that happens twice (clocks set back) gives the earlier instant; one that never happens (clocks
 * set forward) is moved forward by the gap, as Temporal's "compatible" does: 02:30 on a
 * spring-forward night in New York becomes 03:30.
 */
export function wallToEpoch(tz: string, wall: number): number {
  // Offsets a day either side bracket any transition near this wall time (zones change at most
  // a few times a year), so the right offset is one of these two.
  const before = bracketOffset(tz, wall - DAY_MS);
  const after = bracketOffset(tz, wall + DAY_MS);
  if (before === after) return wall - before;
  const fits = [wall - before, wall - after].filter((t) => zoneOffsetMs(tz, t) === wall - t);
  if (fits.length > 0) return Math.min(...fits);
  return wall - before;
}

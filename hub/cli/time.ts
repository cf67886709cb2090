// Wall-clock times in a named time zone (the hub's, Asia/Ho_Chi_Minh by default): parsing the
// dates an operator types and showing epoch-ms times the way a clock on the wall would.

export const DEFAULT_TZ = 'Asia/Ho_Chi_Minh';

interface Wall {
  y: number;
  mo: number; // 1..12
  d: number;
  h: number;
  mi: number;
  s: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23',
      year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** True when Intl knows the zone name. */
export function isValidTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

export function wallTime(ms: number, tz: string): Wall {
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return { y: parts.year!, mo: parts.month!, d: parts.day!, h: parts.hour! % 24, mi: parts.minute!, s: parts.second! };
}

/** Offset of tz from UTC at instant ms, in ms (Asia/Ho_Chi_Minh: +7 h). */
function offsetAt(ms: number, tz: string): number {
  const w = wallTime(ms, tz);
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - Math.floor(ms / 1000) * 1000;
}

/** The instant at which the clocks of tz show this wall time. */
export function fromWallTime(w: Wall, tz: string): number {
  const guess = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s);
  // Two passes settle zones with daylight saving; one is enough for Asia/Ho_Chi_Minh.
  let ms = guess - offsetAt(guess, tz);
  ms = guess - offsetAt(ms, tz);
  return ms;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

export function formatDate(ms: number, tz: string): string {
  const w = wallTime(ms, tz);
  return `${w.y}-${pad(w.mo)}-${pad(w.d)}`;
}

export function formatDateTime(ms: number, tz: string): string {
  const w = wallTime(ms, tz);
  return `${w.y}-${pad(w.mo)}-${pad(w.d)} ${pad(w.h)}:${pad(w.mi)}`;
}

export function formatClock(ms: number, tz: string): string {
  const w = wallTime(ms, tz);
  return `${pad(w.h)}:${pad(w.mi)}:${pad(w.s)}`;
}

/** ISO 8601 with the zone's offset, e.g. 2025-03-01T05:00:00+07:00 (for CSV files). */
export function formatIsoInZone(ms: number, tz: string): string {
  const w = wallTime(ms, tz);
  const off = Math.round(offsetAt(ms, tz) / 60_000);
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  return `${w.y}-${pad(w.mo)}-${pad(w.d)}T${pad(w.h)}:${pad(w.mi)}:${pad(w.s)}${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const CLOCK = /^(\d{1,2}):(\d{2})$/;
const ABSOLUTE = /(Z|[+-]\d{2}:?\d{2})$/i;

function checkedWall(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): Wall | undefined {
  const probe = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) return undefined;
  if (h > 23 || mi > 59 || s > 59) return undefined;
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
    const next = new Date(Date.UTC(w.y, w.mo - 1, w.d + 1));
    return fromWallTime({ y: next.getUTCFullYear(), mo: next.getUTCMonth() + 1, d: next.getUTCDate(), h: 0, mi: 0, s: 0 }, tz) - 1;
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
  if (at <= now) {
    const next = new Date(Date.UTC(w.y, w.mo - 1, w.d + 1));
    at = fromWallTime({ ...w, y: next.getUTCFullYear(), mo: next.getUTCMonth() + 1, d: next.getUTCDate() }, tz);
  }
  return at;
}

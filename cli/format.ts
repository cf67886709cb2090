// Small formatters for human tables: relative times, durations, sizes, optional numbers.
import type { Catalogue } from './i18n.js';
import { formatDateTime } from './time.js';

export function ago(ms: number | null | undefined, now: number, t: Catalogue): string {
  if (ms === null || ms === undefined) return t.never;
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 5) return t.justNow;
  if (s < 60) return t.secondsAgo(s);
  if (s < 3600) return t.minutesAgo(Math.floor(s / 60));
  if (s < 86_400) return t.hoursAgo(Math.floor(s / 3600));
  return t.daysAgo(Math.floor(s / 86_400));
}

/** 95_000 → "1:35", 3_725_000 → "1:02:05". */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

export function maybe<T>(v: T | null | undefined, t: Catalogue, f: (v: T) => string = String): string {
  return v === null || v === undefined ? t.none : f(v);
}

export function when(ms: number | null | undefined, tz: string, t: Catalogue): string {
  return maybe(ms, t, (v) => formatDateTime(v, tz));
}

/** Keeps table cells one line and readable. */
export function short(text: string | null | undefined, max = 40): string {
  if (!text) return '';
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

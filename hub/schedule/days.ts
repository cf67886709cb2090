// Which days a programme runs on: reading `days:` (weekdays, dates, ranges, holidays, except) from
// the file, and answering "does it run on this local date?".
import { isScalar } from 'yaml';
import { parseDate } from './calendar.js';
import type { DaySelector, SourcePos } from './model.js';
import { closest, slug, type Field, type Reader } from './yaml-reader.js';

type Range = { from: string; to: string };

/** Names a weekday may be written with (after slug): English and Vietnamese (t2 = thứ hai = Monday). */
const WEEKDAY_NAMES: Record<string, number> = {};
const NAMES: [number, string[]][] = [
  [0, ['sun', 'sunday', 'cn', 'chu-nhat', 'chunhat']],
  [1, ['mon', 'monday', 't2', 'thu-2', 'thu-hai', 'thu2']],
  [2, ['tue', 'tuesday', 't3', 'thu-3', 'thu-ba', 'thu3']],
  [3, ['wed', 'wednesday', 't4', 'thu-4', 'thu-tu', 'thu4']],
  [4, ['thu', 'thursday', 't5', 'thu-5', 'thu-nam', 'thu5']],
  [5, ['fri', 'friday', 't6', 'thu-6', 'thu-sau', 'thu6']],
  [6, ['sat', 'saturday', 't7', 'thu-7', 'thu-bay', 'thu7']],
];
for (const [n, names] of NAMES) for (const name of names) WEEKDAY_NAMES[name] = n;

/** `days: daily` (or hang-ngay, moi-ngay, every-day). */
const DAILY = new Set(['daily', 'every-day', 'everyday', 'hang-ngay', 'moi-ngay']);

export const EVERY_DAY: readonly number[] = [0, 1, 2, 3, 4, 5, 6];

function weekday(r: Reader, text: string, pos: SourcePos): number | null {
  const n = WEEKDAY_NAMES[slug(text)];
  if (n === undefined) {
    r.report('SCHEDULE_UNKNOWN_WEEKDAY', pos, { value: text, hint: closest(text, Object.keys(WEEKDAY_NAMES)) });
    return null;
  }
  return n;
}

/** Weekday entries: names and ranges like mon..fri or t2..t6 (a range may wrap: sat..mon). */
function weekdays(r: Reader, f: Field): number[] {
  const out = new Set<number>();
  for (const { text, pos } of r.scalars(f) ?? []) {
    const parts = text.split('..');
    if (parts.length === 2) {
      const a = weekday(r, parts[0]!, pos);
      const b = weekday(r, parts[1]!, pos);
      if (a === null || b === null) continue;
      for (let d = a; ; d = (d + 1) % 7) {
        out.add(d);
        if (d === b) break;
      }
    } else {
      const d = weekday(r, text, pos);
      if (d !== null) out.add(d);
    }
  }
  return [...out].sort((a, b) => a - b);
}

/** One date or "from..to", or null (reported). */
export function dateOrRange(r: Reader, text: string, pos: SourcePos): Range | null {
  const parts = text.split('..').map((s) => s.trim());
  if (parts.length > 2) {
    r.report('SCHEDULE_BAD_DATE', pos, { value: text });
    return null;
  }
  const [from, to] = [parseDate(parts[0]!), parseDate(parts[parts.length - 1]!)];
  if (!from || !to) {
    r.report('SCHEDULE_BAD_DATE', pos, { value: text });
    return null;
  }
  if (from > to) {
    r.report('SCHEDULE_BAD_RANGE', pos, { from, to });
    return null;
  }
  return { from, to };
}

/** Dates, ranges or holiday names (from `holidays:`) of one `dates:` or `except:` list. */
function dateList(r: Reader, f: Field, holidays: Map<string, Range[]>): Range[] {
  const out: Range[] = [];
  for (const { text, pos } of r.scalars(f) ?? []) {
    // Anything starting with a digit is meant as a date; anything else names a holiday.
    if (/^\s*\d/.test(text)) {
      const range = dateOrRange(r, text, pos);
      if (range) out.push(range);
      continue;
    }
    const holiday = holidays.get(text) ?? holidays.get(slug(text));
    if (holiday) out.push(...holiday);
    else r.report('SCHEDULE_UNKNOWN_HOLIDAY', pos, { value: text, hint: closest(text, holidays.keys()) });
  }
  return out;
}

/** Reads a programme's `days:`; absent means every day. */
export function readDays(r: Reader, f: Field | undefined, holidays: Map<string, Range[]>): DaySelector {
  const sel: DaySelector = { weekdays: [...EVERY_DAY], dates: [], ranges: [], except: [] };
  if (!f) return sel;
  if (isScalar(f.value) && typeof f.value.value === 'string' && DAILY.has(slug(f.value.value))) return sel;
  const fields = r.fields(f.value, 'days', 'days', ['weekdays', 'dates', 'except']);
  if (!fields) return sel;
  const wd = fields.get('weekdays');
  const dates = fields.get('dates');
  // Only `except:` given: every day but those.
  sel.weekdays = wd ? weekdays(r, wd) : dates ? [] : [...EVERY_DAY];
  if (dates) {
    for (const range of dateList(r, dates, holidays)) {
      if (range.from === range.to) sel.dates.push(range.from);
      else sel.ranges.push(range);
    }
  }
  const except = fields.get('except');
  if (except) sel.except = dateList(r, except, holidays);
  return sel;
}

/** Reads `holidays:`: name → dates and ranges. */
export function readHolidays(r: Reader, f: Field | undefined): Map<string, Range[]> {
  const out = new Map<string, Range[]>();
  if (!f) return out;
  for (const entry of r.named(f) ?? []) {
    const ranges: Range[] = [];
    for (const { text, pos } of r.scalars(entry) ?? []) {
      const range = dateOrRange(r, text, pos);
      if (range) ranges.push(range);
    }
    out.set(entry.key, ranges);
  }
  return out;
}

export function runsOn(days: DaySelector, date: string, weekdayOfDate: number): boolean {
  if (days.except.some((e) => e.from <= date && date <= e.to)) return false;
  return days.weekdays.includes(weekdayOfDate) || days.dates.includes(date) || days.ranges.some((x) => x.from <= date && date <= x.to);
}

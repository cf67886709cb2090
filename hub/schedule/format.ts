// The schedule file format (docs/schedules.md): YAML text → Schedule, reporting every problem of
// shape, value and reference with its line and column. Programmes are read in programme.ts;
// timing checks live in validate.ts.
import { LineCounter, parseDocument } from 'yaml';
import { DEFAULT_TIME_ZONE, isTimeZone } from '../../common/zoned-time.js';
import { readHolidays } from './days.js';
import type { Schedule, ScheduleContext, ScheduleProblem, Slot, SourcePos } from './model.js';
import { slotOf } from './day-plan.js';
import { readProgramme, time, type ProgrammeSpots, type Scope } from './programme.js';
import { closest, Reader, type Field } from './yaml-reader.js';

export type { ProgrammeSpots } from './programme.js';

export interface ParsedFile {
  /** Null only when the file is not YAML or not a mapping; otherwise a best effort to check further. */
  schedule: Schedule | null;
  problems: ScheduleProblem[];
  spots: Map<string, ProgrammeSpots>;
}

const TOP_KEYS = ['site', 'timezone', 'zones', 'slots', 'holidays', 'programmes', 'events'];
const SITE_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** The usable slots, and the names of those that are there but broken (reported once, here). */
function readSlots(r: Reader, f: Field | undefined): { slots: Slot[]; broken: Set<string> } {
  const slots: Slot[] = [];
  const broken = new Set<string>();
  const at = new Map<string, SourcePos>();
  for (const entry of f ? (r.named(f) ?? []) : []) {
    at.set(entry.key, r.keyPos(entry));
    const fields = r.fields(entry.value, entry.key, 'slot', ['start', 'end'], ['start', 'end']);
    const start = fields?.get('start') ? time(r, fields.get('start')!) : null;
    const end = fields?.get('end') ? time(r, fields.get('end')!) : null;
    if (start && end && start.seconds === end.seconds) r.report('SCHEDULE_EMPTY_SLOT', entry.pos, { slot: entry.key });
    if (start && end && start.seconds !== end.seconds) slots.push({ name: entry.key, start, end });
    else broken.add(entry.key);
  }
  for (const [i, a] of slots.entries()) {
    const other = slots.slice(0, i).find((b) => slotOf([b], a.start.seconds) || slotOf([a], b.start.seconds));
    if (other) r.report('SCHEDULE_SLOTS_OVERLAP', at.get(a.name)!, { slot: a.name, other: other.name });
  }
  return { slots, broken };
}

function readZones(r: Reader, f: Field | undefined, ctx: ScheduleContext): Map<string, string[]> {
  const zones = new Map<string, string[]>();
  const known = new Set(ctx.clusterIds);
  for (const entry of f ? (r.named(f) ?? []) : []) {
    if (entry.key === 'all') {
      r.report('SCHEDULE_RESERVED_ZONE', r.keyPos(entry), {});
      continue;
    }
    const list = entry.value === null ? [] : r.scalars(entry);
    if (!list) continue;
    if (list.length === 0) r.report('SCHEDULE_EMPTY_ZONE', entry.pos, { zone: entry.key });
    const ids: string[] = [];
    for (const { text, pos } of list) {
      if (known.has(text)) ids.push(text);
      else r.report('SCHEDULE_UNKNOWN_CLUSTER', pos, { value: text, hint: closest(text, known) });
    }
    zones.set(entry.key, ids);
  }
  return zones;
}

/** Reads a schedule file. Problems of every kind it can see without timing are in `problems`. */
export function parseSchedule(text: string, file: string, ctx: ScheduleContext): ParsedFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const r = new Reader(doc, lines, file, ctx.lang ?? 'en');
  const spots = new Map<string, ProgrammeSpots>();
  if (doc.errors.length > 0) {
    for (const err of doc.errors) {
      r.report('SCHEDULE_YAML', lines.linePos(err.pos[0]), { detail: (err.message.split('\n')[0] ?? err.message).replace(/ at line \d+, column \d+:?$/, '') });
    }
    return { schedule: null, problems: r.problems, spots };
  }
  if (doc.contents === null) {
    r.report('SCHEDULE_MISSING_KEY', { line: 1, col: 1 }, { key: 'site', where: 'file' });
    return { schedule: null, problems: r.problems, spots };
  }
  const top = r.fields(doc.contents, 'file', 'file', TOP_KEYS, ['site']);
  if (!top) return { schedule: null, problems: r.problems, spots };

  const siteF = top.get('site');
  const siteText = siteF ? r.text(siteF) : null;
  const site = siteText ?? '';
  // The site is an id like a programme's: it is compared with the hub's, and becomes it. A value
  // that is not text has been reported by r.text already.
  if (siteText !== null && !SITE_RE.test(site)) r.report('SCHEDULE_BAD_ID', siteF!.pos, { value: site });
  else if (siteText !== null && ctx.site !== undefined && site !== ctx.site) r.report('SCHEDULE_WRONG_SITE', siteF!.pos, { site, expected: ctx.site });
  const tzF = top.get('timezone');
  let timezone = (tzF && r.text(tzF)) || DEFAULT_TIME_ZONE;
  if (!isTimeZone(timezone)) {
    r.report('SCHEDULE_BAD_TIMEZONE', tzF!.pos, { zone: timezone });
    timezone = DEFAULT_TIME_ZONE;
  }
  const zones = readZones(r, top.get('zones'), ctx);
  const { slots, broken } = readSlots(r, top.get('slots'));
  const schedule: Schedule = { site, timezone, zones: Object.fromEntries(zones), slots, programmes: [] };
  const holidays = readHolidays(r, top.get('holidays'));
  const scope: Scope = { r, ctx, schedule, zones, holidays, spots, ids: new Map(), brokenSlots: broken };
  // Within a slot and a priority, programmes and events take turns in the order of their lines.
  for (const [key, oneOff] of [
    ['programmes', false],
    ['events', true],
  ] as const) {
    const f = top.get(key);
    for (const node of (f && f.value !== null && r.nodes(f)) || []) {
      const p = readProgramme(scope, { key, keyNode: null, value: node, pos: r.posOf(node, f!.pos) }, oneOff);
      if (p) schedule.programmes.push(p);
    }
  }
  return { schedule, problems: r.problems, spots };
}

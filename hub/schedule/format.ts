// The schedule file format (docs/schedules.md): YAML text → Schedule, reporting every problem of
// shape, value and reference with its line and column. Timing checks live in validate.ts.
import { isScalar, LineCounter, parseDocument } from 'yaml';
import { formatTimeOfDay, isTimeZone, parseDate, parseDuration, parseTimeOfDay } from './calendar.js';
import { readDays, readHolidays } from './days.js';
import type { Priority, Programme, Schedule, ScheduleContext, ScheduleItem, ScheduleProblem, Slot, SourcePos, TimeOfDay } from './model.js';
import { endsInSlot, slotOf } from './plan.js';
import { closest, Reader, slug, type Field } from './yaml-reader.js';

export const DEFAULT_TIMEZONE = 'Asia/Ho_Chi_Minh';

/** Where a programme's parts stand in the file, for the timing problems validate.ts finds. */
export interface ProgrammeSpots {
  when: SourcePos;
  items: SourcePos;
  days: SourcePos;
  date: SourcePos | null;
}

export interface ParsedFile {
  /** Null only when the file is not YAML or not a mapping; otherwise a best effort to check further. */
  schedule: Schedule | null;
  problems: ScheduleProblem[];
  spots: Map<string, ProgrammeSpots>;
}

const TOP_KEYS = ['site', 'timezone', 'zones', 'slots', 'holidays', 'programmes', 'events'];
const COMMON_KEYS = ['id', 'name', 'slot', 'at', 'zones', 'clusters', 'priority', 'volume', 'repeat', 'until', 'items'];
const PROGRAMME_KEYS = [...COMMON_KEYS, 'days'];
const EVENT_KEYS = [...COMMON_KEYS, 'date'];
const ITEM_KINDS = ['media', 'silence', 'relay', 'tts'] as const;
const ITEM_KEYS: Record<(typeof ITEM_KINDS)[number], string[]> = {
  media: ['media', 'priority'],
  silence: ['silence', 'priority'],
  relay: ['relay', 'duration', 'priority'],
  tts: ['tts', 'voice', 'priority'],
};

/** Priority names as written (after slug), English and the Vietnamese of Thông tư 39. */
const PRIORITY_NAMES: Record<string, Priority> = {
  emergency: 'emergency', 'khan-cap': 'emergency',
  live: 'live', 'truc-tiep': 'live',
  priority: 'priority', 'uu-tien': 'priority',
  normal: 'normal', 'thong-thuong': 'normal',
  filler: 'filler', nen: 'filler',
};
const PRIORITY_LIST = 'emergency (khẩn cấp), live (trực tiếp), priority (ưu tiên), normal (thông thường), filler (nền)';
const ID_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;

function time(r: Reader, f: Field): TimeOfDay | null {
  const text = r.text(f);
  if (text === null) return null;
  const seconds = parseTimeOfDay(text);
  if (seconds === null) r.report('SCHEDULE_BAD_TIME', f.pos, { value: text });
  return seconds === null ? null : { seconds, text };
}

function readSlots(r: Reader, f: Field | undefined): Slot[] {
  const slots: Slot[] = [];
  const at = new Map<string, SourcePos>();
  for (const entry of f ? (r.named(f) ?? []) : []) {
    at.set(entry.key, r.keyPos(entry));
    const fields = r.fields(entry.value, entry.key, 'slot', ['start', 'end'], ['start', 'end']);
    const start = fields?.get('start') ? time(r, fields.get('start')!) : null;
    const end = fields?.get('end') ? time(r, fields.get('end')!) : null;
    if (!start || !end) continue;
    if (start.seconds === end.seconds) r.report('SCHEDULE_EMPTY_SLOT', entry.pos, { slot: entry.key });
    else slots.push({ name: entry.key, start, end });
  }
  for (const [i, a] of slots.entries()) {
    const other = slots.slice(0, i).find((b) => slotOf([b], a.start.seconds) || slotOf([a], b.start.seconds));
    if (other) r.report('SCHEDULE_SLOTS_OVERLAP', at.get(a.name)!, { slot: a.name, other: other.name });
  }
  return slots;
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

function readItem(r: Reader, node: Field, ctx: ScheduleContext): { item: ScheduleItem; urgent: boolean } | null {
  const pos = node.pos;
  // A bare name is a media item: `items: [quoc-ca, ban-tin-sang]`.
  const bare = isScalar(node.value) ? r.text(node) : null;
  const fields = bare === null ? r.fields(node.value, 'items', 'item', ['media', 'silence', 'relay', 'tts', 'duration', 'voice', 'priority']) : null;
  if (bare === null && !fields) return null;
  const kinds = bare === null ? ITEM_KINDS.filter((k) => fields!.has(k)) : (['media'] as const);
  if (kinds.length !== 1) {
    r.report('SCHEDULE_BAD_ITEM', pos, { found: kinds.join(', ') });
    return null;
  }
  const kind = kinds[0]!;
  for (const f of fields?.values() ?? []) {
    if (!ITEM_KEYS[kind].includes(f.key)) r.report('SCHEDULE_UNKNOWN_KEY', r.keyPos(f), { key: f.key, where: 'item', allowed: ITEM_KEYS[kind].join(', ') });
  }
  let urgent = false;
  const prio = fields?.get('priority');
  if (prio) {
    const text = r.text(prio);
    const p = text === null ? undefined : PRIORITY_NAMES[slug(text)];
    if (p === 'priority' || p === 'normal') urgent = p === 'priority';
    else if (text !== null) r.report('SCHEDULE_UNKNOWN_PRIORITY', prio.pos, { value: text, allowed: 'priority (ưu tiên), normal (thông thường)' });
  }
  const main = fields?.get(kind) ?? node;
  if (kind === 'media') {
    const name = bare ?? r.text(main);
    if (name === null) return null;
    if (!ctx.media.has(name)) {
      r.report('SCHEDULE_UNKNOWN_MEDIA', main.pos, { value: name, hint: closest(name, ctx.media.keys()) });
      return null;
    }
    return { item: { kind, media: name, pos }, urgent };
  }
  if (kind === 'silence') {
    const raw = isScalar(main.value) ? main.value.value : null;
    const ms = typeof raw === 'string' || typeof raw === 'number' ? parseDuration(raw) : null;
    if (ms === null) {
      r.report('SCHEDULE_BAD_DURATION', main.pos, { value: String(raw) });
      return null;
    }
    return { item: { kind, durationMs: ms, pos }, urgent };
  }
  // Relay and text-to-speech are read, so the format is fixed now, but refused until the live-audio issue.
  r.report('SCHEDULE_NOT_SUPPORTED', r.keyPos(main), { kind });
  return null;
}

function readProgramme(r: Reader, node: Field, oneOff: boolean, ctx: ScheduleContext, s: Schedule, zones: Map<string, string[]>,
  holidays: ReturnType<typeof readHolidays>, spots: Map<string, ProgrammeSpots>, ids: Map<string, number>): Programme | null {
  const where = oneOff ? 'event' : 'programme';
  const f = r.fields(node.value, oneOff ? 'events' : 'programmes', where, oneOff ? EVENT_KEYS : PROGRAMME_KEYS, oneOff ? ['id', 'date', 'items'] : ['id', 'items']);
  if (!f) return null;
  let broken = false;
  const idField = f.get('id');
  const id = idField ? r.text(idField) : null;
  if (!idField || id === null) broken = true;
  else if (!ID_RE.test(id)) {
    r.report('SCHEDULE_BAD_ID', idField.pos, { value: id });
    broken = true;
  } else if (ids.has(id)) {
    r.report('SCHEDULE_DUPLICATE_ID', idField.pos, { id, line: ids.get(id)! });
    broken = true;
  } else ids.set(id, idField.pos.line);
  const label = id ?? '?';

  const [atF, slotF] = [f.get('at'), f.get('slot')];
  let when: Programme['when'] | null = null;
  if (atF && slotF) r.report('SCHEDULE_AT_AND_SLOT', r.keyPos(slotF), { id: label });
  else if (!atF && !slotF) r.report('SCHEDULE_NO_TIME', node.pos, { id: label });
  else if (atF) {
    const at = time(r, atF);
    if (at) when = { at };
  } else {
    const name = r.text(slotF!);
    if (name !== null && s.slots.some((x) => x.name === name)) when = { slot: name };
    else if (name !== null) r.report('SCHEDULE_UNKNOWN_SLOT', slotF!.pos, { value: name, hint: closest(name, s.slots.map((x) => x.name)) });
  }

  const clusters = new Set<string>();
  const [zonesF, clustersF] = [f.get('zones'), f.get('clusters')];
  if (!zonesF && !clustersF) r.report('SCHEDULE_NO_TARGET', node.pos, { id: label });
  for (const { text, pos } of (zonesF && r.scalars(zonesF)) || []) {
    const members = text === 'all' ? ctx.clusterIds : zones.get(text);
    if (members) members.forEach((c) => clusters.add(c));
    else r.report('SCHEDULE_UNKNOWN_ZONE', pos, { value: text, hint: closest(text, ['all', ...zones.keys()]) });
  }
  const known = new Set(ctx.clusterIds);
  for (const { text, pos } of (clustersF && r.scalars(clustersF)) || []) {
    if (known.has(text)) clusters.add(text);
    else r.report('SCHEDULE_UNKNOWN_CLUSTER', pos, { value: text, hint: closest(text, known) });
  }

  let priority: Priority = 'normal';
  const prioF = f.get('priority');
  const prioText = prioF ? r.text(prioF) : null;
  if (prioF && prioText !== null) {
    const p = PRIORITY_NAMES[slug(prioText)];
    if (p) priority = p;
    else r.report('SCHEDULE_UNKNOWN_PRIORITY', prioF.pos, { value: prioText, allowed: PRIORITY_LIST });
  }

  let volume: number | null = null;
  const volF = f.get('volume');
  if (volF) {
    const raw = isScalar(volF.value) ? volF.value.value : undefined;
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0 || raw > 100) r.report('SCHEDULE_BAD_VOLUME', volF.pos, { value: String(raw) });
    else {
      volume = raw;
      if (raw > 95) r.report('SCHEDULE_LOUD', volF.pos, { value: raw });
    }
  }

  const repeatF = f.get('repeat');
  const repeat = repeatF ? r.bool(repeatF) === true : false;
  const untilF = f.get('until');
  const until = untilF ? time(r, untilF) : null;
  if (untilF && !repeat) r.report('SCHEDULE_UNTIL_WITHOUT_REPEAT', r.keyPos(untilF), { id: label });
  if (when && repeat) {
    const slot = 'slot' in when ? s.slots.find((x) => x.name === when.slot)! : slotOf(s.slots, when.at.seconds);
    if (slot && until && !endsInSlot(slot, until.seconds)) {
      r.report('SCHEDULE_UNTIL_OUTSIDE_SLOT', untilF!.pos, { id: label, until: until.text, slot: slot.name, start: slot.start.text, end: slot.end.text });
    } else if (!slot && !until && 'at' in when) r.report('SCHEDULE_REPEAT_NO_END', atF!.pos, { id: label, at: when.at.text });
  }
  if (when && 'at' in when && priority !== 'emergency' && !slotOf(s.slots, when.at.seconds)) {
    r.report('SCHEDULE_OUTSIDE_SLOTS', atF!.pos, { id: label, at: formatTimeOfDay(when.at.seconds) });
  }

  let days = readDays(r, f.get('days'), holidays);
  const dateF = f.get('date');
  if (oneOff) {
    const text = dateF ? r.text(dateF) : null;
    const date = text === null ? null : parseDate(text.trim());
    if (text !== null && !date) r.report('SCHEDULE_BAD_DATE', dateF!.pos, { value: text });
    days = { weekdays: [], dates: date ? [date] : [], ranges: [], except: [] };
  }

  const itemsF = f.get('items');
  const items: { item: ScheduleItem; urgent: boolean }[] = [];
  const itemNodes = itemsF ? (itemsF.value === null ? [] : r.nodes(itemsF)) : null;
  if (itemsF && itemNodes?.length === 0) r.report('SCHEDULE_NO_ITEMS', itemsF.pos, { id: label });
  for (const n of itemNodes ?? []) {
    const it = readItem(r, { key: 'items', keyNode: null, value: n, pos: r.posOf(n, itemsF!.pos) }, ctx);
    if (it) items.push(it);
  }
  if (repeat && items.length > 0 && items.every((x) => x.item.kind === 'silence')) r.report('SCHEDULE_REPEAT_SILENCE', repeatF!.pos, { id: label });

  if (broken || !when || id === null) return null;
  const daysF = f.get('days');
  spots.set(id, { when: (atF ?? slotF)!.pos, items: itemsF ? r.keyPos(itemsF) : node.pos, days: daysF ? r.keyPos(daysF) : node.pos, date: dateF?.pos ?? null });
  return {
    id,
    name: (f.get('name') && r.text(f.get('name')!)) || id,
    oneOff,
    days,
    when,
    clusters: [...clusters].sort(),
    priority,
    volume,
    repeat,
    until: repeat ? until : null,
    // Items marked priority play first (Thông tư 39: ưu tiên goes before thông thường).
    items: [...items.filter((x) => x.urgent), ...items.filter((x) => !x.urgent)].map((x) => x.item),
    pos: node.pos,
  };
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
  const top = r.fields(doc.contents, 'file', 'file', TOP_KEYS, ['site']);
  if (!top) return { schedule: null, problems: r.problems, spots };

  const siteF = top.get('site');
  const site = siteF ? (r.text(siteF) ?? '') : '';
  if (siteF && ctx.site !== undefined && site !== ctx.site) r.report('SCHEDULE_WRONG_SITE', siteF.pos, { site, expected: ctx.site });
  const tzF = top.get('timezone');
  let timezone = (tzF && r.text(tzF)) || DEFAULT_TIMEZONE;
  if (!isTimeZone(timezone)) {
    r.report('SCHEDULE_BAD_TIMEZONE', tzF!.pos, { zone: timezone });
    timezone = DEFAULT_TIMEZONE;
  }
  const zones = readZones(r, top.get('zones'), ctx);
  const schedule: Schedule = { site, timezone, zones: Object.fromEntries(zones), slots: readSlots(r, top.get('slots')), programmes: [] };
  const holidays = readHolidays(r, top.get('holidays'));
  const ids = new Map<string, number>();
  // Within a slot and a priority, programmes and events take turns in the order of their lines.
  for (const [key, oneOff] of [['programmes', false], ['events', true]] as const) {
    const f = top.get(key);
    for (const node of (f && f.value !== null && r.nodes(f)) || []) {
      const p = readProgramme(r, { key, keyNode: null, value: node, pos: r.posOf(node, f!.pos) }, oneOff, ctx, schedule, zones, holidays, spots, ids);
      if (p) schedule.programmes.push(p);
    }
  }
  return { schedule, problems: r.problems, spots };
}

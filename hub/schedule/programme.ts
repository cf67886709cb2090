// Reading one programme or event of a schedule file (docs/schedules.md): its id, start, targets,
// priority, volume, repeat and items, each problem reported where it stands.
import { isScalar } from 'yaml';
import { formatTimeOfDay, parseDate, parseDuration, parseTimeOfDay } from './calendar.js';
import { readDays, type readHolidays } from './days.js';
import type { Priority, Programme, Schedule, ScheduleContext, ScheduleItem, Slot, SourcePos, TimeOfDay } from './model.js';
import { endsInSlot, slotOf } from './day-plan.js';
import { closest, slug, type Field, type Reader } from './yaml-reader.js';

/** Where a programme's parts stand in the file, for the timing problems validate.ts finds. */
export interface ProgrammeSpots {
  when: SourcePos;
  items: SourcePos;
  days: SourcePos;
  date: SourcePos | null;
}

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
  emergency: 'emergency',
  'khan-cap': 'emergency',
  live: 'live',
  'truc-tiep': 'live',
  priority: 'priority',
  'uu-tien': 'priority',
  normal: 'normal',
  'thong-thuong': 'normal',
  filler: 'filler',
  nen: 'filler',
};
const PRIORITY_LIST = 'emergency (khẩn cấp), live (trực tiếp), priority (ưu tiên), normal (thông thường), filler (nền)';
const ID_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function time(r: Reader, f: Field): TimeOfDay | null {
  const text = r.text(f);
  if (text === null) return null;
  const seconds = parseTimeOfDay(text);
  if (seconds === null) r.report('SCHEDULE_BAD_TIME', f.pos, { value: text });
  return seconds === null ? null : { seconds, text };
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
  if (kind === 'tts') {
    const text = r.text(main);
    const voiceF = fields?.get('voice');
    const voice = voiceF ? r.text(voiceF) : null;
    if (text === null || (voiceF && voice === null)) return null;
    // The hub made the speech before validating (hub/scheduler/service.ts): here it is looked up.
    const made = ctx.speech?.(text, voice);
    if (!made || 'error' in made) {
      r.report('SCHEDULE_TTS_FAILED', main.pos, { detail: made ? made.error : 'the speech was not made (validate through the hub: `loa schedule validate`).' });
      return null;
    }
    return { item: { kind, text, voice, mediaId: made.id, durationMs: made.durationMs, pos }, urgent };
  }
  // A relay has no length of its own (a station never ends): the item needs \`duration\`.
  const url = r.text(main);
  if (url === null) return null;
  const why = relayUrlProblem(url);
  if (why) {
    r.report('SCHEDULE_BAD_RELAY_URL', main.pos, { value: url.length > 80 ? `${url.slice(0, 77)}...` : url, why });
    return null;
  }
  const durF = fields?.get('duration');
  if (!durF) {
    r.report('SCHEDULE_MISSING_KEY', pos, { key: 'duration', where: 'item' });
    return null;
  }
  const raw = isScalar(durF.value) ? durF.value.value : null;
  const ms = typeof raw === 'string' || typeof raw === 'number' ? parseDuration(raw) : null;
  if (ms === null) {
    r.report('SCHEDULE_BAD_DURATION', durF.pos, { value: String(raw) });
    return null;
  }
  return { item: { kind, url, durationMs: ms, pos }, urgent };
}

/** Longest relay address accepted: station URLs are short; a huge one is a paste gone wrong. */
export const RELAY_URL_MAX = 2048;

/** Why a relay address cannot be used, or null: the live service reads http(s) only. */
export function relayUrlProblem(url: string): 'scheme' | 'length' | 'url' | null {
  if (url.length > RELAY_URL_MAX) return 'length';
  if (!/^https?:\/\//i.test(url)) return 'scheme';
  try {
    const u = new URL(url);
    return u.hostname ? null : 'url';
  } catch {
    return 'url';
  }
}

/** What reading one programme needs from the rest of the file. */
export interface Scope {
  r: Reader;
  ctx: ScheduleContext;
  schedule: Schedule;
  zones: Map<string, string[]>;
  holidays: ReturnType<typeof readHolidays>;
  spots: Map<string, ProgrammeSpots>;
  /** Ids seen so far, with their line. */
  ids: Map<string, number>;
  /** Slots named in the file but broken (a bad time, no length): reported where they stand, so a
   *  programme naming one says nothing more, and the hours of the slots are not known for sure. */
  brokenSlots: ReadonlySet<string>;
}

/** The id, or null (reported) when it is missing, malformed or already taken. */
function readId(r: Reader, f: Field | undefined, ids: Map<string, number>): string | null {
  const id = f ? r.text(f) : null;
  if (!f || id === null) return null;
  if (!ID_RE.test(id)) r.report('SCHEDULE_BAD_ID', f.pos, { value: id });
  else if (ids.has(id)) r.report('SCHEDULE_DUPLICATE_ID', f.pos, { id, line: ids.get(id)! });
  else {
    ids.set(id, f.pos.line);
    return id;
  }
  return null;
}

function readWhen(r: Reader, f: Map<string, Field>, slots: Slot[], broken: ReadonlySet<string>, label: string, at: SourcePos): Programme['when'] | null {
  const [atF, slotF] = [f.get('at'), f.get('slot')];
  if (atF && slotF) r.report('SCHEDULE_AT_AND_SLOT', r.keyPos(slotF), { id: label });
  else if (!atF && !slotF) r.report('SCHEDULE_NO_TIME', at, { id: label });
  else if (atF) {
    const t = time(r, atF);
    return t && { at: t };
  } else {
    const name = r.text(slotF!);
    if (name !== null && slots.some((x) => x.name === name)) return { slot: name };
    if (name !== null && !broken.has(name))
      r.report('SCHEDULE_UNKNOWN_SLOT', slotF!.pos, { value: name, hint: closest(name, [...slots.map((x) => x.name), ...broken]) });
  }
  return null;
}

/** `zones` and `clusters` together, as sorted cluster ids. */
function readTargets(sc: Scope, f: Map<string, Field>, label: string, at: SourcePos): string[] {
  const { r, ctx, zones } = sc;
  const clusters = new Set<string>();
  const [zonesF, clustersF] = [f.get('zones'), f.get('clusters')];
  if (!zonesF && !clustersF) r.report('SCHEDULE_NO_TARGET', at, { id: label });
  for (const { text, pos } of (zonesF && r.scalars(zonesF)) || []) {
    const members = text === 'all' ? ctx.clusterIds : zones.get(text);
    if (members) {
      for (const c of members) clusters.add(c);
    } else r.report('SCHEDULE_UNKNOWN_ZONE', pos, { value: text, hint: closest(text, ['all', ...zones.keys()]) });
  }
  const known = new Set(ctx.clusterIds);
  for (const { text, pos } of (clustersF && r.scalars(clustersF)) || []) {
    if (known.has(text)) clusters.add(text);
    else r.report('SCHEDULE_UNKNOWN_CLUSTER', pos, { value: text, hint: closest(text, known) });
  }
  return [...clusters].sort();
}

export function readProgramme(sc: Scope, node: Field, oneOff: boolean): Programme | null {
  const { r, ctx, schedule: s } = sc;
  const f = r.fields(
    node.value,
    oneOff ? 'events' : 'programmes',
    oneOff ? 'event' : 'programme',
    oneOff ? EVENT_KEYS : PROGRAMME_KEYS,
    oneOff ? ['id', 'date', 'items'] : ['id', 'items'],
  );
  if (!f) return null;
  const id = readId(r, f.get('id'), sc.ids);
  const idNode = f.get('id')?.value;
  const label = id ?? (isScalar(idNode) ? String(idNode.value) : '?');
  const [atF, slotF] = [f.get('at'), f.get('slot')];
  const when = readWhen(r, f, s.slots, sc.brokenSlots, label, node.pos);
  // Whether a fixed time falls in a slot cannot be told while a slot is broken.
  const slotsKnown = sc.brokenSlots.size === 0;
  const clusters = readTargets(sc, f, label, node.pos);

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
    // At a fixed time in a slot, `until` must fall between that time and the slot's end.
    const from = slot && 'at' in when ? { ...slot, start: when.at } : slot;
    if (from && until && !endsInSlot(from, until.seconds)) {
      r.report('SCHEDULE_UNTIL_OUTSIDE_SLOT', untilF!.pos, { id: label, until: until.text, slot: from.name, start: from.start.text, end: from.end.text });
    } else if (!slot && !until && 'at' in when && slotsKnown) r.report('SCHEDULE_REPEAT_NO_END', atF!.pos, { id: label, at: when.at.text });
  }
  if (when && 'at' in when && priority !== 'emergency' && slotsKnown && !slotOf(s.slots, when.at.seconds)) {
    r.report('SCHEDULE_OUTSIDE_SLOTS', atF!.pos, { id: label, at: formatTimeOfDay(when.at.seconds) });
  }

  let days = readDays(r, f.get('days'), sc.holidays);
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

  if (!when || id === null) return null;
  const daysF = f.get('days');
  sc.spots.set(id, {
    when: (atF ?? slotF)!.pos,
    items: itemsF ? r.keyPos(itemsF) : node.pos,
    days: daysF ? r.keyPos(daysF) : node.pos,
    date: dateF?.pos ?? null,
  });
  return {
    id,
    name: (f.get('name') && r.text(f.get('name')!)) || id,
    oneOff,
    days,
    when,
    clusters,
    priority,
    volume,
    repeat,
    until: repeat ? until : null,
    // Items marked priority play first (Thông tư 39: ưu tiên goes before thông thường).
    items: [...items.filter((x) => x.urgent), ...items.filter((x) => !x.urgent)].map((x) => x.item),
    pos: node.pos,
  };
}

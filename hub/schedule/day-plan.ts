// One local day of a schedule, planned in absolute time: where each programme starts (its fixed
// time, or its turn in its slot), when it must stop, and where each item falls. Shared by the
// expansion (what the runtime plays) and the validator (what it checks), so the two cannot disagree.
import { addDays, weekdayOf, zonedToEpoch } from './calendar.js';
import { runsOn } from './days.js';
import { priorityRank, type Programme, type Schedule, type ScheduleItem, type Slot } from './model.js';

export type MediaLengths = ReadonlyMap<string, { id: string | null; durationMs: number }>;

export interface PlacedItem {
  /** Index in programme.items (play order) and the repeat round, 0 for the first pass. */
  index: number;
  round: number;
  item: ScheduleItem;
  startAt: number;
  /** Cut at the run's limit when the slot (or `until`) ends first. */
  endAt: number;
  mediaId: string | null;
}

export interface Run {
  programme: Programme;
  /** The local date the programme runs for (a run crossing midnight keeps its start date). */
  localDate: string;
  startAt: number;
  /** Where it must stop: its slot's end, or `until`; null for a fixed time outside every slot. */
  limitAt: number | null;
  /** Where its last item ends (never after limitAt). */
  endAt: number;
  /** Length of one pass through its items. */
  needMs: number;
  items: PlacedItem[];
  /** The slot it runs in (its own, or the one its fixed time falls in). */
  slot: Slot | null;
  /** Slot programmes already placed on its clusters that day, in order (for messages). */
  after: Programme[];
}

/** True when time of day t (seconds) is inside the slot; a slot crossing midnight wraps. */
export function inSlot(slot: Slot, t: number): boolean {
  const [a, b] = [slot.start.seconds, slot.end.seconds];
  return a < b ? a <= t && t < b : t >= a || t < b;
}

/** True when t can end something in the slot: after its start, up to and including its end. */
export function endsInSlot(slot: Slot, t: number): boolean {
  const [a, b] = [slot.start.seconds, slot.end.seconds];
  return a < b ? a < t && t <= b : t > a || t <= b;
}

export function slotOf(slots: readonly Slot[], t: number): Slot | null {
  return slots.find((s) => inSlot(s, t)) ?? null;
}

function itemLength(item: ScheduleItem, media: MediaLengths): number {
  switch (item.kind) {
    case 'media':
      return media.get(item.media)?.durationMs ?? 0;
    case 'silence':
    case 'relay':
    case 'tts':
      return item.durationMs;
  }
}

/** Lays the items end to end from start; a repeating programme loops until limit. */
function place(p: Programme, start: number, limit: number | null, media: MediaLengths): { items: PlacedItem[]; needMs: number } {
  // Items of unknown length (media removed since the schedule was applied) take no time and are skipped.
  const seq = p.items.map((item, index) => ({ item, index, ms: itemLength(item, media) })).filter((x) => x.ms > 0);
  const needMs = seq.reduce((sum, x) => sum + x.ms, 0);
  const items: PlacedItem[] = [];
  const rounds = p.repeat && limit !== null && needMs > 0 ? Infinity : 1;
  let t = start;
  for (let round = 0; round < rounds; round++) {
    for (const { item, index, ms } of seq) {
      if (limit !== null && t >= limit) return { items, needMs };
      const end = limit === null ? t + ms : Math.min(t + ms, limit);
      items.push({
        index,
        round,
        item,
        startAt: t,
        endAt: end,
        mediaId: item.kind === 'media' ? (media.get(item.media)?.id ?? null) : item.kind === 'tts' ? item.mediaId : null,
      });
      t += ms;
    }
  }
  return { items, needMs };
}

/** Epoch ms of time of day t on the day whose slot started on `date`, for slots crossing midnight. */
function inSlotDay(tz: string, date: string, slot: Slot, t: number): number {
  const nextDay = slot.start.seconds > slot.end.seconds && t < slot.start.seconds;
  return zonedToEpoch(tz, nextDay ? addDays(date, 1) : date, t);
}

function runAt(s: Schedule, p: Programme & { when: { at: { seconds: number } } }, date: string, media: MediaLengths): Run {
  const at = p.when.at.seconds;
  const start = zonedToEpoch(s.timezone, date, at);
  const slot = slotOf(s.slots, at);
  // A fixed time in the after-midnight part of a slot belongs to a slot that began the day before.
  const slotDate = slot && slot.start.seconds > slot.end.seconds && at < slot.end.seconds ? addDays(date, -1) : date;
  let limit = slot ? inSlotDay(s.timezone, slotDate, slot, slot.end.seconds) : null;
  if (p.repeat && p.until) {
    const until = zonedToEpoch(s.timezone, p.until.seconds > at ? date : addDays(date, 1), p.until.seconds);
    limit = limit === null ? until : Math.min(limit, until);
  }
  const { items, needMs } = place(p, start, limit, media);
  return { programme: p, localDate: date, startAt: start, limitAt: limit, endAt: items.at(-1)?.endAt ?? start, needMs, items, slot, after: [] };
}

/**
 * Programmes of one slot on one day run one after another: by priority (higher first), then in
 * file order. Each starts as soon as all of its clusters are free, so programmes for different
 * villages run side by side and a programme still starts at one moment on all its clusters.
 */
function runSlot(s: Schedule, slot: Slot, queue: Programme[], date: string, media: MediaLengths): Run[] {
  const slotStart = zonedToEpoch(s.timezone, date, slot.start.seconds);
  const slotEnd = inSlotDay(s.timezone, date, slot, slot.end.seconds);
  const free = new Map<string, { at: number; by: Programme[] }>();
  const runs: Run[] = [];
  const ordered = [...queue].sort((a, b) => priorityRank(b.priority) - priorityRank(a.priority) || a.pos.line - b.pos.line);
  for (const p of ordered) {
    let start = slotStart;
    const after: Programme[] = [];
    for (const c of p.clusters) {
      const f = free.get(c);
      if (!f) continue;
      start = Math.max(start, f.at);
      for (const q of f.by) if (!after.includes(q)) after.push(q);
    }
    const limit = p.repeat && p.until ? Math.min(slotEnd, inSlotDay(s.timezone, date, slot, p.until.seconds)) : slotEnd;
    const { items, needMs } = place(p, Math.min(start, slotEnd), limit, media);
    const endAt = items.at(-1)?.endAt ?? Math.min(start, slotEnd);
    // A repeating programme holds its clusters to its limit even if its last round ends a bit early.
    const busyUntil = p.repeat ? Math.max(endAt, limit) : endAt;
    for (const c of p.clusters) free.set(c, { at: busyUntil, by: [...(free.get(c)?.by ?? []), p] });
    runs.push({ programme: p, localDate: date, startAt: Math.min(start, slotEnd), limitAt: limit, endAt, needMs, items, slot, after });
  }
  return runs;
}

/** Every programme that starts on local date `date` (a slot crossing midnight included whole). */
export function planDay(s: Schedule, media: MediaLengths, date: string): Run[] {
  const wd = weekdayOf(date);
  const today = s.programmes.filter((p) => runsOn(p.days, date, wd));
  const runs: Run[] = [];
  for (const p of today) {
    if ('at' in p.when) runs.push(runAt(s, p as Programme & { when: { at: { seconds: number } } }, date, media));
  }
  for (const slot of s.slots) {
    const queue = today.filter((p) => 'slot' in p.when && p.when.slot === slot.name);
    if (queue.length > 0) runs.push(...runSlot(s, slot, queue, date, media));
  }
  return runs.sort((a, b) => a.startAt - b.startAt || a.programme.pos.line - b.programme.pos.line);
}

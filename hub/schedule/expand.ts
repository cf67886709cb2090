// A validated schedule turned into what the clusters play: one TimelineEntry per cluster per item
// occurrence, in absolute time. Entries of different priorities may overlap on a cluster; at any
// instant a cluster plays the highest-priority entry covering it (the runtime decides that).
import { addDays, epochToZoned } from './calendar.js';
import type { Schedule, ScheduleContext, TimelineEntry } from './model.js';
import { planDay } from './day-plan.js';

function byTime(a: TimelineEntry, b: TimelineEntry): number {
  return a.startAt - b.startAt || (a.clusterId < b.clusterId ? -1 : a.clusterId > b.clusterId ? 1 : 0) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/**
 * Every entry of the programmes that start on local date `localDate` (YYYY-MM-DD in the schedule's
 * zone), sorted by start, then cluster. A programme crossing midnight is entirely in its start
 * date's expansion. `key` is unique together with `clusterId`.
 */
export function expandDay(schedule: Schedule, ctx: ScheduleContext, localDate: string): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  for (const run of planDay(schedule, ctx.media, localDate)) {
    const p = run.programme;
    for (const placed of run.items) {
      if (placed.endAt <= placed.startAt) continue;
      for (const clusterId of p.clusters) {
        out.push({
          key: `${p.id}@${localDate}#${placed.index}.${placed.round}`,
          programmeId: p.id,
          programmeName: p.name,
          clusterId,
          priority: p.priority,
          startAt: placed.startAt,
          endAt: placed.endAt,
          item: placed.item,
          mediaId: placed.mediaId,
          volume: p.volume,
          localDate,
        });
      }
    }
  }
  return out.sort(byTime);
}

/** Entries that overlap [fromMs, toMs), whichever local day their programme started on. */
export function expandRange(schedule: Schedule, ctx: ScheduleContext, fromMs: number, toMs: number): TimelineEntry[] {
  if (toMs <= fromMs) return [];
  // The day before `from` may hold a programme that crosses midnight into the range.
  const last = epochToZoned(schedule.timezone, toMs - 1).date;
  const out: TimelineEntry[] = [];
  for (let d = addDays(epochToZoned(schedule.timezone, fromMs).date, -1); d <= last; d = addDays(d, 1)) {
    for (const e of expandDay(schedule, ctx, d)) if (e.startAt < toMs && e.endAt > fromMs) out.push(e);
  }
  return out.sort(byTime);
}

/** The entries playing at instant atMs (start ≤ atMs < end), on every cluster. */
export function timelineAt(schedule: Schedule, ctx: ScheduleContext, atMs: number): TimelineEntry[] {
  return expandRange(schedule, ctx, atMs, atMs + 1);
}

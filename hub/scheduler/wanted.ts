// What each cluster should be playing at a given instant: the highest-priority entry among the
// schedule's timeline and any active emergency. Pure: the scheduler asks, this answers.
import { createHash } from 'node:crypto';
import { priorityRank, type Priority, type Schedule, type ScheduleContext, type TimelineEntry } from '../schedule/model.js';
import { expandDay } from '../schedule/expand.js';
import { addDays, epochToZoned } from '../schedule/calendar.js';
import type { EmergencyRow } from '../store/index.js';

/** One thing a cluster may be told to play (or to keep silent for, `mediaId` null). */
export interface Wanted {
  /** Unique per cluster-independent occurrence; the broadcast id is derived from it. */
  key: string;
  broadcastId: string;
  /** `adhoc`: an operator's broadcast already sent by the dispatcher; the scheduler only yields to it. */
  kind: 'schedule' | 'emergency' | 'adhoc';
  priority: Priority;
  programmeId: string | null;
  programmeName: string | null;
  mediaId: string | null;
  /** A schedule `relay:` item: the station's address, played as a live stream until `endAt`. */
  relayUrl?: string;
  startAt: number;
  endAt: number;
  volume: number | null;
}

/** Something to send a play for (not silence). An ad-hoc row is always on air: a live stream's row
 *  (hub/live) has no media id, yet the schedule must yield to it, not take it for silence. */
export const playable = (w: Wanted | null): boolean => !!w && (w.mediaId !== null || !!w.relayUrl || w.kind === 'adhoc');

export function broadcastIdFor(key: string): string {
  return `s-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

/** The timeline entry as something to play; entries of all clusters share its key and broadcast. */
export function fromTimeline(e: TimelineEntry): Wanted {
  const key = e.key;
  return {
    key,
    broadcastId: broadcastIdFor(key),
    kind: 'schedule',
    priority: e.priority,
    programmeId: e.programmeId,
    programmeName: e.programmeName,
    mediaId: e.item.kind === 'media' || e.item.kind === 'tts' ? e.mediaId : null,
    ...(e.item.kind === 'relay' ? { relayUrl: e.item.url } : {}),
    startAt: e.startAt,
    endAt: e.endAt,
    volume: e.volume,
  };
}

/** The broadcast row an item is logged under (the same for every cluster that plays it). */
export function broadcastRecord(w: Wanted, mediaId: string | null, now: number) {
  const kind: 'schedule' | 'emergency' = w.kind === 'emergency' ? 'emergency' : 'schedule';
  return {
    id: w.broadcastId,
    mediaId,
    streamUrl: w.relayUrl ?? null,
    startAt: w.startAt,
    plannedEnd: w.endAt,
    createdAt: now,
    createdBy: kind,
    volume: w.volume,
    kind,
    priority: w.priority,
    programmeId: w.programmeId,
    programmeName: w.programmeName,
  };
}

/** The emergency round covering `at` (or about to start), if any. */
export function emergencyAt(e: EmergencyRow, durationMs: number, leadMs: number, at: number): Wanted | null {
  const start0 = e.startedAt + leadMs;
  if (durationMs <= 0) return null;
  let round = 0;
  if (at >= start0) {
    round = Math.floor((at - start0) / durationMs);
    if (!e.repeat && round > 0) return null;
  }
  const key = `emergency:${e.id}#${round}`;
  return {
    key,
    broadcastId: broadcastIdFor(key),
    kind: 'emergency',
    priority: 'emergency',
    programmeId: null,
    programmeName: null,
    mediaId: e.mediaId,
    startAt: start0 + round * durationMs,
    endAt: start0 + (round + 1) * durationMs,
    volume: e.volume,
  };
}

/** Expanded timelines by local date, cached: expansion is pure for a given schedule and context. */
export class TimelineCache {
  private readonly days = new Map<string, Map<string, TimelineEntry[]>>();

  constructor(
    private readonly schedule: Schedule | null,
    private readonly ctx: ScheduleContext,
  ) {}

  get timezone(): string | null {
    return this.schedule?.timezone ?? null;
  }

  /** Entries per cluster of the programmes starting on a local date. */
  day(localDate: string): Map<string, TimelineEntry[]> {
    let d = this.days.get(localDate);
    if (!d) {
      d = new Map();
      if (this.schedule) {
        for (const e of expandDay(this.schedule, this.ctx, localDate)) {
          const list = d.get(e.clusterId) ?? [];
          list.push(e);
          d.set(e.clusterId, list);
        }
      }
      if (this.days.size > 8) this.days.delete(this.days.keys().next().value as string);
      this.days.set(localDate, d);
    }
    return d;
  }

  /** The local dates whose programmes can reach the instant (that day and the day before). */
  datesAround(at: number): string[] {
    if (!this.schedule) return [];
    const { date } = epochToZoned(this.schedule.timezone, at);
    return [addDays(date, -1), date];
  }

  /** Schedule entries of a cluster covering the instant. */
  at(clusterId: string, at: number): TimelineEntry[] {
    return this.datesAround(at).flatMap((d) => (this.day(d).get(clusterId) ?? []).filter((e) => e.startAt <= at && at < e.endAt));
  }

  /** A cluster's entries that overlap [from, until) (looking at every local date in between). */
  between(clusterId: string, from: number, until: number): TimelineEntry[] {
    if (!this.schedule) return [];
    const first = epochToZoned(this.schedule.timezone, from).date;
    const last = epochToZoned(this.schedule.timezone, until).date;
    const out: TimelineEntry[] = [];
    for (let d = addDays(first, -1); d <= last; d = addDays(d, 1)) {
      for (const e of this.day(d).get(clusterId) ?? []) if (e.endAt > from && e.startAt < until) out.push(e);
    }
    return out;
  }

  /** Every entry start and end in (from, to], all clusters: the scheduler wakes at these. */
  boundaries(from: number, to: number): number[] {
    if (!this.schedule) return [];
    const dates = new Set([...this.datesAround(from), ...this.datesAround(to)]);
    const out: number[] = [];
    for (const d of dates) for (const list of this.day(d).values()) for (const e of list) out.push(e.startAt, e.endAt);
    return out.filter((t) => t > from && t <= to);
  }
}

/** Highest priority first; among equals the one that started later (the newer). */
export function pickTop(candidates: Wanted[]): Wanted | null {
  let best: Wanted | null = null;
  for (const c of candidates) {
    if (!best || priorityRank(c.priority) > priorityRank(best.priority) || (c.priority === best.priority && c.startAt > best.startAt)) best = c;
  }
  return best;
}

// Builds a cluster's plan for the next hours from the schedule: the timeline resolved by
// priority (a higher item cuts a lower one, which goes on afterwards at the offset it would have
// reached), as the items a box plays on its own when it cannot reach the hub.
import type { PlanItem } from '../../../protocol/index.js';
import type { MediaRow } from '../../store/index.js';
import { fromTimeline, pickTop, type TimelineCache, type Wanted } from '../wanted.js';

export function buildPlanItems(
  timelines: TimelineCache,
  clusterId: string,
  from: number,
  until: number,
  media: (id: string) => MediaRow | undefined,
  mediaUrl: (id: string) => string,
): { item: PlanItem; wanted: Wanted }[] {
  const entries = timelines.between(clusterId, from, until).map(fromTimeline);
  const cuts = new Set<number>([from, until]);
  for (const e of entries) {
    if (e.startAt > from && e.startAt < until) cuts.add(e.startAt);
    if (e.endAt > from && e.endAt < until) cuts.add(e.endAt);
  }
  const times = [...cuts].sort((a, b) => a - b);
  // Runs of the same winner between consecutive cuts.
  const runs: { w: Wanted; a: number; b: number }[] = [];
  for (let i = 0; i + 1 < times.length; i++) {
    const a = times[i]!;
    const b = times[i + 1]!;
    const w = pickTop(entries.filter((e) => e.startAt <= a && a < e.endAt));
    if (!w) continue;
    const last = runs.at(-1);
    if (last && last.w.key === w.key && last.b === a) last.b = b;
    else runs.push({ w, a, b });
  }
  const items: { item: PlanItem; wanted: Wanted }[] = [];
  for (const { w, a, b } of runs) {
    if (!w.mediaId) continue; // silence: nothing to play
    const m = media(w.mediaId);
    if (!m) continue;
    const offsetMs = Math.max(0, a - w.startAt);
    if (offsetMs >= m.durationMs) continue;
    const naturalEnd = a + m.durationMs - offsetMs;
    items.push({
      wanted: w,
      item: {
        broadcastId: w.broadcastId,
        startAt: a,
        offsetMs,
        ...(b < naturalEnd - 50 ? { stopAt: b } : {}),
        media: { id: m.id, url: mediaUrl(m.id), bytes: m.bytes, durationMs: m.durationMs, format: m.format },
        ...(w.volume !== null ? { volume: w.volume } : {}),
        priority: w.priority,
      },
    });
  }
  return items;
}

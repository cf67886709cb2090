// `loa schedule plan [--date D] [--cluster C]`: one day's expanded timeline from the schedule in
// force, per cluster: start–end, programme, item, priority. Times are the schedule's wall clock
// (its time zone), so they read like the file; the day defaults to today in the hub's zone.
import type { PlanAnswer, PlanItem, TimelineEntry } from '../../api-types.js';
import type { CommandContext } from '../../context.js';
import { usageError } from '../../errors.js';
import type { Catalogue } from '../../i18n.js';
import { mediaTexts } from '../../i18n-media.js';
import type { Block, CommandResult } from '../../output.js';
import { formatClock, formatDate, parseDateBound } from '../../time.js';
import { priorityText } from './show.js';

export interface SchedulePlanOptions {
  date?: string;
  cluster?: string;
}

/** 3000 → "3s", 90_000 → "1m30s", 2500 → "2.5s": the way the schedule file writes lengths. */
export function lengthText(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const parts = [h ? `${h}h` : '', m ? `${m}m` : '', s || (!h && !m) ? `${Number(s.toFixed(3))}s` : ''];
  return parts.join('');
}

function itemText(item: PlanItem, t: Catalogue, mediaId: string | null): string {
  // No id: the media was removed (--force) after the schedule was applied; the item is silent.
  if (item.kind === 'media') return mediaId === null ? mediaTexts(t.lang).removedInPlan(item.media ?? '') : (item.media ?? '');
  if (item.kind === 'silence') return t.silence(lengthText(item.durationMs ?? 0));
  // A text read out: its first words in quotes (PlanItem in api-types.ts does not name `text`).
  const words = (item as { text?: unknown }).text;
  if (item.kind === 'tts' && typeof words === 'string') return `tts "${words.length > 40 ? `${words.slice(0, 39)}…` : words}"`;
  return item.kind;
}

/** HH:MM:SS, with the date in front when it is not the plan's day (a slot across midnight). */
function clockOn(ms: number, date: string, tz: string): string {
  const d = formatDate(ms, tz);
  return d === date ? formatClock(ms, tz) : `${d} ${formatClock(ms, tz)}`;
}

function clusterBlocks(cluster: string, entries: TimelineEntry[], plan: PlanAnswer, t: Catalogue): Block[] {
  return [
    { kind: 'line', text: t.planCluster(cluster, entries.length) },
    {
      kind: 'table',
      head: [t.hTime, t.hProgramme, t.hItem, t.hPriority],
      rows: entries.map((e) => [
        `${clockOn(e.startAt, plan.date, plan.timezone)}–${clockOn(e.endAt, plan.date, plan.timezone)}`,
        e.programmeId, itemText(e.item, t, e.mediaId), priorityText(e.priority, t),
      ]),
    },
  ];
}

export async function schedulePlan(opts: SchedulePlanOptions, ctx: CommandContext): Promise<CommandResult> {
  const { t, tz } = ctx;
  if (opts.date !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(opts.date) || parseDateBound(opts.date, tz, 'from') === undefined)) {
    throw usageError('LOA_CLI_BAD_DATE', t.badDay(opts.date));
  }
  const date = opts.date ?? formatDate(ctx.clock.now(), tz);
  const plan = await ctx.api.get<PlanAnswer>('/api/v1/plan', { date, cluster: opts.cluster });
  const byCluster = new Map<string, TimelineEntry[]>();
  for (const e of plan.entries) byCluster.set(e.clusterId, [...(byCluster.get(e.clusterId) ?? []), e]);
  const clusters = [...byCluster.keys()].sort();
  const view: Block[] = [{ kind: 'line', text: t.planTitle(plan.date, plan.timezone) }];
  if (clusters.length === 0) view.push({ kind: 'line', text: t.planEmpty(plan.date) });
  // The hub sends entries sorted by start, so each cluster's list is in time order already.
  for (const c of clusters) view.push(...clusterBlocks(c, byCluster.get(c)!, plan, t));
  return { json: plan, view };
}

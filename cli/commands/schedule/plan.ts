// `loa schedule plan [--date D] [--cluster C] [--full]`: one day's expanded timeline from the
// schedule in force: start–end, programme, item, priority. By default the rounds of a repeating
// programme are one row and clusters with the same day one block (plan-groups.ts); --full gives
// every item on every cluster. Times are the schedule's wall clock (its time zone), so they read
// like the file; the day defaults to today in the hub's zone.
import type { PlanAnswer, PlanItem, TimelineEntry } from '../../../hub/http/api.js';
import type { CommandContext } from '../../context.js';
import { cliErrors } from '../../errors.js';
import type { Catalogue } from '../../i18n.js';
import { mediaTexts } from '../../i18n-media.js';
import type { Block, CommandResult } from '../../output.js';
import { formatClock, formatDate, parseDateBound } from '../../time.js';
import { groupClusters } from './plan-groups.js';
import { priorityText } from './show.js';

export interface SchedulePlanOptions {
  date?: string;
  cluster?: string;
  /** One row per item per cluster, as the hub expands it. */
  full?: boolean;
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
  if (item.kind === 'media') return mediaId === null ? mediaTexts(t.lang).removedInPlan(item.media) : item.media;
  if (item.kind === 'silence') return t.silence(lengthText(item.durationMs));
  // A text read out: its first words in quotes.
  if (item.kind === 'tts') return `tts "${item.text.length > 40 ? `${item.text.slice(0, 39)}…` : item.text}"`;
  return item.kind;
}

/** HH:MM:SS, with the date in front when it is not the plan's day (a slot across midnight). */
function clockOn(ms: number, date: string, tz: string): string {
  const d = formatDate(ms, tz);
  return d === date ? formatClock(ms, tz) : `${d} ${formatClock(ms, tz)}`;
}

const entryText = (e: TimelineEntry, t: Catalogue): string => itemText(e.item, t, e.mediaId);

/** start–end of a row, in the plan's zone. */
const span = (a: number, b: number, plan: PlanAnswer): string => `${clockOn(a, plan.date, plan.timezone)}–${clockOn(b, plan.date, plan.timezone)}`;

function blockView(clusters: string[], entries: number, rows: string[][], t: Catalogue): Block[] {
  return [
    { kind: 'line', text: clusters.length === 1 ? t.planCluster(clusters[0]!, entries) : t.planClusters(clusters.join(', '), entries) },
    { kind: 'table', head: [t.hTime, t.hProgramme, t.hItem, t.hPriority], rows },
  ];
}

/** Every item of one cluster, one row each (--full). */
function fullBlocks(byCluster: Map<string, TimelineEntry[]>, plan: PlanAnswer, t: Catalogue): Block[] {
  return [...byCluster.keys()].sort().flatMap((c) => {
    const entries = byCluster.get(c)!;
    return blockView(
      [c],
      entries.length,
      entries.map((e) => [span(e.startAt, e.endAt, plan), e.programmeId, entryText(e, t), priorityText(e.priority, t)]),
      t,
    );
  });
}

/** A repeating programme in one row, clusters with the same day in one block. */
function groupedBlocks(byCluster: Map<string, TimelineEntry[]>, plan: PlanAnswer, t: Catalogue): Block[] {
  return groupClusters(byCluster).flatMap((b) => {
    const rows = b.rows.map((r) => {
      const items = r.items.map((e) => entryText(e, t)).join(', ');
      const what = r.roundMs === null ? items : t.planRounds(items, r.rounds, lengthText(r.roundMs));
      return [span(r.startAt, r.endAt, plan), r.programmeId, what, priorityText(r.priority, t)];
    });
    return blockView(b.clusters, b.entries, rows, t);
  });
}

export async function schedulePlan(opts: SchedulePlanOptions, ctx: CommandContext): Promise<CommandResult> {
  const { t, tz } = ctx;
  if (opts.date !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(opts.date) || parseDateBound(opts.date, tz, 'from') === undefined)) {
    throw cliErrors.badDate(t.badDay(opts.date));
  }
  const date = opts.date ?? formatDate(ctx.clock.now(), tz);
  const plan = await ctx.api.get<PlanAnswer>('/api/v1/plan', { date, cluster: opts.cluster });
  const byCluster = new Map<string, TimelineEntry[]>();
  for (const e of plan.entries) byCluster.set(e.clusterId, [...(byCluster.get(e.clusterId) ?? []), e]);
  const view: Block[] = [{ kind: 'line', text: t.planTitle(plan.date, plan.timezone) }];
  if (byCluster.size === 0) view.push({ kind: 'line', text: t.planEmpty(plan.date) });
  // The hub sends entries sorted by start, so each cluster's list is in time order already.
  view.push(...(opts.full ? fullBlocks : groupedBlocks)(byCluster, plan, t));
  return { json: plan, view };
}

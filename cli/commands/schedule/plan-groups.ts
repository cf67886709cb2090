// `loa schedule plan` without --full: a day's timeline folded so a person can read it, losing
// nothing: the rounds of a repeating programme become one row (its span, the items of a round,
// how many rounds begin and how long one lasts: each round starts a round's length after the
// last, and the span's end is where the last stops), and clusters whose rows are all the same
// share one block that names every one of them.
import type { TimelineEntry } from '../../../hub/http/api.js';

export interface PlanRow {
  startAt: number;
  endAt: number;
  programmeId: string;
  priority: string;
  /** The items of one round, in order (one entry per item). */
  items: TimelineEntry[];
  /** Rounds begun (1 for anything that does not repeat). */
  rounds: number;
  /** Length of a whole round; null when it does not repeat. */
  roundMs: number | null;
}

export interface PlanBlock {
  clusters: string[];
  /** Timeline entries per cluster (the same for each). */
  entries: number;
  rows: PlanRow[];
}

/** `programme@date#item.round` → the run (`programme@date`) and the round. */
function runAndRound(key: string): { run: string; round: number } {
  const hash = key.lastIndexOf('#');
  const round = Number(key.slice(key.lastIndexOf('.') + 1));
  return { run: key.slice(0, hash), round: Number.isInteger(round) ? round : 0 };
}

/** One cluster's entries (in time order) as rows: a repeating run's rounds are folded into one. */
export function foldRounds(entries: TimelineEntry[]): PlanRow[] {
  const runs = new Map<string, { round: number; e: TimelineEntry }[]>();
  for (const e of entries) {
    const { run, round } = runAndRound(e.key);
    const list = runs.get(run) ?? [];
    list.push({ round, e });
    runs.set(run, list);
  }
  const rows: PlanRow[] = [];
  const folded = new Set<string>();
  for (const e of entries) {
    const { run } = runAndRound(e.key);
    const mine = runs.get(run)!;
    const rounds = new Set(mine.map((x) => x.round)).size;
    if (rounds < 2) {
      rows.push({ startAt: e.startAt, endAt: e.endAt, programmeId: e.programmeId, priority: e.priority, items: [e], rounds: 1, roundMs: null });
      continue;
    }
    if (folded.has(run)) continue;
    folded.add(run);
    const first = mine.filter((x) => x.round === 0).map((x) => x.e);
    const second = mine.find((x) => x.round === 1)!.e;
    rows.push({
      startAt: mine[0]!.e.startAt,
      endAt: Math.max(...mine.map((x) => x.e.endAt)),
      programmeId: e.programmeId,
      priority: e.priority,
      items: first,
      rounds,
      roundMs: second.startAt - first[0]!.startAt,
    });
  }
  return rows;
}

/** What a row says, to tell clusters with the very same day apart from the others. */
const rowSignature = (r: PlanRow): string =>
  JSON.stringify([r.startAt, r.endAt, r.programmeId, r.priority, r.rounds, r.roundMs, r.items.map((e) => [e.item, e.mediaId, e.startAt, e.endAt])]);

/** Clusters with identical rows share a block; blocks in the order of their first cluster. */
export function groupClusters(byCluster: Map<string, TimelineEntry[]>): PlanBlock[] {
  const blocks = new Map<string, PlanBlock>();
  for (const clusterId of [...byCluster.keys()].sort()) {
    const entries = byCluster.get(clusterId)!;
    const rows = foldRounds(entries);
    const signature = rows.map(rowSignature).join('\n');
    const block = blocks.get(signature);
    if (block) block.clusters.push(clusterId);
    else blocks.set(signature, { clusters: [clusterId], entries: entries.length, rows });
  }
  return [...blocks.values()];
}

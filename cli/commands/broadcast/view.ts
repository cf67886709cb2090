// How a broadcast and its per-cluster targets read in tables.
import { outcomeReason } from '../../../common/i18n/outcomes.js';
import type { Broadcast, Target } from '../../../hub/http/api.js';
import { duration, short, when } from '../../format.js';
import type { Catalogue } from '../../i18n.js';
import type { Block } from '../../output.js';
import { formatClock } from '../../time.js';

export function targetStatus(status: string, t: Catalogue): string {
  return t.target[status] ?? status;
}

export function broadcastStatus(status: string, t: Catalogue): string {
  return t.broadcast[status] ?? status;
}

function clock(ms: number | null, tz: string, t: Catalogue): string {
  return ms === null || ms === undefined ? t.none : formatClock(ms, tz);
}

/** Why it ended so, in the reader's words (common/i18n/outcomes.ts), then the hub's or box's own detail. */
export function reasonText(target: Pick<Target, 'reason' | 'detail'>, t: Catalogue): string {
  return short([outcomeReason(t.lang, target.reason), target.detail].filter(Boolean).join(': '), 50);
}

export function targetsSummary(b: Broadcast, t: Catalogue): string {
  return t.targetSummary(b.targets.filter((x) => x.status === 'finished').length, b.targets.length);
}

export function broadcastFields(b: Broadcast, t: Catalogue, tz: string): Block {
  return {
    kind: 'fields',
    rows: [
      [t.hId, b.id],
      [t.hMedia, `${b.mediaName} (${b.mediaId.slice(0, 12)})`],
      [t.hDuration, duration(b.durationMs)],
      [t.hStart, when(b.startAt, tz, t)],
      [t.hStatus, broadcastStatus(b.status, t)],
      [t.hTargets, targetsSummary(b, t)],
    ],
  };
}

export function targetsTable(targets: Target[], t: Catalogue, tz: string): Block {
  return {
    kind: 'table',
    head: [t.hCluster, t.hStatus, t.hAccepted, t.hStarted, t.hFinished, t.hReason],
    rows: targets.map((x) => [
      x.clusterId,
      targetStatus(x.status, t),
      clock(x.acceptedAt, tz, t),
      clock(x.startedAt, tz, t),
      clock(x.finishedAt, tz, t),
      reasonText(x, t),
    ]),
  };
}

// `loa log`: per-cluster outcomes of broadcasts in a period, as a table, JSON or CSV (for the
// monthly report). Dates are read in the hub's time zone; --to includes that whole day. Since the
// schedules issue an entry also says its kind, programme, planned end and outcome; the CSV adds
// those as new columns at the end so spreadsheets built on the old columns keep working.
import type { LogEntry, LogList } from '../../../hub/http/api.js';
import type { CommandContext } from '../../context.js';
import { cliErrors, usageError } from '../../errors.js';
import type { Catalogue } from '../../i18n.js';
import { duration, when } from '../../format.js';
import type { CommandResult, CsvTable } from '../../output.js';
import { formatClock, formatIsoInZone, parseDateBound } from '../../time.js';
import { reasonText, targetStatus } from '../broadcast/view.js';

export interface LogOptions {
  from?: string;
  to?: string;
  cluster?: string;
}

export const LOG_CSV_HEAD = [
  'broadcast_id',
  'cluster_id',
  'media_id',
  'media_name',
  'planned_start',
  'status',
  'reason',
  'detail',
  'accepted_at',
  'started_at',
  'finished_at',
  'played_s',
  'planned_end',
  'outcome',
  'kind',
  'priority',
  'programme_id',
  'programme_name',
];

function bound(text: string | undefined, which: 'from' | 'to', ctx: CommandContext): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDateBound(text, ctx.tz, which);
  if (ms === undefined) throw cliErrors.badDate(ctx.t.badDate(text));
  return ms;
}

export function logCsv(entries: LogEntry[], tz: string): CsvTable {
  const iso = (ms: number | null | undefined): string => (ms === null || ms === undefined ? '' : formatIsoInZone(ms, tz));
  return {
    head: LOG_CSV_HEAD,
    rows: entries.map((e) => [
      e.broadcastId,
      e.clusterId,
      e.mediaId,
      e.mediaName,
      iso(e.plannedStart),
      e.status,
      e.reason,
      e.detail,
      iso(e.acceptedAt),
      iso(e.startedAt),
      iso(e.finishedAt),
      e.playedMs === null || e.playedMs === undefined ? '' : (e.playedMs / 1000).toFixed(1),
      iso(e.plannedEnd ?? null),
      e.outcome,
      e.kind,
      e.priority,
      e.programmeId,
      e.programmeName,
    ]),
  };
}

/** The operator's word for what came of it; a hub without outcomes gives the delivery status. */
function outcomeText(e: LogEntry, t: Catalogue): string {
  return e.outcome ? (t.outcome[e.outcome] ?? e.outcome) : targetStatus(e.status, t);
}

export async function log(opts: LogOptions, ctx: CommandContext): Promise<CommandResult> {
  const { t, tz } = ctx;
  const from = bound(opts.from, 'from', ctx);
  const to = bound(opts.to, 'to', ctx);
  if (from !== undefined && to !== undefined && from > to) throw usageError('LOA_CLI_BAD_RANGE', t.badRange);
  const body = await ctx.api.get<LogList>('/api/v1/log', { from, to, cluster: opts.cluster });
  const clock = (ms: number | null | undefined): string => (ms === null || ms === undefined ? t.none : formatClock(ms, tz));
  const finished = body.entries.filter((e) => e.status === 'finished').length;
  return {
    json: body,
    csv: logCsv(body.entries, tz),
    view: [
      {
        kind: 'table',
        head: [t.hPlanned, t.hPlannedEnd, t.hCluster, t.hKind, t.hProgramme, t.hMedia, t.hOutcome, t.hStarted, t.hFinished, t.hPlayed, t.hReason],
        rows: body.entries.map((e) => [
          when(e.plannedStart, tz, t),
          clock(e.plannedEnd),
          e.clusterId,
          e.kind ? (t.kind[e.kind] ?? e.kind) : t.none,
          e.programmeId ?? t.none,
          e.mediaName,
          outcomeText(e, t),
          clock(e.startedAt),
          clock(e.finishedAt),
          e.playedMs === null || e.playedMs === undefined ? t.none : duration(e.playedMs),
          reasonText(e, t),
        ]),
        empty: t.noLogEntries,
      },
      ...(body.entries.length > 0 ? [{ kind: 'line' as const, text: t.logSummary(body.entries.length, finished) }] : []),
    ],
  };
}

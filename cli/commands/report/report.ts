// `loa report --month YYYY-MM`: the month's broadcast report for the district office, per cluster
// and in total: hours on air, items played, partial, preempted, missed, failed, availability.
// Availability counted from when a cluster was added (not the 1st) is marked * and the note says
// when. The CSV has stable English column names, like `loa log --csv`.
import type { ReportAnswer, ReportRow } from '../../../hub/http/api.js';
import type { CommandContext } from '../../context.js';
import { cliErrors } from '../../errors.js';
import type { Catalogue } from '../../i18n.js';
import type { Block, CommandResult, CsvTable } from '../../output.js';
import { formatDate, formatDateTime, formatIsoInZone } from '../../time.js';

export const REPORT_CSV_HEAD = [
  'month',
  'cluster_id',
  'hours_on_air',
  'played',
  'partial',
  'preempted',
  'missed',
  'failed',
  'availability_pct',
  'availability_from',
];

/** The total row's cluster_id in the CSV: upper case, so no cluster id can look like it. */
export const REPORT_TOTAL_ID = 'TOTAL';

const percent = (share: number | null): string => (share === null ? '' : (share * 100).toFixed(1));

export function reportCsv(r: ReportAnswer): CsvTable {
  const row = (x: ReportRow, id: string) => [
    r.month,
    id,
    x.hoursOnAir.toFixed(2),
    x.played,
    x.partial,
    x.preempted,
    x.missed,
    x.failed,
    percent(x.availability),
    x.availabilityFrom === null ? '' : formatIsoInZone(x.availabilityFrom, r.timezone),
  ];
  return { head: REPORT_CSV_HEAD, rows: [...r.clusters.map((x) => row(x, x.clusterId)), row(r.total, REPORT_TOTAL_ID)] };
}

/** Counted from when the cluster was added, not from the month's start. */
const sinceAdded = (x: ReportRow, r: ReportAnswer): boolean => x.availabilityFrom !== null && x.availabilityFrom > r.from;

function tableRow(x: ReportRow, name: string, r: ReportAnswer): string[] {
  const availability = x.availability === null ? '–' : `${percent(x.availability)} %${sinceAdded(x, r) ? ' *' : ''}`;
  return [name, x.hoursOnAir.toFixed(2), String(x.played), String(x.partial), String(x.preempted), String(x.missed), String(x.failed), availability];
}

/** One note line per time clusters were added (to the minute), naming them. */
function addedNotes(r: ReportAnswer, t: Catalogue): Block[] {
  const byTime = new Map<string, string[]>();
  for (const x of r.clusters) {
    if (!sinceAdded(x, r)) continue;
    const at = formatDateTime(x.availabilityFrom!, r.timezone);
    byTime.set(at, [...(byTime.get(at) ?? []), x.clusterId]);
  }
  return [...byTime].map(([at, ids]) => ({ kind: 'line', text: t.reportAddedNote(at, ids.join(', ')) }));
}

function checkMonth(text: string, t: Catalogue): string {
  const m = /^(\d{4})-(\d{2})$/.exec(text.trim());
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) throw cliErrors.badDate(t.badMonth(text));
  return text.trim();
}

export async function report(opts: { month?: string }, ctx: CommandContext): Promise<CommandResult> {
  const { t, tz } = ctx;
  const month = opts.month === undefined ? formatDate(ctx.clock.now(), tz).slice(0, 7) : checkMonth(opts.month, t);
  const body = await ctx.api.get<ReportAnswer>('/api/v1/report', { month });
  return {
    json: body,
    csv: reportCsv(body),
    view: [
      { kind: 'line', text: t.reportTitle(body.month, body.timezone) },
      {
        kind: 'table',
        head: [t.hCluster, t.hHoursOnAir, t.hPlayed, t.hPartial, t.hPreempted, t.hMissed, t.hFailed, t.hAvailability],
        rows: [...body.clusters.map((x) => tableRow(x, x.clusterId, body)), tableRow(body.total, t.total, body)],
      },
      { kind: 'line', text: t.reportNote },
      ...addedNotes(body, t),
    ],
  };
}

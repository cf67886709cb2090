// `loa report --month YYYY-MM`: the month's broadcast report for the district office, per cluster
// and in total: hours on air, items played, partial, preempted, missed, failed, availability.
// The CSV has stable English column names, like `loa log --csv`.
import type { ReportAnswer, ReportRow } from '../../api-types.js';
import type { CommandContext } from '../../context.js';
import { usageError } from '../../errors.js';
import type { Catalogue } from '../../i18n.js';
import type { CommandResult, CsvTable } from '../../output.js';
import { formatDate } from '../../time.js';

export const REPORT_CSV_HEAD = [
  'month', 'cluster_id', 'hours_on_air', 'played', 'partial', 'preempted', 'missed', 'failed', 'availability_pct',
];

/** The total row's cluster_id in the CSV: upper case, so no cluster id can look like it. */
export const REPORT_TOTAL_ID = 'TOTAL';

const percent = (share: number): string => (share * 100).toFixed(1);

export function reportCsv(r: ReportAnswer): CsvTable {
  const row = (x: ReportRow, id: string) => [r.month, id, x.hoursOnAir.toFixed(2), x.played, x.partial, x.preempted, x.missed, x.failed, percent(x.availability)];
  return { head: REPORT_CSV_HEAD, rows: [...r.clusters.map((x) => row(x, x.clusterId)), row(r.total, REPORT_TOTAL_ID)] };
}

function tableRow(x: ReportRow, name: string): string[] {
  return [name, x.hoursOnAir.toFixed(2), String(x.played), String(x.partial), String(x.preempted), String(x.missed), String(x.failed), `${percent(x.availability)} %`];
}

function checkMonth(text: string, t: Catalogue): string {
  const m = /^(\d{4})-(\d{2})$/.exec(text.trim());
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) throw usageError('LOA_CLI_BAD_DATE', t.badMonth(text));
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
        rows: [...body.clusters.map((x) => tableRow(x, x.clusterId)), tableRow(body.total, t.total)],
      },
      { kind: 'line', text: t.reportNote },
    ],
  };
}

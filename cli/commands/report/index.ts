// `loa report`: registers the monthly broadcast report command.
import type { Command } from 'commander';
import type { CommandHost } from '../../host.js';
import { report } from './report.js';

export function registerReport(program: Command, host: CommandHost): void {
  program
    .command('report')
    .description('monthly broadcast report per cluster and in total (for the district office)')
    .option('--month <month>', "YYYY-MM (default: this month in the hub's time zone)")
    .option('--csv', 'CSV for a spreadsheet (RFC 4180, English column names)')
    .action((o: { month?: string }, cmd: Command) => host.run(cmd, (ctx) => report(o, ctx)));
}

// `loa log`: registers the broadcast log command.
import type { Command } from 'commander';
import type { CommandHost } from '../../host.js';
import { textParser } from '../../parse.js';
import { log, type LogOptions } from './log.js';

export function registerLog(program: Command, host: CommandHost): void {
  program
    .command('log')
    .description("per-cluster broadcast outcomes (dates in the hub's time zone, see --tz)")
    .option('--from <date>', 'first day (YYYY-MM-DD) or time (ISO), inclusive')
    .option('--to <date>', 'last day (YYYY-MM-DD, the whole day) or time (ISO), inclusive')
    .option('--cluster <id>', 'only this cluster', textParser('--cluster', 200, host.t))
    .option('--csv', 'CSV for a spreadsheet (RFC 4180, times in ISO 8601)')
    .action((o: LogOptions, cmd: Command) => host.run(cmd, (ctx) => log(o, ctx)));
}

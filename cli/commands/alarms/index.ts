// `loa alarms`: registers the alarms command.
import type { Command } from 'commander';
import type { CommandHost } from '../../host.js';
import { parseLimit } from '../../parse.js';
import { alarms, type AlarmsOptions } from './list.js';

export function registerAlarms(program: Command, host: CommandHost): void {
  program
    .command('alarms')
    .description('open alarms: clusters offline too long, too hot, throttled, items that failed to play, caches too small')
    .option('--all', 'cleared alarms too, newest first')
    .option('--limit <n>', 'how many (1–1000, default 100)', (v: string) => parseLimit(v, host.t))
    .action((o: AlarmsOptions, cmd: Command) => host.run(cmd, (ctx) => alarms(o, ctx)));
}

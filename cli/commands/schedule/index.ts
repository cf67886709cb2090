// `loa schedule …`: registers the schedule commands (validate, apply, show, plan).
import type { Command } from 'commander';
import type { CommandHost } from '../../host.js';
import { textParser } from '../../parse.js';
import { scheduleApply } from './apply.js';
import { schedulePlan, type SchedulePlanOptions } from './plan.js';
import { scheduleShow, type ScheduleShowOptions } from './show.js';
import { scheduleValidate } from './validate.js';

export function registerSchedule(program: Command, host: CommandHost): void {
  const g = program.command('schedule').description('the weekly programme: check and apply a schedule file, show it, plan a day');
  g.command('validate')
    .description('check a schedule file; every problem with file:line:column (exit 1 on errors)')
    .argument('<file>', 'schedule file (YAML, see docs/schedules.md)')
    .action((file: string, _o: unknown, cmd: Command) => host.run(cmd, (ctx) => scheduleValidate({ file }, ctx)));
  g.command('apply')
    .description('put a schedule file in force as a new version (refused whole if it has errors)')
    .argument('<file>', 'schedule file (YAML)')
    .option('--dry-run', 'only show what would change; apply nothing')
    .action((file: string, o: { dryRun?: boolean }, cmd: Command) => host.run(cmd, (ctx) => scheduleApply({ file, ...o }, ctx)));
  g.command('show')
    .description('the schedule in force: version, who applied it and when, its programmes')
    .option('--versions', 'list every version applied, newest first')
    .option('--text', 'print the stored file exactly as it was applied')
    .action((o: ScheduleShowOptions, cmd: Command) => host.run(cmd, (ctx) => scheduleShow(o, ctx)));
  g.command('plan')
    .description("one day's timeline per cluster, from the schedule in force")
    .option('--date <date>', "the day, YYYY-MM-DD (default: today in the hub's time zone)")
    .option('--cluster <id>', 'only this cluster', textParser('--cluster', 200, host.t))
    .option('--full', 'every item on every cluster (default: the rounds of a repeating programme in one row, clusters with the same day together)')
    .action((o: SchedulePlanOptions, cmd: Command) => host.run(cmd, (ctx) => schedulePlan(o, ctx)));
}

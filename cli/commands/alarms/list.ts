// `loa alarms`: the open alarms of clusters (and cameras), or with --all the cleared ones too.
import type { CommandContext } from '../../context.js';
import type { CommandResult } from '../../output.js';
import type { Alarm } from '../../../hub/http/api.js';
import { alarmsTable } from './view.js';

export interface AlarmsOptions {
  all?: boolean;
  limit?: number;
}

export async function alarms(opts: AlarmsOptions, ctx: CommandContext): Promise<CommandResult> {
  const body = await ctx.api.get<{ alarms: Alarm[] }>('/api/v1/alarms', { all: opts.all ? 1 : undefined, limit: opts.limit });
  const { t } = ctx;
  const open = body.alarms.filter((a) => a.clearedAt === null).length;
  const view = [alarmsTable(body.alarms, ctx, { cleared: opts.all === true, empty: opts.all ? t.noAlarms : t.noOpenAlarms })];
  if (body.alarms.length > 0) view.push({ kind: 'line', text: opts.all ? t.alarmsSummary(open, body.alarms.length) : t.openAlarmsTitle(open) });
  return { json: body, view };
}

// `loa emergency status`: the emergencies on air now, if any.
import type { Emergency } from '../../../hub/http/api.js';
import type { CommandContext } from '../../context.js';
import type { CommandResult } from '../../output.js';
import { emergencyTable, mediaNames } from './view.js';

export async function emergencyStatus(_opts: Record<string, never>, ctx: CommandContext): Promise<CommandResult> {
  const { t, tz } = ctx;
  const body = await ctx.api.get<{ active: Emergency[] }>('/api/v1/emergency');
  if (body.active.length === 0) return { json: body, view: [{ kind: 'line', text: t.emergencyNone }] };
  const names = await mediaNames(ctx.api);
  return {
    json: body,
    view: [{ kind: 'line', text: t.emergencyActive(body.active.length) }, emergencyTable(body.active, names, t, tz)],
  };
}

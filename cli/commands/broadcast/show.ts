// `loa broadcast show ID`: one broadcast and what happened on each of its clusters.
import type { BroadcastOne } from '../../../hub/http/api.js';
import type { CommandContext } from '../../context.js';
import type { CommandResult } from '../../output.js';
import { broadcastFields, targetsTable } from './view.js';

export async function broadcastShow(opts: { id: string }, ctx: CommandContext): Promise<CommandResult> {
  const body = await ctx.api.get<BroadcastOne>(`/api/v1/broadcasts/${encodeURIComponent(opts.id)}`);
  const { t, tz } = ctx;
  return { json: body, view: [broadcastFields(body.broadcast, t, tz), targetsTable(body.broadcast.targets, t, tz)] };
}

// `loa clusters remove ID`: deletes a cluster at once (no question asked: scripts use it too).
import type { CommandContext } from '../../context.js';
import type { CommandResult } from '../../output.js';

export async function clustersRemove(opts: { id: string }, ctx: CommandContext): Promise<CommandResult> {
  const body = await ctx.api.delete<{ removed: string }>(`/api/v1/clusters/${encodeURIComponent(opts.id)}`);
  return { json: { removed: body.removed }, view: [{ kind: 'line', text: ctx.t.clusterRemoved(body.removed) }] };
}

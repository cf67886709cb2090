// `loa tokens remove ID`: revokes a token at once.
import type { CommandContext } from '../../context.js';
import type { CommandResult } from '../../output.js';

export async function tokensRemove(opts: { id: string }, ctx: CommandContext): Promise<CommandResult> {
  const body = await ctx.api.delete<{ removed: string }>(`/api/v1/tokens/${encodeURIComponent(opts.id)}`);
  return { json: { removed: body.removed }, view: [{ kind: 'line', text: ctx.t.tokenRemoved(body.removed) }] };
}

// `loa cameras remove ID`: forgets a camera at once (no question asked: scripts use it too).
import type { CommandContext } from '../../context.js';
import type { CommandResult } from '../../output.js';

export async function camerasRemove(opts: { id: string }, ctx: CommandContext): Promise<CommandResult> {
  const body = await ctx.api.delete<{ removed: string }>(`/api/v1/cameras/${encodeURIComponent(opts.id)}`);
  return { json: { removed: body.removed }, view: [{ kind: 'line', text: ctx.t.cameraRemoved(body.removed) }] };
}

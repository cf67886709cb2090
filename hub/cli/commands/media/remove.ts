// `loa media remove ID`: deletes a media item (by id, unique id start or exact name).
import type { CommandContext } from '../../context.js';
import type { CommandResult } from '../../output.js';
import { resolveMedia } from './resolve.js';

export async function mediaRemove(opts: { ref: string }, ctx: CommandContext): Promise<CommandResult> {
  const media = await resolveMedia(opts.ref, ctx.api, ctx.t);
  const body = await ctx.api.delete<{ removed: string }>(`/api/v1/media/${encodeURIComponent(media.id)}`);
  return { json: { removed: body.removed }, view: [{ kind: 'line', text: ctx.t.mediaRemoved(`${body.removed.slice(0, 12)} "${media.name}"`) }] };
}

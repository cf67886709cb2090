// `loa media remove ID [--force]`: deletes a media item (by id, unique id start or exact name). The
// hub refuses while the schedule in force or a broadcast uses it; --force removes it anyway and
// the answer warns what it was used by (never while an emergency plays it).
import type { CommandContext } from '../../context.js';
import { mediaTexts } from '../../i18n-media.js';
import type { Block, CommandResult } from '../../output.js';
import { mediaRefusal, usageWords, type UsageDetails } from './refusals.js';
import { resolveMedia } from './resolve.js';

interface Removed {
  removed: string;
  name?: string;
  forced?: boolean;
  usage?: UsageDetails;
  stopped?: { broadcastId: string; clusterId: string }[];
}

export async function mediaRemove(opts: { ref: string; force?: boolean }, ctx: CommandContext): Promise<CommandResult> {
  const { t } = ctx;
  const media = await resolveMedia(opts.ref, ctx.api, t);
  let body: Removed;
  try {
    body = await ctx.api.delete<Removed>(`/api/v1/media/${encodeURIComponent(media.id)}${opts.force ? '?force=1' : ''}`);
  } catch (e) {
    throw mediaRefusal(e, t.lang);
  }
  const m = mediaTexts(t.lang);
  const view: Block[] = [{ kind: 'line', text: t.mediaRemoved(`${body.removed.slice(0, 12)} "${media.name}"`) }];
  const uses = body.usage ? usageWords(body.usage, m) : '';
  if (body.forced && uses) view.push({ kind: 'warning', text: m.forced(media.name, uses) });
  if (body.stopped?.length) view.push({ kind: 'warning', text: m.stoppedPlays(body.stopped.length) });
  return { json: body, view };
}

// `loa broadcast play`: plays a media item on chosen clusters (or all), now or at a given time.
import type { Broadcast } from '../../api-types.js';
import type { CommandContext } from '../../context.js';
import { usageError } from '../../errors.js';
import type { CommandResult } from '../../output.js';
import { clusterChoice } from '../../parse.js';
import { parseStartTime } from '../../time.js';
import { resolveMedia } from '../media/resolve.js';
import { broadcastFields, targetsTable } from './view.js';

export interface BroadcastPlayOptions {
  media: string;
  clusters?: string;
  all?: boolean;
  at?: string;
  volume?: number;
}

export async function broadcastPlay(opts: BroadcastPlayOptions, ctx: CommandContext): Promise<CommandResult> {
  const { t, tz } = ctx;
  // Check everything typed before asking the hub anything.
  const choice = clusterChoice(opts, t)!;
  let startAt: number | undefined;
  if (opts.at !== undefined) {
    startAt = parseStartTime(opts.at, tz, ctx.clock.now());
    if (startAt === undefined) throw usageError('LOA_CLI_BAD_TIME', t.badTime(opts.at));
  }
  const media = await resolveMedia(opts.media, ctx.api, t);
  const body = await ctx.api.post<{ broadcast: Broadcast }>('/api/v1/broadcasts', {
    mediaId: media.id,
    ...choice,
    ...(startAt === undefined ? {} : { startAt }),
    ...(opts.volume === undefined ? {} : { volume: opts.volume }),
  });
  const b = body.broadcast;
  return {
    json: body,
    view: [{ kind: 'line', text: t.broadcastCreated(b.id) }, broadcastFields(b, t, tz), targetsTable(b.targets, t, tz)],
  };
}

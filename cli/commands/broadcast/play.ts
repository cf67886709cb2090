// `loa broadcast play`: plays a media item on chosen clusters (or all), now or at a given time.
import type { PlayAnswer } from '../../../hub/http/api.js';
import type { CommandContext } from '../../context.js';
import { cliErrors, usageError } from '../../errors.js';
import type { CommandResult } from '../../output.js';
import { when } from '../../format.js';
import { clusterChoice } from '../../parse.js';
import { parseStartTime } from '../../time.js';
import { resolveMedia } from '../media/resolve.js';
import { broadcastFields, targetsTable } from './view.js';

export interface BroadcastPlayOptions {
  media: string;
  clusters?: string;
  zones?: string;
  all?: boolean;
  at?: string;
  volume?: number;
  /** Replace the ad-hoc broadcasts on these clusters instead of waiting for them. */
  now?: boolean;
}

export async function broadcastPlay(opts: BroadcastPlayOptions, ctx: CommandContext): Promise<CommandResult> {
  const { t, tz } = ctx;
  // Check everything typed before asking the hub anything.
  const choice = clusterChoice(opts, t)!;
  let startAt: number | undefined;
  if (opts.at !== undefined) {
    startAt = parseStartTime(opts.at, tz, ctx.clock.now());
    if (startAt === undefined) throw cliErrors.badTime(t.badTime(opts.at));
  }
  const media = await resolveMedia(opts.media, ctx.api, t);
  if (opts.now && startAt !== undefined) throw usageError('LOA_CLI_NOW_AND_AT', t.nowAndAt);
  const body = await ctx.api.post<PlayAnswer>('/api/v1/broadcasts', {
    mediaId: media.id,
    ...choice,
    ...(startAt === undefined ? {} : { startAt }),
    ...(opts.volume === undefined ? {} : { volume: opts.volume }),
    ...(opts.now ? { queue: false } : {}),
  });
  const b = body.broadcast;
  // Say where it stands among the broadcasts already there: waiting for them, or cutting them off.
  const queued = body.queuedAfter ?? [];
  const replaces = body.replaces ?? [];
  const lines = [
    ...(queued.length > 0 ? [t.broadcastQueued(queued.join(', '), when(b.startAt, tz, t))] : []),
    ...(replaces.length > 0 ? [t.broadcastReplaces(replaces.join(', '))] : []),
  ].map((text) => ({ kind: 'line' as const, text }));
  return {
    json: body,
    view: [{ kind: 'line', text: t.broadcastCreated(b.id) }, ...lines, broadcastFields(b, t, tz), targetsTable(b.targets, t, tz)],
  };
}

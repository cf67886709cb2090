// `loa emergency start (--all | --zones Z1,Z2) --media M [--repeat] [--volume V]`: khẩn cấp, on
// air at once on those zones, over everything else, until `loa emergency stop`.
import type { Emergency } from '../../../hub/http/api.js';
import type { CommandContext } from '../../context.js';
import type { CommandResult } from '../../output.js';
import { clusterChoice } from '../../parse.js';
import { resolveMedia } from '../media/resolve.js';
import { emergencyTable } from './view.js';

export interface EmergencyStartOptions {
  media: string;
  zones?: string;
  clusters?: string;
  all?: boolean;
  repeat?: boolean;
  volume?: number;
}

/** --zones and --clusters take the same names (zones, villages, cluster ids): the API's `zones`. */
function where(opts: EmergencyStartOptions, ctx: CommandContext): { zones: string[] } | { all: true } {
  const choice = clusterChoice(opts, ctx.t)!;
  return 'all' in choice ? choice : { zones: choice.clusters };
}

export async function emergencyStart(opts: EmergencyStartOptions, ctx: CommandContext): Promise<CommandResult> {
  const { t, tz } = ctx;
  // Everything typed is checked before the hub is asked anything.
  const target = where(opts, ctx);
  const media = await resolveMedia(opts.media, ctx.api, t);
  const body = await ctx.api.post<{ emergency: Emergency }>('/api/v1/emergency', {
    mediaId: media.id,
    ...target,
    repeat: opts.repeat === true,
    ...(opts.volume === undefined ? {} : { volume: opts.volume }),
  });
  const e = body.emergency;
  return {
    json: body,
    view: [{ kind: 'line', text: t.emergencyStarted(e.id, e.clusters.length) }, emergencyTable([e], new Map([[media.id, media.name]]), t, tz)],
  };
}

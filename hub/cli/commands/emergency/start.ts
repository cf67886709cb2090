// `loa emergency start (--all | --zones Z1,Z2) --media M [--repeat] [--volume V]`: khẩn cấp, on
// air at once on those zones, over everything else, until `loa emergency stop`.
import type { Emergency } from '../../api-types.js';
import type { CommandContext } from '../../context.js';
import { usageError } from '../../errors.js';
import type { CommandResult } from '../../output.js';
import { parseIdList } from '../../parse.js';
import { resolveMedia } from '../media/resolve.js';
import { emergencyTable } from './view.js';

export interface EmergencyStartOptions {
  media: string;
  zones?: string;
  all?: boolean;
  repeat?: boolean;
  volume?: number;
}

function where(opts: EmergencyStartOptions, ctx: CommandContext): { zones: string[] } | { all: true } {
  const { t } = ctx;
  if (opts.zones !== undefined && opts.all) throw usageError('LOA_CLI_CLUSTERS_AND_ALL', t.zonesAndAll);
  if (opts.all) return { all: true };
  if (opts.zones === undefined) throw usageError('LOA_CLI_NO_CLUSTERS', t.zonesOrAll);
  const zones = parseIdList(opts.zones);
  if (zones.length === 0) throw usageError('LOA_CLI_NO_CLUSTERS', t.emptyZones);
  return { zones };
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
    view: [
      { kind: 'line', text: t.emergencyStarted(e.id, e.clusters.length) },
      emergencyTable([e], new Map([[media.id, media.name]]), t, tz),
    ],
  };
}

// `loa broadcast list`: recent broadcasts, newest first.
import type { Broadcast } from '../../api-types.js';
import type { CommandContext } from '../../context.js';
import { when } from '../../format.js';
import type { CommandResult } from '../../output.js';
import { broadcastStatus, targetsSummary } from './view.js';

export async function broadcastList(opts: { limit?: number }, ctx: CommandContext): Promise<CommandResult> {
  const body = await ctx.api.get<{ broadcasts: Broadcast[] }>('/api/v1/broadcasts', { limit: opts.limit });
  const { t, tz } = ctx;
  return {
    json: body,
    view: [{
      kind: 'table',
      head: [t.hId, t.hMedia, t.hStart, t.hStatus, t.hTargets],
      rows: body.broadcasts.map((b) => [b.id, b.mediaName, when(b.startAt, tz, t), broadcastStatus(b.status, t), targetsSummary(b, t)]),
      empty: t.noBroadcasts,
    }],
  };
}

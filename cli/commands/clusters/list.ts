// `loa clusters list`: every registered cluster with its connection state.
import type { Cluster } from '../../../hub/http/api.js';
import type { CommandContext } from '../../context.js';
import { ago } from '../../format.js';
import type { CommandResult } from '../../output.js';

export async function clustersList(_opts: Record<string, never>, ctx: CommandContext): Promise<CommandResult> {
  const body = await ctx.api.get<{ clusters: Cluster[] }>('/api/v1/clusters');
  const { t } = ctx;
  const now = ctx.clock.now();
  return {
    json: body,
    view: [
      {
        kind: 'table',
        head: [t.hId, t.hName, t.hVillage, t.hState, t.hLastSeen, t.hVolume],
        rows: body.clusters.map((c) => [c.id, c.name ?? '', c.village ?? '', c.online ? t.online : t.offline, ago(c.lastSeenAt, now, t), String(c.volume)]),
        empty: t.noClusters,
      },
    ],
  };
}

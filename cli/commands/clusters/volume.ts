// `loa clusters volume ID LEVEL`: sets a cluster's volume (0–100); the hub sends the command.
import type { Cluster } from '../../../hub/http/api.js';
import type { CommandContext } from '../../context.js';
import type { CommandResult } from '../../output.js';

export async function clustersVolume(opts: { id: string; volume: number }, ctx: CommandContext): Promise<CommandResult> {
  const body = await ctx.api.post<{ cluster: Cluster; commandId: string | null }>(`/api/v1/clusters/${encodeURIComponent(opts.id)}/volume`, {
    volume: opts.volume,
  });
  return { json: body, view: [{ kind: 'line', text: ctx.t.volumeSet(body.cluster.id, body.cluster.volume ?? opts.volume) }] };
}

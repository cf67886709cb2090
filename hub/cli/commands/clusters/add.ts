// `loa clusters add ID`: registers a cluster and shows its MQTT secret, once.
import type { Cluster } from '../../api-types.js';
import type { CommandContext } from '../../context.js';
import type { CommandResult } from '../../output.js';

export interface ClustersAddOptions {
  id: string;
  name?: string;
  village?: string;
}

export async function clustersAdd(opts: ClustersAddOptions, ctx: CommandContext): Promise<CommandResult> {
  const { cluster, secret, hubKeys } = await ctx.api.post<{ cluster: Cluster; secret: string; hubKeys?: string[] }>('/api/v1/clusters', {
    id: opts.id,
    ...(opts.name === undefined ? {} : { name: opts.name }),
    ...(opts.village === undefined ? {} : { village: opts.village }),
  });
  return secretResult(ctx.t.clusterAdded(cluster.id), cluster.id, secret, ctx, hubKeys);
}

/** Shared by add and rotate-secret: the secret is printed here and never again. */
export function secretResult(headline: string, id: string, secret: string, ctx: CommandContext, hubKeys?: string[]): CommandResult {
  const t = ctx.t;
  // The box checks every command against these (its `hubKeys`); add prints them beside the secret.
  const keys: Array<[string, string]> = hubKeys ? [[t.hubKeysLabel, hubKeys.join(' ')]] : [];
  return {
    json: { id, secret, ...(hubKeys ? { hubKeys } : {}) },
    view: [
      { kind: 'line', text: headline },
      { kind: 'fields', rows: [[t.hCluster, id], [t.secretLabel, secret], ...keys] },
      { kind: 'warning', text: t.secretWarning },
    ],
  };
}

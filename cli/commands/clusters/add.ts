// `loa clusters add ID`: registers a cluster and shows its MQTT secret, once, with the box's
// provisioning bundle (bundle.ts): its edge.yaml and the hub's CA, on screen or in --bundle DIR.
import type { ClusterAdded } from '../../../hub/http/api.js';
import type { CommandContext } from '../../context.js';
import type { CommandResult } from '../../output.js';
import { bundleView, checkBundleDir, writeBundle } from './bundle.js';

export interface ClustersAddOptions {
  id: string;
  name?: string;
  village?: string;
  /** A folder to write edge.yaml, secret and hub-ca.pem into. */
  bundle?: string;
}

export async function clustersAdd(opts: ClustersAddOptions, ctx: CommandContext): Promise<CommandResult> {
  const dir = opts.bundle === undefined ? undefined : checkBundleDir(opts.bundle, ctx);
  const { cluster, secret, hubKeys, provisioning } = await ctx.api.post<ClusterAdded>('/api/v1/clusters', {
    id: opts.id,
    ...(opts.name === undefined ? {} : { name: opts.name }),
    ...(opts.village === undefined ? {} : { village: opts.village }),
  });
  const result = secretResult(ctx.t.clusterAdded(cluster.id), cluster.id, secret, ctx, hubKeys);
  if (!provisioning) return result;
  const shown = dir ? [writeBundle(dir, cluster.id, secret, provisioning, ctx)] : bundleView(cluster.id, secret, provisioning, ctx);
  return { json: { ...(result.json as object), provisioning, ...(dir ? { bundle: dir } : {}) }, view: [...result.view, ...shown] };
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

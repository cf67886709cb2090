// `loa clusters rotate-secret ID`: a new secret for a cluster (its box must be given it).
import type { SecretRotated } from '../../../hub/http/api.js';
import type { CommandContext } from '../../context.js';
import type { CommandResult } from '../../output.js';
import { secretResult } from './add.js';

export async function clustersRotateSecret(opts: { id: string }, ctx: CommandContext): Promise<CommandResult> {
  const { cluster, secret } = await ctx.api.post<SecretRotated>(`/api/v1/clusters/${encodeURIComponent(opts.id)}/rotate-secret`);
  return secretResult(ctx.t.secretRotated(cluster.id), cluster.id, secret, ctx);
}

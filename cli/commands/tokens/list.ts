// `loa tokens list`: API tokens (names and roles; the secrets are never shown again).
import type { Token } from '../../../hub/http/api.js';
import type { CommandContext } from '../../context.js';
import { when } from '../../format.js';
import type { CommandResult } from '../../output.js';

export async function tokensList(_opts: Record<string, never>, ctx: CommandContext): Promise<CommandResult> {
  const body = await ctx.api.get<{ tokens: Token[] }>('/api/v1/tokens');
  const { t, tz } = ctx;
  return {
    json: body,
    view: [
      {
        kind: 'table',
        head: [t.hId, t.hName, t.hRole, t.hCreated],
        rows: body.tokens.map((k) => [k.id, k.name, k.role, when(k.createdAt, tz, t)]),
        empty: t.noTokens,
      },
    ],
  };
}

// `loa tokens add --role R --name N`: a new API token, shown once.
import type { Role, Token } from '../../../hub/http/api.js';
import type { CommandContext } from '../../context.js';
import type { CommandResult } from '../../output.js';

export interface TokensAddOptions {
  role: Role;
  name: string;
}

export async function tokensAdd(opts: TokensAddOptions, ctx: CommandContext): Promise<CommandResult> {
  const body = await ctx.api.post<{ token: Token; secret: string }>('/api/v1/tokens', { role: opts.role, name: opts.name });
  const { t } = ctx;
  return {
    json: body,
    view: [
      { kind: 'line', text: t.tokenAdded(body.token.name, body.token.role) },
      {
        kind: 'fields',
        rows: [
          [t.hId, body.token.id],
          [t.secretLabel, body.secret],
        ],
      },
      { kind: 'warning', text: t.tokenWarning },
    ],
  };
}

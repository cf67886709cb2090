// `loa broker files`: has the hub rewrite the external broker's password and ACL files from its
// cluster list and reload the broker; prints what was written and which clusters need a new secret.
import type { BrokerFiles } from '../../../hub/http/api.js';
import type { CommandContext } from '../../context.js';
import type { Block, CommandResult } from '../../output.js';
import { brokerText } from './text.js';

export async function brokerFiles(_opts: Record<string, never>, ctx: CommandContext): Promise<CommandResult> {
  const body = await ctx.api.post<BrokerFiles>('/api/v1/broker/files', {});
  const b = brokerText(ctx.t);
  const view: Block[] = [
    { kind: 'line', text: b.written(body.clusters) },
    {
      kind: 'fields',
      rows: [
        [b.passwordFile, body.passwordFile],
        [b.aclFile, body.aclFile],
        [b.reload, b.reloadHow[body.reload] ?? body.reload],
      ],
    },
  ];
  if (body.needsRotation.length > 0) view.push({ kind: 'warning', text: b.needsRotation(body.needsRotation) });
  if (body.conflicts.length > 0) view.push({ kind: 'warning', text: b.conflicts(body.conflicts) });
  return { json: body, view };
}

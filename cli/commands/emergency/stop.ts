// `loa emergency stop [--id ID]`: ends one emergency, or every one on air; the schedule resumes.
import type { Emergency } from '../../../hub/http/api.js';
import type { CommandContext } from '../../context.js';
import type { CommandResult } from '../../output.js';

export async function emergencyStop(opts: { id?: string }, ctx: CommandContext): Promise<CommandResult> {
  const { t } = ctx;
  const body = await ctx.api.post<{ stopped: Emergency[] }>('/api/v1/emergency/stop', opts.id === undefined ? {} : { id: opts.id });
  const text = body.stopped.length === 0 ? t.noEmergencyToStop : t.emergencyStopped(body.stopped.map((e) => e.id).join(', '));
  return { json: body, view: [{ kind: 'line', text }] };
}

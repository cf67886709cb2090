// `loa cameras list`: every camera with its status, why, when it last answered and its clock skew.
import type { Camera } from '../../../hub/http/api.js';
import type { CommandContext } from '../../context.js';
import type { CommandResult } from '../../output.js';
import { camerasTable } from './view.js';

export async function camerasList(_opts: Record<string, never>, ctx: CommandContext): Promise<CommandResult> {
  const body = await ctx.api.get<{ cameras: Camera[] }>('/api/v1/cameras');
  const online = body.cameras.filter((c) => c.status === 'online').length;
  const view = [camerasTable(body.cameras, ctx)];
  if (body.cameras.length > 0) view.push({ kind: 'line', text: ctx.t.camerasSummary(online, body.cameras.length) });
  return { json: body, view };
}

// `loa cameras show ID`: one camera: address, status and reason, device, profiles, stream address.
import type { Camera } from '../../../hub/http/api.js';
import type { CommandContext } from '../../context.js';
import type { CommandResult } from '../../output.js';
import { cameraFields } from './view.js';

export async function camerasShow(opts: { id: string }, ctx: CommandContext): Promise<CommandResult> {
  const body = await ctx.api.get<{ camera: Camera }>(`/api/v1/cameras/${encodeURIComponent(opts.id)}`);
  return { json: body, view: [cameraFields(body.camera, ctx.api.baseUrl, ctx)] };
}

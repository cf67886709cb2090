// `loa cameras add ID --host H --user U --password-stdin`: registers a camera; the hub checks it at
// once. The password goes to the hub and is never printed or returned.
import type { Camera } from '../../../hub/http/api.js';
import type { CommandContext } from '../../context.js';
import type { CommandResult } from '../../output.js';
import { choosePassword, type PasswordOptions, type Stdin } from './prompt.js';
import { cameraFields } from './view.js';

export interface CamerasAddOptions extends PasswordOptions {
  id: string;
  host: string;
  port?: number;
  path?: string;
  user: string;
  name?: string;
  village?: string;
  replace?: boolean;
}

export async function camerasAdd(opts: CamerasAddOptions, ctx: CommandContext, stdin: Stdin = process.stdin): Promise<CommandResult> {
  const password = await choosePassword(opts, stdin, ctx.io.stderr, ctx.t);
  const body = await ctx.api.post<{ camera: Camera }>('/api/v1/cameras', {
    id: opts.id,
    host: opts.host,
    user: opts.user,
    password,
    ...(opts.port === undefined ? {} : { port: opts.port }),
    ...(opts.path === undefined ? {} : { path: opts.path }),
    ...(opts.name === undefined ? {} : { name: opts.name }),
    ...(opts.village === undefined ? {} : { village: opts.village }),
    ...(opts.replace ? { replace: true } : {}),
  });
  const headline = opts.replace ? ctx.t.cameraReplaced(body.camera.id) : ctx.t.cameraAdded(body.camera.id);
  return { json: body, view: [{ kind: 'line', text: headline }, cameraFields(body.camera, ctx.api.baseUrl, ctx)] };
}

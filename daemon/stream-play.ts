// Stream plays on the box (docs/live.md): a play command with `stream` instead of `media` names a
// live stream on the hub. Nothing is fetched or cached; ffmpeg reads the stream itself, with the
// cluster's credentials, and reconnects by itself if the link drops for a moment.
import type { PlayCommand } from '../protocol/index.js';

/** Where the hub is and how this box proves who it is (the same credentials as for media). */
export interface StreamAccess {
  hubHttpUrl: string;
  clusterId: string;
  secret: string;
}

/** The absolute URL ffmpeg reads for a stream play; rejects when the box cannot reach streams. */
export async function streamInput(cmd: PlayCommand, access: StreamAccess | undefined): Promise<string> {
  if (!cmd.stream) throw new Error('the play command has no stream');
  if (!access) throw new Error('this box is not set up to play live streams');
  // A relative URL is relative to the hub's HTTP root, like a media URL.
  return new URL(cmd.stream.url, access.hubHttpUrl.endsWith('/') ? access.hubHttpUrl : `${access.hubHttpUrl}/`).toString();
}

/** ffmpeg input options for a live stream: HTTP Basic with the cluster's id and secret, and
 *  reconnection (a 4G link drops for a second now and then; the hub keeps the stream going). */
export function liveInputOptions(access: StreamAccess | undefined): string[] {
  const opts = ['-reconnect', '1', '-reconnect_streamed', '1', '-reconnect_delay_max', '5'];
  if (access) {
    const basic = Buffer.from(`${access.clusterId}:${access.secret}`).toString('base64');
    opts.push('-headers', `Authorization: Basic ${basic}\r\n`);
  }
  return opts;
}

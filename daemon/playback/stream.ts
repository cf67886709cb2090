// Stream plays on the box (docs/live.md): a play command with `stream` instead of `media` names a
// live stream on the hub. Nothing is fetched or cached; ffmpeg reads the stream itself, with the
// cluster's credentials, and reconnects by itself if the link drops for a moment. The credentials
// go to the hub's own origin only (docs/security.md): a stream elsewhere is refused, and ffmpeg
// is told not to follow redirects, since it would repeat the Authorization header to any host.
import { execFile } from 'node:child_process';
import type { PlayCommand, StreamRef } from '../../protocol/index.js';

/** Where the hub is and how this box proves who it is (the same credentials as for media). */
export interface StreamAccess {
  hubHttpUrl: string;
  clusterId: string;
  secret: string;
  /** The hub's CA certificate (PEM file): ffmpeg checks the hub's certificate against it alone. */
  caFile?: string | undefined;
  /** The ffmpeg that will read streams, checked for `-max_redirects`; none when the player is
   *  not ffmpeg (a test's or the simulator's). */
  ffmpegPath?: string | undefined;
}

/** The stream's absolute URL when it is on the hub's origin (scheme, host, port of hub.httpUrl);
 *  otherwise why not, in words for the ack's detail. */
export function hubStreamUrl(stream: StreamRef, hubHttpUrl: string): { ok: true; url: string } | { ok: false; why: string } {
  const hub = new URL(hubHttpUrl.endsWith('/') ? hubHttpUrl : `${hubHttpUrl}/`);
  let url: URL;
  try {
    // A relative URL is relative to the hub's HTTP root, like a media URL.
    url = new URL(stream.url, hub);
  } catch {
    return { ok: false, why: `stream.url "${stream.url.slice(0, 80)}" is not a URL` };
  }
  if (url.origin !== hub.origin || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    const shown = url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol;
    return {
      ok: false,
      why: `stream.url is on ${shown}, not on this box's hub ${hub.origin}; streams are played from the hub only (its credentials go nowhere else)`,
    };
  }
  // ffmpeg gets the URL as parsed here, so it dials what was checked; user-info is no business
  // of a command (the Authorization header says who the box is).
  url.username = '';
  url.password = '';
  return { ok: true, url: url.toString() };
}

/** The absolute URL ffmpeg reads for a stream play; rejects when the box cannot reach streams. */
export async function streamInput(cmd: PlayCommand, access: StreamAccess | undefined): Promise<string> {
  if (!cmd.stream) throw new Error('the play command has no stream');
  if (!access) throw new Error('this box is not set up to play live streams');
  // The command handler refuses these already; a plan item or a future caller must not slip by.
  const where = hubStreamUrl(cmd.stream, access.hubHttpUrl);
  if (!where.ok) throw new Error(where.why);
  if (access.ffmpegPath && !(await refusesRedirects(access.ffmpegPath))) {
    throw new Error(
      `this ffmpeg (${access.ffmpegPath}) has no -max_redirects option (it is older than 5.1), so it would send the cluster's credentials wherever a ` +
        `redirect points; set ffmpeg.path to a current ffmpeg to play streams`,
    );
  }
  return where.url;
}

const probes = new Map<string, Promise<boolean>>();

/** Whether this ffmpeg's HTTP client takes -max_redirects (asked once per path per run). */
function refusesRedirects(ffmpegPath: string): Promise<boolean> {
  let probe = probes.get(ffmpegPath);
  if (!probe) {
    probe = new Promise((resolve) => {
      execFile(ffmpegPath, ['-hide_banner', '-h', 'protocol=http'], { timeout: 10_000 }, (_err, stdout) => resolve(/-max_redirects\b/.test(String(stdout))));
    });
    probes.set(ffmpegPath, probe);
  }
  return probe;
}

/** ffmpeg demuxer for each delivery format the hub sends; others are left to ffmpeg's probe. */
const DEMUXERS: Record<string, string> = { mp3: 'mp3', aac: 'aac', adts: 'aac' };

/** ffmpeg input options for a live stream: HTTP Basic with the cluster's id and secret, and
 *  reconnection (a 4G link drops for a second now and then; the hub keeps the stream going).
 *  The format is named and probing cut short: by default ffmpeg waits to fill a 5 MB / 5 s probe,
 *  which on a 24 kbit/s stream is over a second of latency (bench `live`: 1.4 s → 0.4 s).
 *  No redirects (ffmpeg sends -headers to every hop) and network protocols only (no file:). */
export function liveInputOptions(access: StreamAccess | undefined, format?: string): string[] {
  const opts = ['-reconnect', '1', '-reconnect_streamed', '1', '-reconnect_delay_max', '5'];
  opts.push('-max_redirects', '0', '-protocol_whitelist', 'http,https,tls,tcp');
  const demuxer = format ? DEMUXERS[format.toLowerCase()] : undefined;
  if (demuxer) opts.push('-probesize', '32', '-analyzeduration', '0', '-f', demuxer);
  if (access?.caFile) {
    // ffmpeg's TLS does not check certificates unless told (tls_verify defaults to 0).
    opts.push('-tls_verify', '1', '-ca_file', access.caFile);
  }
  if (access) {
    const basic = Buffer.from(`${access.clusterId}:${access.secret}`).toString('base64');
    opts.push('-headers', `Authorization: Basic ${basic}\r\n`);
  }
  return opts;
}

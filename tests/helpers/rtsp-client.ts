// ffprobe as the RTSP client of the tests (a client nobody here wrote), over TCP: what a stream
// is, and the video packets it delivers in a given time.
import { execFile } from 'node:child_process';

function ffprobe(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ffprobe', ['-v', 'error', '-rtsp_transport', 'tcp', ...args], { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`ffprobe ${args.at(-1)}: ${String(stderr).trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

export interface StreamInfo {
  codec: string;
  width: number;
  height: number;
}

/** The first video stream of an RTSP address. */
export async function probeRtsp(url: string): Promise<StreamInfo> {
  const out = await ffprobe(['-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height', '-of', 'json', url], 15_000);
  const s = (JSON.parse(out) as { streams: { codec_name: string; width: number; height: number }[] }).streams[0];
  if (!s) throw new Error(`${url}: no video stream`);
  return { codec: s.codec_name, width: s.width, height: s.height };
}

export interface Reading {
  /** Presentation times of the video packets, in seconds, in arrival order (the first may have none). */
  pts: number[];
  keyframes: number;
  /** Wall-clock time the read took, ms (a live stream cannot be read faster than real time). */
  wallMs: number;
}

/** Reads `seconds` of the stream's video packets (not decoded). */
export async function readRtsp(url: string, seconds: number): Promise<Reading> {
  const started = Date.now();
  const out = await ffprobe(
    ['-read_intervals', `%+${seconds}`, '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', url],
    (seconds + 20) * 1000,
  );
  const rows = out
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => l.split(','));
  return {
    // ffprobe has no time for the packets before the first RTCP report maps RTP time: "N/A".
    pts: rows.map((r) => Number(r[0])).filter((n) => Number.isFinite(n)),
    keyframes: rows.filter((r) => r[1]?.startsWith('K')).length,
    wallMs: Date.now() - started,
  };
}

// Pre-encodes each simulated camera's video loops (main and sub profile) once, with ffmpeg, into a
// cache directory reused across runs, so the RTSP server only copies H.264 and never encodes.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { locateFfmpeg } from '../../common/ffmpeg.js';
import { LoaError, errorMessage } from '../../common/errors.js';
import { PROFILES } from './onvif-replies.js';

/** Bump when the picture or the encoding changes, so old cache files are not served. */
export const LOOP_VERSION = 1;
export const DEFAULT_LOOP_SECONDS = 10;
const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';

export type Profile = (typeof PROFILES)[number];

export interface LoopFile {
  token: Profile['token'];
  file: string;
  fps: number;
  width: number;
  height: number;
}

/** Where loa-sim keeps the loops unless told: $XDG_CACHE_HOME/loa-sim/video, else ~/.cache/loa-sim/video. */
export function defaultVideoCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'loa-sim', 'video');
}

/** The cache file of one camera's profile: everything drawn or encoded differently has its own name. */
export function loopFileName(camera: string, p: Profile, loopSeconds: number): string {
  return `${camera}-${p.token}-${p.width}x${p.height}-${p.fps}fps-${loopSeconds}s-v${LOOP_VERSION}.h264`;
}

// drawtext's own escaping: the text sits inside '…' in the filter graph.
const escapeText = (s: string) => s.replace(/[\\':%]/g, (c) => `\\${c}`);

/** ffmpeg's arguments for one loop: a moving test pattern, the camera's name and profile at the top,
 *  the loop's running time (h:m:s.ms) and frame number at the bottom; H.264 constrained baseline, no
 *  B-frames, a keyframe every second with SPS/PPS repeated (a reader joining at any keyframe can decode). */
export function loopArgs(camera: string, p: Profile, loopSeconds: number, out: string): string[] {
  const font = existsSync(FONT) ? `fontfile=${FONT}:` : '';
  const box = 'fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=6';
  const title = `drawtext=${font}text='${escapeText(`${camera} ${p.name} ${p.width}x${p.height}`)}':x=20:y=20:fontsize=h/14:${box}`;
  const clock = `drawtext=${font}text='%{pts\\:hms}  #%{n}':x=20:y=h-th-20:fontsize=h/12:${box}`;
  return [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=${p.width}x${p.height}:rate=${p.fps}:duration=${loopSeconds}`],
    ...['-vf', `${title},${clock}`],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p'],
    ...['-g', String(p.fps), '-keyint_min', String(p.fps), '-sc_threshold', '0', '-bf', '0', '-x264-params', 'repeat-headers=1'],
    ...['-b:v', `${p.kbps}k`, '-maxrate', `${p.kbps}k`, '-bufsize', `${p.kbps}k`],
    ...['-f', 'h264', out],
  ];
}

function encode(ffmpeg: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(ffmpeg, args, { timeout: 120_000 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(String(stderr).trim().split('\n').pop() || errorMessage(err)));
      else resolve();
    });
  });
}

export interface EnsureLoopsOptions {
  cameras: string[];
  cacheDir: string;
  loopSeconds?: number;
  ffmpegPath?: string;
  /** ffmpeg processes at once; default 2 (this is the only encoding the simulator does). */
  concurrency?: number;
}

/** Each camera's loops (index-aligned with cameras), encoding those not in the cache yet. */
export async function ensureLoops(opts: EnsureLoopsOptions): Promise<LoopFile[][]> {
  const loopSeconds = opts.loopSeconds ?? DEFAULT_LOOP_SECONDS;
  if (!(loopSeconds >= 1 && loopSeconds <= 600 && Number.isInteger(loopSeconds)))
    throw new LoaError('LOA_SIM_BAD_OPTION', `video loop must be a whole number of seconds from 1 to 600, not ${loopSeconds}.`);
  try {
    mkdirSync(opts.cacheDir, { recursive: true });
  } catch (e) {
    throw new LoaError('LOA_SIM_NO_VIDEO', `cannot make the video cache directory ${opts.cacheDir}: ${errorMessage(e)}`);
  }
  const ffmpeg = opts.ffmpegPath ?? locateFfmpeg().path;
  const loops = opts.cameras.map((name) =>
    PROFILES.map((p) => ({
      camera: name,
      p,
      loop: { token: p.token, file: join(opts.cacheDir, loopFileName(name, p, loopSeconds)), fps: p.fps, width: p.width, height: p.height },
    })),
  );
  const todo = loops.flat().filter((l) => !existsSync(l.loop.file));
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < todo.length; i = next++) {
      const { camera, p, loop } = todo[i]!;
      // Written aside and renamed: a crash or a second loa-sim never leaves a half file under the cache name.
      const part = `${loop.file}.${process.pid}.part`;
      try {
        await encode(ffmpeg, loopArgs(camera, p, loopSeconds, part));
        renameSync(part, loop.file);
      } catch (e) {
        rmSync(part, { force: true });
        throw new LoaError('LOA_SIM_NO_VIDEO', `cannot encode the ${p.name} video loop of ${camera} with ${ffmpeg}: ${errorMessage(e)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 2, todo.length) }, worker));
  return loops.map((cam) => cam.map((l) => l.loop));
}

// Makes a simulated camera's snapshot once at start: one ffmpeg test-pattern frame as JPEG, with the
// camera's name drawn on it when this ffmpeg has drawtext (and a font), plain otherwise.
import { execFile } from 'node:child_process';
import { locateFfmpeg } from '../../common/ffmpeg.js';

function run(ffmpeg: string, filter: string | null): Promise<Buffer> {
  const args = ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=1'];
  if (filter) args.push('-vf', filter);
  args.push('-frames:v', '1', '-f', 'image2pipe', '-c:v', 'mjpeg', '-q:v', '5', 'pipe:1');
  return new Promise((resolve, reject) => {
    execFile(ffmpeg, args, { encoding: 'buffer', maxBuffer: 8 << 20, timeout: 15_000 }, (err, stdout) => {
      if (err) reject(err);
      else if (stdout.length < 4 || stdout[0] !== 0xff || stdout[1] !== 0xd8) reject(new Error('ffmpeg produced no JPEG'));
      else resolve(stdout);
    });
  });
}

// drawtext's own escaping: the text sits inside '…' in the filter graph.
const escapeText = (s: string) => s.replace(/[\\':%]/g, (c) => `\\${c}`);

/** A 640x360 JPEG for the camera; the label is best effort (drawtext may be missing or fontless). */
export async function makeSnapshot(label: string, ffmpegPath?: string): Promise<Buffer> {
  const ffmpeg = ffmpegPath ?? locateFfmpeg().path;
  try {
    return await run(ffmpeg, `drawtext=text='${escapeText(label)}':fontsize=36:fontcolor=white:box=1:boxcolor=black@0.6:x=20:y=20`);
  } catch {
    return run(ffmpeg, null);
  }
}

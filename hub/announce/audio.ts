// The announcement's sound around the words: a short two-note chime made once with ffmpeg's lavfi
// and cached in the data dir, and the joining of chime + speech + chime into one file to import.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { announceErrors } from './errors.js';

const run = promisify(execFile);
/** Bump when the chime's recipe changes, so a cached old one is not reused. */
const CHIME_FILE = 'chime-v1.wav';

/** Path of the chime, generating it on first use: a falling two-note "ding-dong" with soft edges. */
export async function ensureChime(ffmpegPath: string, dir: string): Promise<string> {
  const path = join(dir, CHIME_FILE);
  if (existsSync(path)) return path;
  const tmp = `${path}.${process.pid}.tmp.wav`;
  const note = (hz: number, s: number) => `sine=frequency=${hz}:duration=${s}:sample_rate=48000,afade=t=in:d=0.02,afade=t=out:st=${s - 0.25}:d=0.25`;
  // pad_len (0.3 s at 48 kHz) rather than pad_dur: the ffmpeg 4.x builds on some boxes lack pad_dur.
  const filter = `${note(880, 0.45)}[a];${note(660, 0.7)}[b];[a][b]concat=n=2:v=0:a=1,volume=0.6,apad=pad_len=14400[out]`;
  try {
    await run(ffmpegPath, ['-v', 'error', '-y', '-filter_complex', filter, '-map', '[out]', '-ac', '1', tmp]);
    // Rename so a crash mid-write never leaves a half chime that looks cached.
    await rename(tmp, path);
  } catch (e) {
    throw announceErrors.chimeFailed(e);
  }
  return path;
}

/** Joins the parts into one mono WAV at `out` (any formats ffmpeg reads in). */
export async function joinAudio(ffmpegPath: string, parts: string[], out: string): Promise<void> {
  const inputs = parts.flatMap((p) => ['-i', p]);
  const norm = parts.map((_, i) => `[${i}:a]aresample=48000,aformat=sample_fmts=s16:channel_layouts=mono[p${i}]`).join(';');
  const labels = parts.map((_, i) => `[p${i}]`).join('');
  try {
    await run(ffmpegPath, ['-v', 'error', '-y', ...inputs, '-filter_complex', `${norm};${labels}concat=n=${parts.length}:v=0:a=1[out]`, '-map', '[out]', out]);
  } catch (e) {
    throw announceErrors.joinFailed(e);
  }
}

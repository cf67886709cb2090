// Generates real audio files with ffmpeg for tests (a tone, a chord, a bad file).
import { execFileSync, spawnSync } from 'node:child_process';
import { locateFfmpeg } from '../../common/ffmpeg.js';

export function ffmpegPath(): string {
  return locateFfmpeg().path;
}

/** Writes a sine tone of the given length to `path` (format from the extension, e.g. .wav, .mp3). */
export function makeTone(path: string, seconds: number, freqHz = 440): string {
  execFileSync(ffmpegPath(), ['-v', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=${freqHz}:duration=${seconds}:sample_rate=44100`, path]);
  return path;
}

/** Duration in seconds of an audio file as ffmpeg decodes it (decodes the whole file). */
export function decodedDurationS(path: string): number {
  const r = spawnSync(ffmpegPath(), ['-hide_banner', '-i', path, '-f', 'null', '-'], { encoding: 'utf8' });
  const times = [...r.stderr.matchAll(/time=(\d+):(\d+):([\d.]+)/g)];
  const m = times.at(-1);
  if (r.status !== 0 || !m) throw new Error(`cannot decode ${path}: ${r.stderr.slice(-300)}`);
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

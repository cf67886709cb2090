// Inputs and measurements for the media library tests, all made with the real ffmpeg.
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { ffmpegPath } from './audio.js';

/** Renders an ffmpeg lavfi source (plus output options) to `path`; the format follows the extension. */
export function makeLavfi(path: string, source: string, outputArgs: string[] = []): string {
  execFileSync(ffmpegPath(), ['-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', source, ...outputArgs, path]);
  return path;
}

/** A Matroska file written to a pipe: it carries no duration, so ffmpeg reports "Duration: N/A". */
export function makeUnknownDuration(path: string, seconds: number): string {
  const bytes = execFileSync(
    ffmpegPath(),
    [
      '-v',
      'error',
      '-nostdin',
      '-f',
      'lavfi',
      '-i',
      `sine=frequency=330:duration=${seconds}:sample_rate=44100`,
      '-c:a',
      'pcm_s16le',
      '-f',
      'matroska',
      'pipe:1',
    ],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  writeFileSync(path, bytes);
  return path;
}

export interface Loudness {
  integratedLufs: number;
  truePeakDbtp: number;
}

/** Integrated loudness and true peak as ffmpeg's ebur128 meter (an analyser separate from loudnorm) reads them. */
export function measureLoudness(path: string): Loudness {
  const r = spawnSync(ffmpegPath(), ['-hide_banner', '-nostdin', '-i', path, '-af', 'ebur128=peak=true', '-f', 'null', '-'], { encoding: 'utf8' });
  const summary = r.stderr.slice(r.stderr.lastIndexOf('Summary:'));
  const i = /I:\s+(-?[\d.]+|-inf) LUFS/.exec(summary);
  const tp = /True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS/.exec(summary);
  if (r.status !== 0 || !i || !tp) throw new Error(`cannot measure ${path}: ${r.stderr.slice(-400)}`);
  return { integratedLufs: Number(i[1]), truePeakDbtp: Number(tp[1]) };
}

export interface StreamInfo {
  container: string;
  codec: string;
  sampleRate: number;
  channels: string;
}

/** What ffmpeg says the first audio stream of a file is ("ogg", "opus", 48000, "mono"). */
export function audioStreamInfo(path: string): StreamInfo {
  const r = spawnSync(ffmpegPath(), ['-hide_banner', '-nostdin', '-i', path], { encoding: 'utf8' });
  const container = /Input #0, ([^ ]+),/.exec(r.stderr)?.[1];
  const a = /Stream #0:\d+.*?: Audio: ([^ ,]+)[^,]*, (\d+) Hz, ([^,\n]+)/.exec(r.stderr);
  if (!container || !a) throw new Error(`no audio stream in ${path}: ${r.stderr.slice(-400)}`);
  return { container, codec: a[1]!, sampleRate: Number(a[2]), channels: a[3]!.trim() };
}

// One-pass encoding for sound whose level is already known: an announcement's speech and its
// chime. The library's import measures every input first (transcode.ts: two or three ffmpeg runs);
// for an announcement the operator is waiting, so the parts are joined, set to the target level
// with gains learned from earlier announcements of the same voice (hub/announce/levels.ts), peak-
// limited and encoded to the delivery format in a single ffmpeg run. The result is the same kind
// of file as any import (Ogg/Opus mono 48 kHz, bit-exact); its loudness is checked afterwards.
// The encoder's options, the measuring pass and the errors a person gets are the import's (transcode.ts).
import { rm } from 'node:fs/promises';
import { mediaErrors } from './errors.js';
import { runFfmpeg } from './ffmpeg-run.js';
import { measureFilter, type LoudnessMeasurement } from './loudness.js';
import type { MediaSettings } from './settings.js';
import { classify, deliveredFile, deliveryOptions, measurePass, type DeliveredFile } from './transcode.js';

export interface LevelledPart {
  path: string;
  /** Gain that brings this part to the target loudness, dB. */
  gainDb: number;
}

export type EncodedSpeech = DeliveredFile;

const num = (v: number): string => v.toFixed(2);

/** Headroom under the ceiling for the Opus encoder's overshoot on hard-limited speech: with the
 *  limiter at the ceiling itself, stored files measured up to 0.7 dB over it. */
const CODEC_HEADROOM_DB = 0.7;

/** The filter graph: each part to mono 48 kHz at its gain, joined, limited under the true-peak
 *  ceiling (at 4x the rate, as loudness.ts does), back to the encoder's 48 kHz. */
export function speechGraph(parts: readonly LevelledPart[], truePeakDbtp: number): string {
  const ceiling = Math.max(0.0625, 10 ** ((truePeakDbtp - CODEC_HEADROOM_DB) / 20));
  const each = parts.map(
    (p, i) => `[${i}:a:0]aresample=48000,aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=mono,volume=${num(p.gainDb)}dB[p${i}]`,
  );
  const joined = `${parts.map((_, i) => `[p${i}]`).join('')}concat=n=${parts.length}:v=0:a=1`;
  const limit =
    `aresample=192000,alimiter=limit=${ceiling.toFixed(4)}:attack=1:release=10:level=false,aresample=48000,` +
    `aformat=sample_rates=48000:channel_layouts=mono[out]`;
  return [...each, `${joined},${limit}`].join(';');
}

/** Joins, levels, limits and encodes `parts` into `outputPath` in one ffmpeg run. */
export async function encodeLevelled(opts: {
  ffmpegPath: string;
  parts: readonly LevelledPart[];
  outputPath: string;
  displayName: string;
  settings: Pick<MediaSettings, 'loudness' | 'bitrateKbps' | 'minDurationMs' | 'maxDurationS'>;
  signal?: AbortSignal;
}): Promise<EncodedSpeech> {
  const { parts, settings, displayName } = opts;
  const [first, ...rest] = parts;
  if (!first) throw mediaErrors.encodeFailed(displayName, 'nothing to encode');
  try {
    const run = await runFfmpeg({
      ffmpegPath: opts.ffmpegPath,
      input: first.path,
      extraInputs: rest.map((p) => p.path),
      output: opts.outputPath,
      outputOptions: ['-filter_complex', speechGraph(parts, settings.loudness.truePeakDbtp), '-map', '[out]', ...deliveryOptions(settings.bitrateKbps)],
      ...(opts.signal ? { signal: opts.signal } : {}),
      onTime: (t) => {
        if (t > settings.maxDurationS) throw mediaErrors.tooLong(displayName, null, settings.maxDurationS);
      },
    });
    return await deliveredFile(opts.outputPath, run.lastTimeS, displayName, settings.minDurationMs);
  } catch (e) {
    await rm(opts.outputPath, { force: true });
    throw classify(e, displayName, opts.ffmpegPath);
  }
}

/** Integrated loudness and true peak of a file, as it would be encoded (mono); null if silent or unreadable. */
export async function measureLoudness(ffmpegPath: string, path: string, settings: Pick<MediaSettings, 'loudness'>): Promise<LoudnessMeasurement | null> {
  const { measured } = await measurePass({ ffmpegPath, inputPath: path, filter: measureFilter(settings.loudness), name: path, signal: undefined }, {});
  return Number.isFinite(measured.inputI) ? measured : null;
}

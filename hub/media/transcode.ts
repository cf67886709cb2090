// Turns any audio ffmpeg can read into the delivery format: Ogg/Opus, mono, 48 kHz, loudness-
// normalised to EBU R128. Pass 1 measures (loudnorm, print_format=json); the last pass applies the
// gain and encodes; items that need the peak limiter get a check pass between (loudness.ts).
// Progress covers every pass: pass 1 is 0–40 %, the rest share 40–100 %.
import { rm, stat } from 'node:fs/promises';
import type { Logger } from '../../common/logger.js';
import { isLoaError, type LoaError } from '../../common/errors.js';
import { refusedFormat } from './demuxers.js';
import { mediaErrors } from './errors.js';
import { FfmpegAbortedError, FfmpegRunError, runFfmpeg, type InputInfo } from './ffmpeg-run.js';
import { applyFilter, checkFilter, makeUp, measureFilter, parseMeasurement, planLoudness, type LoudnessMeasurement, type LoudnessPlan } from './loudness.js';
import { oggOpusDurationMs } from './ogg-duration.js';
import type { MediaSettings } from './settings.js';

export const DELIVERY_FORMAT = 'ogg/opus' as const;

export type MediaPhase = 'measure' | 'encode';
/** Percent of the whole import (0–100, never decreasing, 100 once the encode is done). */
export type ProgressCallback = (percent: number, phase: MediaPhase) => void;

export interface TranscodeOptions {
  ffmpegPath: string;
  inputPath: string;
  outputPath: string;
  /** How the input is named in errors, e.g. an upload's original file name; defaults to inputPath. */
  displayName?: string;
  settings: Pick<MediaSettings, 'loudness' | 'bitrateKbps' | 'maxDurationS' | 'minDurationMs'>;
  onProgress?: ProgressCallback;
  logger: Logger;
  signal?: AbortSignal;
}

/** A file in the delivery format, as an encode left it. */
export interface DeliveredFile {
  /** Playing time of the encoded file, from its last Ogg granule position. */
  durationMs: number;
  bytes: number;
  format: typeof DELIVERY_FORMAT;
}

export interface TranscodeResult extends DeliveredFile {
  loudness: LoudnessMeasurement & LoudnessPlan;
}

/**
 * Share of the progress bar for pass 1. The passes after it split the rest evenly: each takes
 * about as long as pass 1 (docs/media.md), and whether there are one or two is known only then.
 */
const FIRST_SHARE = 40;

class Progress {
  private last = -1;
  constructor(private readonly cb: ProgressCallback | undefined) {}

  report(percent: number, phase: MediaPhase): void {
    const p = Math.min(100, Math.max(0, Math.floor(percent * 10) / 10));
    if (p <= this.last) return;
    this.last = p;
    this.cb?.(p, phase);
  }
}

/** "image2 with video mjpeg" — what ffmpeg found, read from its stream listing. */
function describeInput(lines: string[]): string {
  const format = lines.map((l) => /Input #\d+, ([^ ]+),/.exec(l)?.[1]).find(Boolean);
  const streams = lines
    .map((l) => /Stream #\d+:\d+.*?: (Video|Audio|Subtitle|Data|Attachment): ([^ ,]+)/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]!.toLowerCase()} ${m[2]}`);
  if (!format) return 'ffmpeg does not recognise the format';
  return `ffmpeg sees ${format} with ${streams.length ? streams.join(', ') : 'no streams'} and no sound`;
}

function lastError(lines: string[]): string {
  const useful = lines.filter((l) => l.trim() && !/^\s|^size=|^video:|^\[.*\] *$/.test(l));
  return (useful.at(-1) ?? lines.at(-1) ?? 'no message').trim().slice(0, 300);
}

/** Maps whatever a run threw to the media error a person gets (an import's and an announcement's). */
export function classify(e: unknown, name: string, ffmpegPath: string): LoaError {
  if (isLoaError(e)) return e;
  if (e instanceof FfmpegAbortedError) return mediaErrors.cancelled(name);
  if (e instanceof FfmpegRunError) {
    if (e.spawnError) return mediaErrors.ffmpegFailed(ffmpegPath, e.message, e);
    const text = e.stderrLines.join('\n');
    const refused = refusedFormat(e.stderrLines);
    if (refused?.list) return mediaErrors.playlist(name, refused.format);
    if (refused) return mediaErrors.notAudio(name, `ffmpeg sees ${refused.format}, not a sound recording`);
    if (/matches no streams|does not contain any stream|Invalid data found when processing input|Unknown input format/.test(text)) {
      return mediaErrors.notAudio(name, describeInput(e.stderrLines));
    }
    if (/No such file or directory|Permission denied/.test(text)) return mediaErrors.unreadable(name, lastError(e.stderrLines), e);
    return mediaErrors.encodeFailed(name, lastError(e.stderrLines), e);
  }
  return mediaErrors.encodeFailed(name, e instanceof Error ? e.message : String(e), e);
}

const STREAMS = ['-map', '0:a:0', '-vn', '-sn', '-dn'];

/** The encoder's options, after the filter's: the delivery format, the same bytes for the same audio. */
export function deliveryOptions(bitrateKbps: number): string[] {
  return [
    // Tags and chapters of the input are dropped: the file is named by the hash of its bytes,
    // so the same audio must give the same bytes whatever its tags said.
    '-map_metadata',
    '-1',
    '-map_chapters',
    '-1',
    '-c:a',
    'libopus',
    '-b:a',
    `${bitrateKbps}k`,
    // Constrained VBR keeps the bytes per hour close to the bitrate, for 4G data budgets.
    '-vbr',
    'constrained',
    // Without bitexact the Ogg stream serial is random and the same audio hashes differently.
    '-fflags',
    '+bitexact',
    '-flags:a',
    '+bitexact',
    '-f',
    'ogg',
  ];
}

/** What an encode left at `outputPath`: its size and playing time (ffmpeg's last time if the Ogg
 *  stream gives none); shorter than `minDurationMs` is refused. */
export async function deliveredFile(outputPath: string, lastTimeS: number | null, name: string, minDurationMs: number): Promise<DeliveredFile> {
  const bytes = (await stat(outputPath)).size;
  const durationMs = (await oggOpusDurationMs(outputPath)) ?? Math.round((lastTimeS ?? 0) * 1000);
  if (durationMs < minDurationMs) throw mediaErrors.tooShort(name, durationMs, minDurationMs);
  return { durationMs, bytes, format: DELIVERY_FORMAT };
}

/** Runs one measuring pass (output discarded) and returns its loudness report and length; -Infinity
 *  loudness when nothing was decoded. */
export async function measurePass(
  o: { ffmpegPath: string; inputPath: string; filter: string; name: string; signal: AbortSignal | undefined },
  hooks: { onInput?: (info: InputInfo) => void; onTime?: (t: number) => void },
): Promise<{ measured: LoudnessMeasurement; decodedS: number }> {
  const run = await runFfmpeg({
    ffmpegPath: o.ffmpegPath,
    input: o.inputPath,
    output: '-',
    outputOptions: [...STREAMS, '-af', o.filter, '-f', 'null'],
    ...(o.signal ? { signal: o.signal } : {}),
    ...hooks,
  });
  const decodedS = run.lastTimeS ?? 0;
  const measured = parseMeasurement(run.stderrLines);
  // No report and nothing decoded is an empty stream; the caller reports that as too short.
  if (!measured && decodedS > 0) throw mediaErrors.encodeFailed(o.name, 'no loudness report from the measuring pass');
  return { measured: measured ?? { inputI: -Infinity, inputTp: -Infinity, inputLra: 0, inputThresh: -70 }, decodedS };
}

export async function transcode(opts: TranscodeOptions): Promise<TranscodeResult> {
  const { ffmpegPath, inputPath, outputPath, settings, logger, signal } = opts;
  const name = opts.displayName ?? inputPath;
  const target = settings.loudness;
  const maxS = settings.maxDurationS;
  const progress = new Progress(opts.onProgress);
  progress.report(0, 'measure');
  const common = { ffmpegPath, inputPath, name, signal };

  try {
    // Pass 1: find the audio, check its length, measure loudness and true peak.
    let guessS: number | null = null;
    const first = await measurePass(
      { ...common, filter: measureFilter(target) },
      {
        onInput: (info) => {
          // The container's duration may be an estimate (MP3 without a header) or missing (a piped
          // recording); it only sizes the progress bar and rejects the obviously too long early.
          guessS = info.durationS;
          if (guessS !== null && guessS > maxS) throw mediaErrors.tooLong(name, guessS, maxS);
        },
        onTime: (t) => {
          if (t > maxS) throw mediaErrors.tooLong(name, null, maxS);
          if (guessS) progress.report(Math.min(t / guessS, 1) * FIRST_SHARE, 'measure');
        },
      },
    );
    // From here on the length is known exactly, whatever the container said.
    const decodedS = first.decodedS;
    if (decodedS * 1000 < settings.minDurationMs) throw mediaErrors.tooShort(name, Math.round(decodedS * 1000), settings.minDurationMs);
    const measured = first.measured;
    progress.report(FIRST_SHARE, 'measure');

    let plan = planLoudness(measured, target);
    if (!plan.normalised) logger.warn({ file: name }, 'input is silent; encoding it without loudness correction');
    if (measured.inputLra > target.lra) {
      logger.info({ file: name, lra: measured.inputLra, target: target.lra }, 'loudness range above target; dynamics kept as they are');
    }
    const passesLeft = plan.limited ? 2 : 1;
    const share = (100 - FIRST_SHARE) / passesLeft;
    const at = (pass: number, t: number): number => FIRST_SHARE + share * (pass + Math.min(t / decodedS, 0.999));

    if (plan.limited) {
      // Check pass: what gain + limiter really give, so the encode can make up the difference.
      const check = await measurePass({ ...common, filter: checkFilter(plan, target) }, { onTime: (t) => progress.report(at(0, t), 'measure') });
      const before = plan.gainDb;
      plan = makeUp(plan, check.measured, target);
      logger.debug({ file: name, limitedI: check.measured.inputI, gainDb: before, madeUpDb: plan.gainDb - before }, 'limiter make-up gain');
    }
    logger.debug({ file: name, ...measured, ...plan }, 'loudness plan');

    // Last pass: apply the gain and encode.
    const encode = await runFfmpeg({
      ffmpegPath,
      input: inputPath,
      output: outputPath,
      outputOptions: [...STREAMS, '-af', applyFilter(plan, target), ...deliveryOptions(settings.bitrateKbps)],
      ...(signal ? { signal } : {}),
      onTime: (t) => progress.report(at(passesLeft - 1, t), 'encode'),
    });

    const file = await deliveredFile(outputPath, encode.lastTimeS, name, settings.minDurationMs);
    progress.report(100, 'encode');
    return { ...file, loudness: { ...measured, ...plan } };
  } catch (e) {
    await rm(outputPath, { force: true });
    throw classify(e, name, ffmpegPath);
  }
}

// Runs one ffmpeg command through fluent-ffmpeg and turns its events into a promise: what the
// input holds (codecData), how far it got (`time=` on stderr) and the last lines it printed.
// fluent-ffmpeg's own 'progress' event is not used: listening to it makes fluent-ffmpeg run
// ffprobe, which is not shipped beside the @ffmpeg-installer binary.
import { accessSync, constants } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import ffmpeg from 'fluent-ffmpeg';
import { IMPORT_INPUT_OPTIONS } from './demuxers.js';

export interface InputInfo {
  /** Demuxer name, e.g. "wav", "mp3", "image2". */
  format: string;
  /** First audio codec, '' when the input has no audio stream. */
  audio: string;
  video: string;
  /** Duration in seconds from the container; null when ffmpeg prints N/A. It may be an estimate. */
  durationS: number | null;
}

export interface FfmpegRunOptions {
  ffmpegPath: string;
  input: string;
  /** More inputs after `input` (#1, #2 …), for a filter graph that joins them. */
  extraInputs?: readonly string[];
  outputOptions: string[];
  output: string;
  /** Called once when ffmpeg has opened the input. Throwing stops ffmpeg and rejects with that error. */
  onInput?: (info: InputInfo) => void;
  /** Called with each `time=` ffmpeg prints (seconds of output so far). Throwing stops ffmpeg. */
  onTime?: (seconds: number) => void;
  signal?: AbortSignal;
}

export interface FfmpegRunResult {
  /** The last lines of stderr (loudnorm's JSON report is among them). */
  stderrLines: string[];
  /** The last `time=` printed, in seconds; null when ffmpeg printed none (nothing was decoded). */
  lastTimeS: number | null;
}

/** ffmpeg exited non-zero or could not start; `stderrLines` says why. */
export class FfmpegRunError extends Error {
  constructor(
    message: string,
    readonly stderrLines: string[],
    readonly spawnError: boolean,
  ) {
    super(message);
    this.name = 'FfmpegRunError';
  }
}

/** Thrown (as the rejection) when the signal aborted the run. */
export class FfmpegAbortedError extends Error {
  constructor() {
    super('ffmpeg run aborted');
    this.name = 'FfmpegAbortedError';
  }
}

const TAIL_LINES = 300;
const TIME_RE = /time=\s*(-?)(\d+):(\d+):(\d+(?:\.\d+)?)/;

export function parseTimemark(line: string): number | null {
  const m = TIME_RE.exec(line);
  if (!m) return null;
  const s = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
  return m[1] === '-' ? 0 : s;
}

function parseDuration(text: string | undefined): number | null {
  const m = /^(\d+):(\d+):(\d+(?:\.\d+)?)/.exec(text ?? '');
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : null;
}

export function runFfmpeg(opts: FfmpegRunOptions): Promise<FfmpegRunResult> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(new FfmpegAbortedError());
    // fluent-ffmpeg 2.1 throws an uncaught TypeError when the binary cannot be spawned, so a
    // missing or non-executable ffmpeg is caught here first.
    try {
      accessSync(opts.ffmpegPath, constants.X_OK);
    } catch (e) {
      return reject(new FfmpegRunError(`${(e as NodeJS.ErrnoException).code ?? 'cannot run'}: ${opts.ffmpegPath}`, [], true));
    }
    const tail: string[] = [];
    let lastTimeS: number | null = null;
    // Why the run was stopped from this side; reported once ffmpeg has really exited, so callers
    // never clean up files that a still-running ffmpeg could write again.
    let stopReason: unknown;
    // An absolute path: ffmpeg would read a relative name like "concat:a|b" or "http:x" as a protocol.
    // Each input is one local file of an audio container (demuxers.ts): never a playlist.
    const cmd = ffmpeg({ source: resolvePath(opts.input), stdoutLines: TAIL_LINES })
      .setFfmpegPath(opts.ffmpegPath)
      // -nostdin: ffmpeg must never wait on or eat a terminal's input.
      .inputOptions(['-nostdin', '-hide_banner', ...IMPORT_INPUT_OPTIONS]);
    for (const extra of opts.extraInputs ?? []) cmd.input(resolvePath(extra)).inputOptions(IMPORT_INPUT_OPTIONS);
    cmd.outputOptions(opts.outputOptions).output(opts.output);

    const stop = (reason: unknown): void => {
      if (stopReason !== undefined) return;
      stopReason = reason;
      cmd.kill('SIGKILL');
    };
    const onAbort = (): void => stop(new FfmpegAbortedError());
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const done = (): void => opts.signal?.removeEventListener('abort', onAbort);

    cmd.on('codecData', (data: { format?: string; audio?: string; video?: string; duration?: string }) => {
      if (stopReason !== undefined) return;
      try {
        opts.onInput?.({ format: data.format ?? '', audio: data.audio ?? '', video: data.video ?? '', durationS: parseDuration(data.duration) });
      } catch (e) {
        stop(e);
      }
    });
    cmd.on('stderr', (line: string) => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      const t = parseTimemark(line);
      if (t === null || stopReason !== undefined) return;
      lastTimeS = t;
      try {
        opts.onTime?.(t);
      } catch (e) {
        stop(e);
      }
    });
    cmd.on('error', (err: Error & { code?: string }) => {
      done();
      if (stopReason !== undefined) return reject(stopReason);
      // fluent-ffmpeg reports a binary it cannot start as a spawn error with an errno code.
      const spawnError = typeof err.code === 'string' || /spawn|ENOENT|EACCES/.test(err.message);
      reject(new FfmpegRunError(err.message, tail, spawnError));
    });
    cmd.on('end', () => {
      done();
      // A stop requested in the last moment still wins: the caller decided the result is unwanted.
      if (stopReason !== undefined) return reject(stopReason);
      resolve({ stderrLines: tail, lastTimeS });
    });
    cmd.run();
  });
}

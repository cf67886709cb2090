// `loa announce --mic` and `loa announce --file F --live`: ffmpeg on the operator's machine captures
// the microphone (ALSA) or reads the file in real time, encodes MP3 mono 32 kbit/s, and its output
// is streamed as the body of POST /api/v1/live/push until Ctrl-C, --duration or the file's end.
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { locateFfmpeg } from '../../../common/ffmpeg.js';
import type { PushAnswer } from '../../../hub/http/api.js';
import type { CommandContext } from '../../context.js';
import { CliError, cliErrors } from '../../errors.js';
import { announceTexts } from '../../i18n-announce.js';
import type { CommandResult } from '../../output.js';

export interface LiveAnnounceOptions {
  mic?: boolean;
  micDevice?: string;
  file?: string;
  duration?: string;
  chime?: boolean;
  emergency?: boolean;
}

/** ffmpeg input devices that deliver sound as it is captured: they set the pace themselves. */
const CAPTURE_FORMATS = new Set(['alsa', 'pulse', 'jack', 'oss', 'sndio', 'openal', 'avfoundation', 'dshow']);

/** The capture input: ALSA, or (tests, machines without a sound card) LOA_MIC_INPUT, e.g.
 *  `-f lavfi -i sine=f=440`: that is the fake microphone; the real ALSA path is not tested here.
 *  A generator or a file is read as fast as ffmpeg can (seconds of audio in milliseconds: the
 *  push would be over before a box joined), so it is read in real time (-re) like `--file --live`. */
export function micInput(device: string | undefined, env: NodeJS.ProcessEnv): string[] {
  const fake = env.LOA_MIC_INPUT?.trim();
  if (!fake) return ['-f', 'alsa', '-i', device ?? 'default'];
  const args = fake.split(/\s+/);
  const format = args.includes('-f') ? args[args.indexOf('-f') + 1] : undefined;
  const paced = args.includes('-re') || (format !== undefined && CAPTURE_FORMATS.has(format));
  return paced ? args : ['-re', ...args];
}

export async function announceLive(opts: LiveAnnounceOptions, choice: { clusters?: string[]; all?: true }, ctx: CommandContext): Promise<CommandResult> {
  const { t } = ctx;
  const a = announceTexts(t.lang);
  let input: string[];
  if (opts.file !== undefined) {
    const path = resolve(ctx.io.cwd, opts.file);
    const ok = await stat(path).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!ok) throw cliErrors.fileUnreadable(t, path, 'ENOENT');
    input = ['-re', '-i', path];
  } else input = micInput(opts.micDevice, ctx.io.env);
  const duration = opts.duration === undefined ? [] : ['-t', opts.duration];
  const ffmpeg = locateFfmpeg({ env: ctx.io.env }).path;
  const args = [
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'error',
    ...input,
    ...duration,
    '-vn',
    '-ac',
    '1',
    '-ar',
    '22050',
    '-c:a',
    'libmp3lame',
    '-b:a',
    '32k',
    '-write_xing',
    '0',
    '-id3v2_version',
    '0',
    '-f',
    'mp3',
    '-flush_packets',
    '1',
    'pipe:1',
  ];
  // Connect (TCP and TLS) before the capture starts: the push then goes out on that open
  // connection instead of spending its first second in a handshake while -re input runs on.
  await ctx.api.get('/healthz');
  const proc = spawn(ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-600)));
  const exited = new Promise<number | null>((res) => proc.on('close', (code) => res(code)));
  // Ctrl-C ends the capture cleanly: ffmpeg finishes its last frame and closes its output, which
  // ends the request body, and the hub ends the stream.
  const onSigint = (): void => void proc.kill('SIGINT');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    // Nothing is sent until ffmpeg has audio: a missing sound card is an error here, not an empty stream.
    const first = await Promise.race([new Promise<boolean>((res) => proc.stdout.once('readable', () => res(true))), exited.then(() => false)]);
    if (!first || proc.stdout.readableLength === 0) {
      throw new CliError('LOA_CLI_CAPTURE_FAILED', a.captureFailed(stderr.trim().split('\n').at(-1) ?? ''));
    }
    if (!ctx.json) ctx.io.stderr.write(`${opts.file !== undefined ? a.liveFileStarted : a.micStarted}\n`);
    const query = {
      ...(choice.all ? { all: '1' } : { clusters: (choice.clusters ?? []).join(',') }),
      ...(opts.chime ? { chime: '1' } : {}),
      ...(opts.emergency ? { emergency: '1' } : {}),
    };
    const body = await ctx.api.postStream<PushAnswer>('/api/v1/live/push', query, proc.stdout, 'audio/mpeg');
    // The audio that went on air: the hub's durationMs starts only once the stream is set up, a
    // moment (seconds on a loaded hub) after the capture began, and would undercount the speech.
    const seconds = (body.stream.audioMs / 1000).toFixed(1);
    return { json: body, view: [{ kind: 'line', text: a.liveEnded(body.stream.id, body.stream.clusters.length, seconds, body.end) }] };
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  }
}

// Plays one cached media file to the configured sink with ffmpeg (through fluent-ffmpeg).
// The daemon only sees the small Player/PlayerSession interfaces, so a test or the simulator can
// put something else behind them; the real one below is what a box runs.
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import ffmpeg from 'fluent-ffmpeg';
import type { Logger } from '../common/logger.js';
import type { SinkConfig } from './config.js';

export interface PlayRequest {
  file: string;
  /** Where in the media to begin, ms (offset asked for plus how late we start). */
  seekMs: number;
  /** 0..100, applied as a linear gain until the ALSA mixer takes over (a later issue). */
  volume: number;
  broadcastId: string;
  /** The planned start, used to name the file sink's output. */
  startAt: number;
}

export type PlayerFailure = 'player-error' | 'no-audio-device';

export interface PlayerEvents {
  /** ffmpeg is running and audio is on its way to the sink. */
  started: [];
  /** The media played to its end. */
  ended: [];
  /** Playback broke; not emitted after stop(). (Not named 'error': EventEmitter throws on those.) */
  failed: [reason: PlayerFailure, detail: string];
}

export interface PlayerSession extends EventEmitter<PlayerEvents> {
  /** Ends playback; resolves once the player process is gone. */
  stop(): Promise<void>;
}

export interface Player {
  play(req: PlayRequest): PlayerSession;
}

export interface FfmpegPlayerOptions {
  ffmpegPath: string;
  sink: SinkConfig;
  logger: Logger;
}

/** After SIGTERM, how long ffmpeg gets to finish its output before SIGKILL. */
const KILL_GRACE_MS = 2000;

export class FfmpegPlayer implements Player {
  constructor(private readonly opts: FfmpegPlayerOptions) {
    // fluent-ffmpeg keeps the path process-wide; one daemon uses one ffmpeg.
    ffmpeg.setFfmpegPath(opts.ffmpegPath);
    if (opts.sink.type === 'file') mkdirSync(opts.sink.dir, { recursive: true });
  }

  /** fluent-ffmpeg asks ffmpeg for its formats and encoders before the first run; asking at
   *  start-up keeps that delay out of the first broadcast. */
  async warmUp(): Promise<void> {
    await new Promise<void>((resolve) => ffmpeg.getAvailableFormats(() => resolve()));
    await new Promise<void>((resolve) => ffmpeg.getAvailableEncoders(() => resolve()));
  }

  play(req: PlayRequest): PlayerSession {
    return new FfmpegSession(this.build(req), this.opts.sink, this.opts.logger.child({ broadcastId: req.broadcastId }));
  }

  private build(req: PlayRequest): ffmpeg.FfmpegCommand {
    const sink = this.opts.sink;
    const cmd = ffmpeg().input(req.file);
    const input = ['-nostdin', '-ss', (req.seekMs / 1000).toFixed(3)];
    // An ALSA device consumes audio in real time by itself; the other sinks are paced with -re so
    // an item takes as long as it would take to hear (what the hub's timing expects).
    if (sink.type !== 'alsa') input.push('-re');
    cmd.inputOptions(input).noVideo().audioFilters(`volume=${(req.volume / 100).toFixed(2)}`);
    switch (sink.type) {
      case 'alsa':
        cmd.output(sink.device).format('alsa');
        break;
      case 'file':
        cmd
          .output(join(sink.dir, `${req.startAt}-${req.broadcastId}.wav`))
          .audioCodec('pcm_s16le')
          .audioFrequency(48_000)
          .audioChannels(1)
          .format('wav');
        break;
      case 'null':
        cmd.output('/dev/null').format('null');
        break;
    }
    return cmd;
  }
}

class FfmpegSession extends EventEmitter<PlayerEvents> implements PlayerSession {
  private stopping = false;
  private running = false;
  private readonly gone: Promise<void>;

  constructor(
    private readonly cmd: ffmpeg.FfmpegCommand,
    sink: SinkConfig,
    private readonly log: Logger,
  ) {
    super();
    let markGone!: () => void;
    this.gone = new Promise((resolve) => (markGone = resolve));
    cmd.on('start', (line: string) => {
      this.running = true;
      this.log.debug({ cmd: line }, 'ffmpeg started');
      // stop() may have come while fluent-ffmpeg was still preparing the process.
      if (this.stopping) this.kill();
      else this.emit('started');
    });
    cmd.on('end', () => {
      this.running = false;
      markGone();
      if (!this.stopping) this.emit('ended');
    });
    cmd.on('error', (err: Error, _stdout: string | null, stderr: string | null) => {
      this.running = false;
      markGone();
      if (this.stopping) return;
      const { reason, detail } = classify(err, stderr ?? '', sink);
      this.log.warn({ reason, detail }, 'ffmpeg failed');
      this.emit('failed', reason, detail);
    });
    cmd.run();
  }

  async stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      if (this.running) this.kill();
    }
    await this.gone;
  }

  private kill(): void {
    // SIGTERM lets ffmpeg close its output properly (a file sink's WAV header gets its length).
    this.cmd.kill('SIGTERM');
    const t = setTimeout(() => this.cmd.kill('SIGKILL'), KILL_GRACE_MS);
    void this.gone.then(() => clearTimeout(t));
  }
}

/** Maps ffmpeg's complaint to an ack reason, with the line a person needs to see. */
export function classify(err: Error, stderr: string, sink: SinkConfig): { reason: PlayerFailure; detail: string } {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('ALSA lib'));
  const deviceLine = lines.find((l) => /cannot open audio device|\[alsa @/i.test(l));
  if (sink.type === 'alsa' && (deviceLine || /Unknown PCM|No such device|cannot find card/i.test(stderr))) {
    return { reason: 'no-audio-device', detail: clip(deviceLine ?? `ALSA device ${sink.device} cannot be opened`) };
  }
  if (/Output format alsa is not available/.test(err.message)) {
    return { reason: 'no-audio-device', detail: 'this ffmpeg has no ALSA output; set ffmpeg.path to one built with ALSA' };
  }
  const last = lines.filter((l) => !/^(size|video|Stream|Press|Input|Output|Duration|Metadata)/.test(l)).at(-1);
  return { reason: 'player-error', detail: clip(last ?? err.message) };
}

function clip(s: string): string {
  return s.length > 280 ? `${s.slice(0, 277)}...` : s;
}

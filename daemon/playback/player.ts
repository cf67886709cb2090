// Plays one cached media file to the configured sink with ffmpeg (through fluent-ffmpeg).
// The daemon only sees the small Player/PlayerSession interfaces, so a test or the simulator can
// put something else behind them; the real one below is what a box runs.
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import ffmpeg from 'fluent-ffmpeg';
import { systemClock, type Clock, type TimerHandle } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { SinkConfig } from '../config.js';

export interface PlayRequest {
  file: string;
  /** Where in the media to begin, ms (offset asked for plus how late we start). */
  seekMs: number;
  /** 0..100, a linear gain (100 when the ALSA mixer sets the volume instead). */
  volume: number;
  broadcastId: string;
  /** The planned start, used to name the file sink's output. */
  startAt: number;
  /** 0 for an item's first run; n for the n-th restart after ffmpeg died (its own WAV with the file sink). */
  restart?: number;
  /** n when the daemon itself was killed n times during the item and joined it again (`.sN` WAV). */
  resumes?: number;
  /** Set for a live stream (`file` is then its URL): extra input options; no seek and no -re,
   *  since the stream arrives in real time by itself. */
  live?: string[];
}

export type PlayerFailure = 'player-error' | 'no-audio-device';

export interface PlayerEvents {
  /** ffmpeg is running and audio is on its way to the sink. */
  started: [];
  /** The media played to its end. */
  ended: [];
  /** Playback broke (ffmpeg exited with an error or a signal, or stalled and was killed); not
   *  emitted after stop(). (Not named 'error': EventEmitter throws on those.) */
  failed: [reason: PlayerFailure, detail: string];
}

export interface PlayerSession extends EventEmitter<PlayerEvents> {
  /** The player process, for logs (and for tests that kill it). */
  readonly pid?: number | undefined;
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
  /** ffmpeg counts as stalled when its output position has not moved for this long. */
  stallMs?: number;
  /** For the stall watch only; ffmpeg itself paces by the sound card or -re. */
  clock?: Clock;
  /** Told of each ffmpeg spawned and gone (player-leftovers.ts: a kill -9 must not leave one). */
  pids?: { add(pid: number | undefined): void; remove(pid: number | undefined): void };
}

/** After SIGTERM, how long ffmpeg gets to finish its output before SIGKILL. */
const KILL_GRACE_MS = 2000;
export const DEFAULT_STALL_MS = 5000;

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
    const log = this.opts.logger.child({ broadcastId: req.broadcastId, ...(req.restart ? { restart: req.restart } : {}) });
    return new FfmpegSession(this.build(req), {
      sink: this.opts.sink,
      log,
      clock: this.opts.clock ?? systemClock,
      stallMs: this.opts.stallMs ?? DEFAULT_STALL_MS,
      pids: this.opts.pids,
    });
  }

  private build(req: PlayRequest): ffmpeg.FfmpegCommand {
    const sink = this.opts.sink;
    const cmd = ffmpeg().input(req.file);
    // -progress: ffmpeg reports its output position (out_time_us) on stdout every half second;
    // that is how a stalled ffmpeg is noticed. -nostats keeps those figures out of stderr, whose
    // last line is what a failure reports.
    const input = ['-nostdin', '-nostats', '-progress', 'pipe:1'];
    if (req.live) input.push(...req.live);
    else input.push('-ss', (req.seekMs / 1000).toFixed(3));
    // An ALSA device consumes audio in real time by itself; the other sinks are paced with -re so
    // an item takes as long as it would take to hear (what the hub's timing expects).
    if (sink.type !== 'alsa' && !req.live) input.push('-re');
    cmd
      .inputOptions(input)
      .noVideo()
      .audioFilters(`volume=${(req.volume / 100).toFixed(2)}`);
    switch (sink.type) {
      case 'alsa':
        cmd.output(sink.device).format('alsa');
        break;
      case 'file':
        cmd
          .output(join(sink.dir, `${req.startAt}-${req.broadcastId}${req.resumes ? `.s${req.resumes}` : ''}${req.restart ? `.r${req.restart}` : ''}.wav`))
          .audioCodec('pcm_s16le')
          .audioFrequency(48_000)
          .audioChannels(1)
          // Written as it plays, not in 256 KiB blocks: a killed ffmpeg leaves what was heard.
          .outputOptions(['-flush_packets', '1'])
          .format('wav');
        break;
      case 'null':
        cmd.output('/dev/null').format('null');
        break;
    }
    return cmd;
  }
}

interface SessionOptions {
  sink: SinkConfig;
  log: Logger;
  clock: Clock;
  stallMs: number;
  pids: FfmpegPlayerOptions['pids'];
}

class FfmpegSession extends EventEmitter<PlayerEvents> implements PlayerSession {
  private stopping = false;
  private running = false;
  /** Set when the stall watch killed ffmpeg, so its death is reported as a stall. */
  private stalled: string | null = null;
  private readonly gone: Promise<void>;
  private proc: ChildProcess | null = null;
  private stallTimer: TimerHandle | null = null;
  /** ffmpeg's output position, and when (clock time) it last moved. */
  private outTimeUs = -1;
  private movedAt = 0;

  constructor(
    private readonly cmd: ffmpeg.FfmpegCommand,
    private readonly o: SessionOptions,
  ) {
    super();
    let markGone!: () => void;
    this.gone = new Promise((resolve) => (markGone = resolve));
    cmd.on('start', (line: string) => {
      this.running = true;
      // fluent-ffmpeg emits 'start' right after spawn, before any output can be lost.
      this.proc = (cmd as unknown as { ffmpegProc?: ChildProcess }).ffmpegProc ?? null;
      this.o.pids?.add(this.pid);
      // A stream's command line carries the cluster's credentials (-headers): not for the log.
      this.o.log.debug({ cmd: line.replace(/(Authorization: Basic )\S+/gi, '$1<redacted>'), pid: this.pid }, 'ffmpeg started');
      this.watchProgress();
      // stop() may have come while fluent-ffmpeg was still preparing the process.
      if (this.stopping) this.kill();
      else this.emit('started');
    });
    cmd.on('end', () => {
      this.finish();
      markGone();
      if (!this.stopping) this.emit('ended');
    });
    cmd.on('error', (err: Error, _stdout: string | null, stderr: string | null) => {
      this.finish();
      markGone();
      if (this.stopping) return;
      const { reason, detail } = this.stalled !== null ? { reason: 'player-error' as const, detail: this.stalled } : classify(err, stderr ?? '', o.sink);
      this.o.log.warn({ reason, detail }, 'ffmpeg failed');
      this.emit('failed', reason, detail);
    });
    cmd.run();
  }

  get pid(): number | undefined {
    return this.proc?.pid;
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

  private finish(): void {
    this.o.pids?.remove(this.pid);
    this.running = false;
    this.stallTimer?.cancel();
    this.stallTimer = null;
  }

  /** Reads -progress blocks from stdout (which must be drained anyway, or ffmpeg blocks once the
   *  pipe is full) and arms the stall watch. */
  private watchProgress(): void {
    this.movedAt = this.o.clock.now();
    const out = this.proc?.stdout;
    if (out) {
      let partial = '';
      out.setEncoding('utf8');
      out.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          const m = /^out_time_us=(\d+)/.exec(line);
          if (m?.[1] === undefined) continue;
          const us = Number(m[1]);
          if (us > this.outTimeUs) {
            this.outTimeUs = us;
            this.movedAt = this.o.clock.now();
          }
        }
      });
    }
    this.scheduleStallCheck();
  }

  private scheduleStallCheck(): void {
    const period = Math.max(100, Math.min(1000, this.o.stallMs / 4));
    this.stallTimer = this.o.clock.setTimeout(() => {
      if (!this.running || this.stopping) return;
      const stillMs = this.o.clock.now() - this.movedAt;
      if (stillMs < this.o.stallMs) return this.scheduleStallCheck();
      const atMs = Math.max(0, this.outTimeUs / 1000).toFixed(0);
      this.stalled = `ffmpeg stalled: no output progress for ${(stillMs / 1000).toFixed(1)} s (at ${atMs} ms of this run)`;
      this.o.log.warn({ pid: this.pid, stillMs }, 'ffmpeg stalled; killing it');
      // SIGKILL: a stopped (SIGSTOP) or wedged process does not act on SIGTERM.
      this.cmd.kill('SIGKILL');
    }, period);
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
  // Killed from outside (OOM killer, a person, a test): stderr ends with its banner, not a reason.
  if (/killed with signal/.test(err.message)) return { reason: 'player-error', detail: err.message };
  const last = lines.filter((l) => !/^(size|video|Stream|Press|Input|Output|Duration|Metadata|encoder\s*:)/.test(l)).at(-1);
  return { reason: 'player-error', detail: clip(last ?? err.message) };
}

function clip(s: string): string {
  return s.length > 280 ? `${s.slice(0, 277)}...` : s;
}

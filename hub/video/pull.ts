// One upstream pull of one camera profile: ffmpeg reads the camera's RTSP over TCP and copies the
// H.264 (no transcoding) into fragmented MP4 on its stdout, which Fmp4Splitter cuts into an init
// segment and keyframe-led fragments. A pull that ends or never gets going reports "lost" with a
// reason and tries again with backoff until its owner stops it.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { Clock, TimerHandle } from '../../common/clock.js';
import { english, reason, type Reason } from '../../common/i18n/reasons.js';
import type { Logger } from '../../common/logger.js';
import { Fmp4Splitter, type StreamInfo } from './fmp4.js';
import { redact, SourceError, type StreamSource } from './source.js';

export type LiveState = 'connecting' | 'live' | 'lost';

export interface PullSettings {
  /** No init segment within this long after starting ffmpeg, or no fragment for this long: lost. */
  connectTimeoutSec: number;
  /** Retries after a loss wait 0.5 s, doubling up to this. */
  retryMaxSec: number;
}

export interface PullHandlers {
  state(state: LiveState, reason: Reason | null): void;
  init(data: Buffer, info: StreamInfo): void;
  fragment(data: Buffer): void;
}

export interface PullDeps {
  ffmpegPath: string;
  clock: Clock;
  logger: Logger;
  settings: PullSettings;
  /** Resolves the address (with credentials) at each attempt: a camera's address may change. */
  source: () => Promise<StreamSource>;
}

/** fMP4 a MediaSource can take: a moov without samples first, then a moof+mdat at each keyframe. */
const MOVFLAGS = 'frag_keyframe+empty_moov+default_base_moof';

export function ffmpegArgs(url: string, timeoutSec: number): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-rtsp_transport',
    'tcp',
    // Socket I/O timeout in microseconds: a camera that stops answering ends ffmpeg instead of holding it.
    '-timeout',
    String(Math.round(timeoutSec * 1e6)),
    '-i',
    url,
    // Video only: the browser's SourceBuffer is made for the one codec the status names.
    '-map',
    '0:v:0',
    '-c',
    'copy',
    '-f',
    'mp4',
    '-movflags',
    MOVFLAGS,
    'pipe:1',
  ];
}

export class LivePull {
  private child: ChildProcessByStdio<null, Readable, Readable> | null = null;
  private stopped = false;
  private failures = 0;
  private watchdog: TimerHandle | null = null;
  private retry: TimerHandle | null = null;
  private live = false;
  /** The reason of the current attempt's end, when one was decided here (timeout, garbage). */
  private cause: Reason | null = null;
  private secrets: string[] = [];

  constructor(
    private readonly deps: PullDeps,
    private readonly on: PullHandlers,
  ) {}

  start(): void {
    this.on.state('connecting', null);
    void this.attempt();
  }

  stop(): void {
    this.stopped = true;
    this.retry?.cancel();
    this.watchdog?.cancel();
    this.child?.kill('SIGKILL');
    this.child = null;
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    const { logger, settings } = this.deps;
    let source: StreamSource;
    try {
      source = await this.deps.source();
    } catch (e) {
      return this.lost(reason('live.no-address', { detail: e instanceof SourceError ? e.message : 'the camera could not say' }));
    }
    if (this.stopped) return;
    this.secrets = source.secrets;
    this.cause = null;
    this.live = false;
    const splitter = new Fmp4Splitter();
    let said = '';
    const child = spawn(this.deps.ffmpegPath, ffmpegArgs(source.url, settings.connectTimeoutSec), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    logger.debug({ rtsp: source.shown, pid: child.pid }, 'live pull started');
    this.arm(reason('live.no-video-start', { s: settings.connectTimeoutSec }));
    child.stdout.on('data', (chunk: Buffer) => {
      if (this.child !== child) return;
      let pieces: ReturnType<Fmp4Splitter['push']>;
      try {
        pieces = splitter.push(chunk);
      } catch (e) {
        this.cause = reason('live.not-video', { detail: (e as Error).message });
        child.kill('SIGKILL');
        return;
      }
      for (const p of pieces) {
        if (p.kind === 'init') {
          this.live = true;
          this.on.init(p.data, p.info);
          this.on.state('live', null);
        } else {
          this.failures = 0;
          this.arm(reason('live.no-video', { s: settings.connectTimeoutSec }));
          this.on.fragment(p.data);
        }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      // Kept short: the last line is the reason a viewer and the log get.
      said = (said + d).slice(-2000);
    });
    child.on('error', (e) => {
      this.cause = reason('live.ffmpeg', { detail: e.message });
    });
    child.on('close', (code, signal) => {
      if (this.child !== child) return;
      this.child = null;
      this.watchdog?.cancel();
      if (this.stopped) return;
      const last = redact(said.trim().split('\n').at(-1)?.trim() ?? '', this.secrets).slice(0, 250);
      const ended = this.live ? reason('live.closed') : reason('live.ffmpeg', { detail: `exit ${code ?? signal}` });
      this.lost(this.cause ?? (last ? reason('live.ended', { detail: last }) : ended));
    });
  }

  /** (Re)starts the no-video timer of the running attempt. */
  private arm(why: Reason): void {
    this.watchdog?.cancel();
    this.watchdog = this.deps.clock.setTimeout(() => {
      this.cause = why;
      this.child?.kill('SIGKILL');
    }, this.deps.settings.connectTimeoutSec * 1000);
  }

  private lost(why: Reason): void {
    if (this.stopped) return;
    const delay = Math.min(this.deps.settings.retryMaxSec, 0.5 * 2 ** this.failures) * 1000;
    this.failures++;
    this.deps.logger.warn({ reason: english(why), retryInMs: delay }, 'live pull lost');
    this.on.state('lost', why);
    this.retry = this.deps.clock.setTimeout(() => {
      this.retry = null;
      void this.attempt();
    }, delay);
  }
}

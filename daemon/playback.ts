// The life of one broadcast item on the box: fetch the media, wait for its start time, play it,
// and acknowledge each step. Only one item plays at a time; a new one replaces the old.
// Every item ends with exactly one final ack (finished, stopped or failed), guarded by `closed`.
import type { Clock } from '../common/clock.js';
import { errorMessage } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { Ack, AckReason, MediaRef, PlayCommand, ReportedState } from '../protocol/index.js';
import { MediaError } from './media-cache.js';
import type { Player, PlayerSession } from './player.js';

/** An ack as the daemon's parts make it; the daemon adds `v` and `at`. */
export type AckInput = Omit<Ack, 'v' | 'at'>;
export type AckFn = (ack: AckInput) => void;

/** Where media comes from (the MediaCache on a box). */
export interface MediaSource {
  ensure(media: MediaRef, signal?: AbortSignal): Promise<string>;
}

export interface PlaybackOptions {
  player: Player;
  media: MediaSource;
  clock: Clock;
  logger: Logger;
  ack: AckFn;
  /** The cluster volume, used when a play command carries none. */
  volume: () => number;
  /** Called whenever what is playing changes, to publish the reported state. */
  onChange: () => void;
}

interface Item {
  cmd: PlayCommand;
  abort: AbortController;
  session: PlayerSession | null;
  /** Device time at which the player started, and the media position it started from. */
  startedAt: number | null;
  seekMs: number;
  closed: boolean;
}

type EndReason = Extract<AckReason, 'replaced' | 'stop-command' | 'shutdown'>;

export class Playback {
  private current: Item | null = null;
  private failedLast = false;
  lastError: string | null = null;

  constructor(private readonly opts: PlaybackOptions) {}

  /** What the reported state says is playing. */
  get playing(): ReportedState['playing'] {
    const c = this.current;
    if (!c || c.startedAt === null) return null;
    return { broadcastId: c.cmd.broadcastId, mediaId: c.cmd.media.id, startedAt: c.startedAt, offsetMs: c.seekMs };
  }

  get playerState(): 'idle' | 'playing' | 'error' {
    if (this.current?.startedAt != null) return 'playing';
    return this.failedLast ? 'error' : 'idle';
  }

  /** Starts a new item (the command was accepted already), replacing whatever is current. */
  async play(cmd: PlayCommand): Promise<void> {
    const previous = this.current;
    const item: Item = { cmd, abort: new AbortController(), session: null, startedAt: null, seekMs: cmd.offsetMs, closed: false };
    this.current = item;
    if (previous) await this.end(previous, 'replaced');
    void this.run(item).catch((e: unknown) => this.fail(item, 'player-error', errorMessage(e)));
  }

  /** Stops the current item if it is `broadcastId` (or any item when absent); true if one stopped. */
  async stop(broadcastId: string | undefined): Promise<boolean> {
    const c = this.current;
    if (!c || (broadcastId !== undefined && c.cmd.broadcastId !== broadcastId)) return false;
    await this.end(c, 'stop-command');
    return true;
  }

  async shutdown(): Promise<void> {
    if (this.current) await this.end(this.current, 'shutdown');
  }

  private async run(item: Item): Promise<void> {
    const { cmd } = item;
    const { clock } = this.opts;
    const log = this.opts.logger.child({ cmdId: cmd.id, broadcastId: cmd.broadcastId });
    let file: string;
    try {
      file = await this.opts.media.ensure(cmd.media, item.abort.signal);
    } catch (e) {
      if (e instanceof MediaError) this.fail(item, e.reason, e.message);
      else if (!item.closed) this.fail(item, 'media-fetch-failed', errorMessage(e));
      return;
    }
    if (item.closed) return;
    // Startup time is device time for now; clock sync with the hub comes in a later issue.
    const waitMs = cmd.startAt - clock.now();
    if (waitMs > 0) await sleepUnlessAborted(clock, waitMs, item.abort.signal);
    if (item.closed) return;
    // Late (slow download, late command): join where the others are rather than start behind.
    const lateMs = Math.max(0, clock.now() - cmd.startAt);
    const seekMs = cmd.offsetMs + lateMs;
    if (seekMs >= cmd.media.durationMs) {
      this.fail(item, 'expired', `the item was over ${seekMs - cmd.media.durationMs} ms before it could start`);
      return;
    }
    item.seekMs = seekMs;
    const volume = cmd.volume ?? this.opts.volume();
    log.info({ seekMs, lateMs, volume }, 'starting playback');
    const session = this.opts.player.play({ file, seekMs, volume, broadcastId: cmd.broadcastId, startAt: cmd.startAt });
    item.session = session;
    session.on('started', () => {
      if (item.closed) return;
      item.startedAt = clock.now();
      this.failedLast = false;
      this.ack(item, { status: 'started', positionMs: seekMs });
      this.opts.onChange();
    });
    session.on('ended', () => {
      if (item.closed) return;
      log.info('playback finished');
      this.close(item);
      this.ack(item, { status: 'finished', positionMs: cmd.media.durationMs });
      this.opts.onChange();
    });
    session.on('failed', (reason, detail) => this.fail(item, reason, detail));
  }

  /** Ends an item early: the player is gone before the `stopped` ack says so. */
  private async end(item: Item, reason: EndReason): Promise<void> {
    if (item.closed) return;
    const positionMs = this.position(item);
    this.close(item);
    item.abort.abort(new Error(`playback ${reason}`));
    await item.session?.stop();
    this.opts.logger.info({ cmdId: item.cmd.id, broadcastId: item.cmd.broadcastId, reason }, 'playback stopped');
    this.ack(item, { status: 'stopped', reason, ...(positionMs === undefined ? {} : { positionMs }) });
    this.opts.onChange();
  }

  private fail(item: Item, reason: AckReason, detail: string): void {
    if (item.closed) return;
    this.close(item);
    this.failedLast = true;
    this.lastError = `${reason}: ${detail}`;
    this.opts.logger.warn({ cmdId: item.cmd.id, broadcastId: item.cmd.broadcastId, reason, detail }, 'playback failed');
    void item.session?.stop();
    this.ack(item, { status: 'failed', reason, detail: detail.slice(0, 300) });
    this.opts.onChange();
  }

  private close(item: Item): void {
    item.closed = true;
    if (this.current === item) this.current = null;
  }

  private position(item: Item): number | undefined {
    if (item.startedAt === null) return undefined;
    return Math.min(item.cmd.media.durationMs, item.seekMs + Math.max(0, this.opts.clock.now() - item.startedAt));
  }

  private ack(item: Item, a: Pick<AckInput, 'status' | 'reason' | 'detail' | 'positionMs'>): void {
    this.opts.ack({ cmdId: item.cmd.id, seq: item.cmd.seq, broadcastId: item.cmd.broadcastId, ...a });
  }
}

function sleepUnlessAborted(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = clock.setTimeout(done, ms);
    function done() {
      t.cancel();
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

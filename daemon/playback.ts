// The life of one broadcast item on the box: fetch the media, wait for its start time, play it to
// its end or its stopAt, and acknowledge each step. One item plays at a time. The hub sends the
// next item a few seconds ahead, so a new play does not cut the current one on arrival: it waits
// as `next` (fetching its media meanwhile) and replaces the current item at its own startAt.
// Every item ends with exactly one final ack (finished, stopped or failed), guarded by `closed`.
import type { Clock, TimerHandle } from '../common/clock.js';
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
  /** Ends the item at its stopAt, once it plays. */
  stopTimer: TimerHandle | null;
  closed: boolean;
}

type EndReason = Extract<AckReason, 'replaced' | 'stop-command' | 'shutdown'>;

export class Playback {
  /** The item playing, or the one to play next when nothing is ahead of it. */
  private current: Item | null = null;
  /** A play that came while `current` was there; it replaces `current` at its startAt.
   *  Invariant: `next` is set only while `current` is (closing `current` promotes `next`). */
  private next: Item | null = null;
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

  /** Takes a new item (the command was accepted already). It replaces the current item at its
   *  startAt, not now; a play that was still waiting to do so is dropped (newest wins). */
  async play(cmd: PlayCommand): Promise<void> {
    const item: Item = { cmd, abort: new AbortController(), session: null, startedAt: null, seekMs: cmd.offsetMs, stopTimer: null, closed: false };
    if (this.next) await this.end(this.next, 'replaced');
    if (this.current) this.next = item;
    else this.current = item;
    void this.run(item).catch((e: unknown) => this.fail(item, 'player-error', errorMessage(e)));
  }

  /** Stops, at once, the current and the waiting item if they are `broadcastId` (any when absent);
   *  true if one stopped. A waiting item that does not match still starts at its startAt. */
  async stop(broadcastId: string | undefined): Promise<boolean> {
    const matching = [this.current, this.next].filter((i): i is Item => i !== null && (broadcastId === undefined || i.cmd.broadcastId === broadcastId));
    for (const item of matching) await this.end(item, 'stop-command');
    return matching.length > 0;
  }

  async shutdown(): Promise<void> {
    for (const item of [this.current, this.next]) if (item) await this.end(item, 'shutdown');
  }

  private async run(item: Item): Promise<void> {
    const { cmd } = item;
    const { clock } = this.opts;
    const log = this.opts.logger.child({ cmdId: cmd.id, broadcastId: cmd.broadcastId });
    // The download runs while the item waits (and the current one plays on); a failure is acked
    // at once, and a waiting item that failed replaces nothing.
    const fetched = this.opts.media.ensure(cmd.media, item.abort.signal).then(
      (file) => file,
      (e: unknown) => {
        if (e instanceof MediaError) this.fail(item, e.reason, e.message);
        else this.fail(item, 'media-fetch-failed', errorMessage(e));
        return null;
      },
    );
    // Startup time is device time for now; clock sync with the hub comes in a later issue.
    await sleepUntil(clock, cmd.startAt, item.abort.signal);
    if (item.closed) return;
    // The schedule says the previous item is over now, whether or not this one's media is here.
    if (this.next === item && this.current) await this.end(this.current, 'replaced');
    const file = await fetched;
    if (file === null || item.closed) return;
    // Late (slow download, late command): join where the others are rather than start behind.
    const now = clock.now();
    const lateMs = Math.max(0, now - cmd.startAt);
    const seekMs = cmd.offsetMs + lateMs;
    const overMs = Math.max(seekMs - cmd.media.durationMs, cmd.stopAt === undefined ? -1 : now - cmd.stopAt);
    if (overMs >= 0) {
      this.fail(item, 'expired', `the item was over ${overMs} ms before it could start`);
      return;
    }
    item.seekMs = seekMs;
    const volume = cmd.volume ?? this.opts.volume();
    log.info({ seekMs, lateMs, volume, stopAt: cmd.stopAt }, 'starting playback');
    const session = this.opts.player.play({ file, seekMs, volume, broadcastId: cmd.broadcastId, startAt: cmd.startAt });
    item.session = session;
    if (cmd.stopAt !== undefined) {
      const stopAtReached = () => void this.end(item, 'stop-at').catch((e: unknown) => log.error({ err: errorMessage(e) }, 'ending at stopAt failed'));
      item.stopTimer = clock.setTimeout(stopAtReached, cmd.stopAt - now);
    }
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

  /** Ends an item before the media's end: the player is gone before the ack says so. Reaching
   *  stopAt is a normal end (`finished`); the other reasons are `stopped`. */
  private async end(item: Item, reason: EndReason | 'stop-at'): Promise<void> {
    if (item.closed) return;
    const positionMs = this.position(item);
    this.close(item);
    await item.session?.stop();
    const log = { cmdId: item.cmd.id, broadcastId: item.cmd.broadcastId, reason, positionMs };
    this.opts.logger.info(log, reason === 'stop-at' ? 'playback reached stopAt' : 'playback stopped');
    if (reason === 'stop-at') this.ack(item, { status: 'finished', positionMs });
    else this.ack(item, { status: 'stopped', reason, positionMs });
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

  /** Marks an item done (no more acks from its events) and lets a waiting item move up. */
  private close(item: Item): void {
    item.closed = true;
    item.stopTimer?.cancel();
    item.abort.abort(new Error('playback ended'));
    if (this.next === item) this.next = null;
    if (this.current === item) {
      this.current = this.next;
      this.next = null;
    }
  }

  /** Where in the media the item is; 0 for an item that never started. */
  private position(item: Item): number {
    if (item.startedAt === null) return 0;
    return Math.min(item.cmd.media.durationMs, item.seekMs + Math.max(0, this.opts.clock.now() - item.startedAt));
  }

  private ack(item: Item, a: Pick<AckInput, 'status' | 'reason' | 'detail' | 'positionMs'>): void {
    this.opts.ack({ cmdId: item.cmd.id, seq: item.cmd.seq, broadcastId: item.cmd.broadcastId, ...a });
  }
}

/** Waits until the clock reads `at` (timers may fire a little early), or until aborted. */
async function sleepUntil(clock: Clock, at: number, signal: AbortSignal): Promise<void> {
  for (let wait = at - clock.now(); wait > 0 && !signal.aborted; wait = at - clock.now()) {
    await sleepUnlessAborted(clock, wait, signal);
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

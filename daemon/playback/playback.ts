// The life of one broadcast item on the box: fetch the media, wait for its start time, play it to
// its end or its stopAt, and acknowledge each step. One item plays at a time. The hub sends the
// next item a few seconds ahead, so a new play does not cut the current one on arrival: it waits
// as `next` (fetching its media meanwhile) and replaces the current item at its own startAt.
// Every item ends with exactly one final ack (finished, stopped or failed), guarded by `closed`.
// If ffmpeg dies or stalls mid-item, the item goes on: ffmpeg starts again where the broadcast is
// now on the hub clock (not where it died), so the cluster stays in step with its neighbours.
import type { Clock, TimerHandle } from '../../common/clock.js';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { playDurationMs, playMediaId, type Ack, type AckReason, type MediaRef, type PlayCommand, type ReportedState } from '../../protocol/index.js';
import type { Mixer } from '../hardware/mixer.js';
import { VolumeControl } from '../hardware/volume.js';
import { MediaError } from '../cache/media-cache.js';
import type { Player, PlayerFailure, PlayerSession } from './player.js';
import type { PlayingNow } from './resume.js';
import { liveInputOptions, streamInput, type StreamAccess } from './stream.js';

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
  /** The ALSA mixer, when the box has one configured; otherwise volume is ffmpeg gain. */
  mixer?: Mixer | null;
  /** ffmpeg failures (crash or stall) within one item after which it is given up as failed. */
  maxFailures?: number;
  /** How to reach the hub's live streams (URL base and credentials); without it a stream play fails. */
  stream?: StreamAccess;
  /** Keeps the item playing on disk (play-resume.ts), so a killed daemon joins it again. */
  playing?: { save(now: PlayingNow): void; clear(cmdId: string): void };
  /** ffmpeg's startup latency on this box (StartMeter.latencyMs): an item from the media cache
   *  is started this long before its startAt, so that its first sample is heard at startAt. */
  startupLeadMs?: () => number;
}

export const DEFAULT_MAX_FAILURES = 3;
/** Times a killed daemon joins the same item again before it gives the item up. */
const MAX_RESUMES = 3;
/** A crash this close to the item's end is not worth a restart: the item has been heard. */
const END_SLACK_MS = 300;
/** The most an item is started ahead of its startAt for ffmpeg's start-up; a box slower than
 *  this starts late by the rest (and says so in its start error). */
export const MAX_STARTUP_LEAD_MS = 1000;

interface Item {
  cmd: PlayCommand;
  abort: AbortController;
  /** The ffmpeg run now playing the item (a new one after each restart). */
  session: PlayerSession | null;
  /** Clock time at which the player first started, and the media position it started from; a
   *  restart resumes on the same timeline, so these keep describing where the item is. */
  startedAt: number | null;
  seekMs: number;
  /** ffmpeg crashes and stalls so far in this item. */
  failures: number;
  /** Ends the item at its stopAt, once it plays. */
  stopTimer: TimerHandle | null;
  closed: boolean;
  /** How many times the daemon was killed during the item and joined it again. */
  resumes: number;
  /** How long before its first sample the item's first ffmpeg run was started (startup lead). */
  leadMs: number;
  /** Sends `started` when the first sample is due, an item started with a lead. */
  onAirTimer?: TimerHandle;
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
  private readonly volume: VolumeControl;

  constructor(private readonly opts: PlaybackOptions) {
    this.volume = new VolumeControl({ mixer: opts.mixer ?? null, standing: opts.volume, logger: opts.logger });
  }

  /** At start-up: the mixer (if any) gets the standing volume. */
  init(): Promise<void> {
    return this.volume.init();
  }

  /** After a volume command stored a new standing volume: applies it where it can, and says how
   *  (for the ack's detail). The item playing keeps its own volume if its play carried one. */
  async volumeChanged(): Promise<string> {
    if (!this.volume.hasMixer) return 'applies from the next item';
    const c = this.current;
    if (c?.startedAt != null && c.cmd.volume !== undefined) return 'stored; the item playing has its own volume, so it applies after that item';
    const err = await this.volume.apply(undefined);
    return err === null ? 'applied to the mixer' : `stored, but the mixer could not be set: ${err}`.slice(0, 300);
  }

  /** What the reported state says is playing. */
  get playing(): ReportedState['playing'] {
    const c = this.current;
    if (!c || c.startedAt === null) return null;
    return { broadcastId: c.cmd.broadcastId, mediaId: playMediaId(c.cmd), startedAt: c.startedAt, offsetMs: c.seekMs };
  }

  get playerState(): 'idle' | 'playing' | 'error' {
    if (this.current?.startedAt != null) return 'playing';
    return this.failedLast ? 'error' : 'idle';
  }

  /** Takes a new item (the command was accepted already). It replaces the current item at its
   *  startAt, not now; a play that was still waiting to do so is dropped (newest wins). */
  async play(cmd: PlayCommand): Promise<void> {
    const item: Item = {
      cmd,
      abort: new AbortController(),
      session: null,
      startedAt: null,
      seekMs: cmd.offsetMs,
      failures: 0,
      stopTimer: null,
      closed: false,
      resumes: 0,
      leadMs: 0,
    };
    if (this.next) await this.end(this.next, 'replaced');
    if (this.current) this.next = item;
    else this.current = item;
    void this.run(item).catch((e: unknown) => this.fail(item, 'player-error', errorMessage(e)));
  }

  /** At start-up: joins the item a killed daemon was playing (play-resume.ts), where the broadcast
   *  is now, as an ffmpeg restart would; no second `started`: the hub heard that one. */
  resume(left: PlayingNow): void {
    if (this.current) return;
    const { cmd } = left;
    const item: Item = {
      cmd,
      abort: new AbortController(),
      session: null,
      startedAt: left.startedAt,
      seekMs: left.seekMs,
      failures: 0,
      stopTimer: null,
      closed: false,
      resumes: left.resumes + 1,
      leadMs: 0,
    };
    this.current = item;
    // An item that itself brings the daemon down must not do so at every start, for ever.
    if (item.resumes > MAX_RESUMES) return this.fail(item, 'player-error', `loa-edge stopped ${item.resumes} times during the item; not joining it again`);
    const joining = 'the daemon stopped during this item; joining it again where the broadcast is now';
    this.opts.logger.warn({ cmdId: cmd.id, broadcastId: cmd.broadcastId, resumes: item.resumes }, joining);
    this.opts.playing?.save({ ...left, resumes: item.resumes });
    this.opts.onChange();
    void this.run(item).catch((e: unknown) => this.fail(item, 'player-error', errorMessage(e)));
  }

  /** Stops, at once, the current and the waiting item if they are `broadcastId` (any when absent);
   *  true if one stopped. A waiting item that does not match still starts at its startAt. */
  async stop(broadcastId: string | undefined): Promise<boolean> {
    const matching = [this.current, this.next].filter((i): i is Item => i !== null && (broadcastId === undefined || i.cmd.broadcastId === broadcastId));
    for (const item of matching) await this.end(item, 'stop-command');
    return matching.length > 0;
  }

  /** startAt of the item waiting to replace the current one; null when none waits. */
  get nextStartAt(): number | null {
    return this.next && !this.next.closed ? this.next.cmd.startAt : null;
  }

  /** Is an item of this broadcast playing or waiting to? */
  holds(broadcastId: string): boolean {
    return [this.current, this.next].some((i) => i !== null && !i.closed && i.cmd.broadcastId === broadcastId);
  }

  /** Drops the item of this command if it has not started yet (acked stopped, positionMs 0);
   *  true if it did. The offline player uses it when the hub is back and takes over. */
  async withdraw(cmdId: string): Promise<boolean> {
    const item = [this.current, this.next].find((i) => i !== null && i.cmd.id === cmdId && i.startedAt === null);
    if (!item) return false;
    await this.end(item, 'stop-command');
    return true;
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
    // A stream has nothing to fetch or cache: ffmpeg reads the hub's live URL (stream-play.ts).
    const fetched = (cmd.media ? this.opts.media.ensure(cmd.media, item.abort.signal) : streamInput(cmd, this.opts.stream)).then(
      (file) => file,
      (e: unknown) => {
        if (e instanceof MediaError) this.fail(item, e.reason, e.message);
        else this.fail(item, 'media-fetch-failed', errorMessage(e));
        return null;
      },
    );
    // `clock` is hub time in the daemon (clock sync), so every cluster wakes at the same moment;
    // ffmpeg is started its startup latency early, so the first sample is heard at startAt.
    let leadMs = this.startupLead(item);
    await sleepUntil(clock, cmd.startAt - leadMs, item.abort.signal);
    if (item.closed) return;
    if (this.next === item && this.current) {
      // An item that ends by itself about now plays to its end: cutting it early would lose its
      // last words, and a second ffmpeg may not open a sound card the first still holds.
      if (leadMs > 0 && plannedEndAt(this.current.cmd) <= cmd.startAt + leadMs) {
        leadMs = 0;
        await sleepUntil(clock, cmd.startAt, item.abort.signal);
        if (item.closed) return;
      }
      // The schedule says the previous item is over now, whether or not this one's media is here.
      // It may have ended by itself while this one waited for its exact startAt, which made this
      // one current: there is nothing left to replace then (and this one must not end itself).
      if (this.next === item && this.current) await this.end(this.current, 'replaced');
    }
    const file = await fetched;
    if (file === null || item.closed) return;
    // Late (slow download, late command): join where the others are when its first sample is
    // heard, rather than start behind.
    const now = clock.now();
    item.leadMs = leadMs;
    const lateMs = Math.max(0, now + leadMs - cmd.startAt);
    const seekMs = cmd.offsetMs + lateMs;
    const overMs = Math.max(seekMs - playDurationMs(cmd), cmd.stopAt === undefined ? -1 : now - cmd.stopAt);
    if (overMs >= 0) {
      const when = item.resumes > 0 ? 'when loa-edge started again after it stopped during the item' : 'before it could start';
      this.fail(item, 'expired', `the item was over ${overMs} ms ${when}`);
      return;
    }
    // A joined item keeps the timeline it started on (position() counts from it).
    if (item.startedAt === null) item.seekMs = seekMs;
    log.info({ seekMs, lateMs, leadMs, volume: cmd.volume ?? this.opts.volume(), mixer: this.volume.hasMixer, stopAt: cmd.stopAt }, 'starting playback');
    // Not awaited: amixer takes a few ms and ffmpeg longer to produce its first sample.
    void this.volume.apply(cmd.volume);
    this.launch(item, file, seekMs, log);
    if (cmd.stopAt !== undefined) {
      const stopAtReached = () => void this.end(item, 'stop-at').catch((e: unknown) => log.error({ err: errorMessage(e) }, 'ending at stopAt failed'));
      item.stopTimer = clock.setTimeout(stopAtReached, cmd.stopAt - now);
    }
  }

  /** Starts ffmpeg for an item: its first run, or a restart after the previous run died. Events of
   *  a run that is no longer the item's session are ignored. */
  private launch(item: Item, file: string, seekMs: number, log: Logger): void {
    const { cmd } = item;
    const { clock } = this.opts;
    const session = this.opts.player.play({
      file,
      seekMs,
      volume: this.volume.ffmpegVolume(cmd.volume),
      broadcastId: cmd.broadcastId,
      startAt: cmd.startAt,
      restart: item.failures,
      resumes: item.resumes,
      ...(cmd.stream ? { live: liveInputOptions(this.opts.stream, cmd.stream.format) } : {}),
    });
    item.session = session;
    const mine = () => !item.closed && item.session === session;
    session.on('started', () => {
      // A restart continues the broadcast the hub already knows as started: no second ack.
      if (!mine() || item.startedAt !== null) return;
      // When the first sample is heard, so that position() says what is on air; `started` goes
      // to the hub then too, not when ffmpeg was spawned (its startup lead before).
      const startedAt = clock.now() + item.leadMs;
      item.startedAt = startedAt;
      const onAir = () => {
        if (item.closed) return;
        this.opts.playing?.save({ cmd, startedAt, seekMs, resumes: 0 });
        this.failedLast = false;
        this.ack(item, { status: 'started', positionMs: seekMs });
        this.opts.onChange();
      };
      if (item.leadMs > 0) item.onAirTimer = clock.setTimeout(onAir, item.leadMs);
      else onAir();
    });
    session.on('ended', () => {
      if (!mine()) return;
      log.info({ restarts: item.failures }, 'playback finished');
      this.close(item);
      this.ack(item, { status: 'finished', positionMs: cmd.media ? cmd.media.durationMs : this.position(item), ...this.restartNote(item) });
      this.opts.onChange();
    });
    session.on('failed', (reason, detail) => {
      if (mine()) this.playerFailed(item, file, reason, detail, log);
    });
  }

  /** ffmpeg died (crash, signal) or was killed for stalling. Resume where the broadcast is now on
   *  the hub clock, unless the sound card is missing (that waits for the next item: no crash loop),
   *  the item is over anyway, or this item has failed too often. */
  private playerFailed(item: Item, file: string, reason: PlayerFailure, detail: string, log: Logger): void {
    const { cmd } = item;
    item.failures += 1;
    const now = this.opts.clock.now();
    const resumeMs = cmd.offsetMs + Math.max(0, now - cmd.startAt);
    const endMs = Math.min(playDurationMs(cmd), cmd.stopAt === undefined ? Infinity : cmd.offsetMs + (cmd.stopAt - cmd.startAt));
    const max = this.opts.maxFailures ?? DEFAULT_MAX_FAILURES;
    if (reason !== 'player-error' || item.startedAt === null) return this.fail(item, reason, detail);
    if (resumeMs >= endMs - END_SLACK_MS) {
      // It died in the item's last moments: what was to be heard has been heard.
      log.warn(
        { reason, detail, restarts: item.failures - 1, positionMs: Math.min(resumeMs, endMs) },
        'ffmpeg died at the end of the item; counted as finished',
      );
      this.close(item);
      this.ack(item, { status: 'finished', positionMs: Math.min(resumeMs, endMs), detail: `ffmpeg failed at the end: ${detail}`.slice(0, 300) });
      this.opts.onChange();
      return;
    }
    if (item.failures >= max) return this.fail(item, reason, `ffmpeg failed ${item.failures} times in this item; last: ${detail}`);
    const restarts = item.failures;
    this.lastError = `player-error: ffmpeg restarted ${restarts} time${restarts === 1 ? '' : 's'} during ${cmd.broadcastId}: ${detail}`.slice(0, 300);
    log.warn({ reason, detail, restarts, resumeMs, positionLostAtMs: this.position(item) }, 'ffmpeg died mid-item; restarting it where the broadcast is now');
    this.launch(item, file, resumeMs, log);
  }

  private restartNote(item: Item): { detail?: string } {
    const times = (n: number) => `${n} time${n === 1 ? '' : 's'}`;
    const notes = [
      ...(item.failures > 0 ? [`ffmpeg restarted ${times(item.failures)} during the item`] : []),
      ...(item.resumes > 0 ? [`loa-edge stopped ${times(item.resumes)} during the item and joined it again where the broadcast was`] : []),
    ];
    return notes.length === 0 ? {} : { detail: notes.join('; ') };
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
    if (reason === 'stop-at') this.ack(item, { status: 'finished', positionMs, ...this.restartNote(item) });
    else this.ack(item, { status: 'stopped', reason, positionMs, ...this.restartNote(item) });
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
    this.opts.playing?.clear(item.cmd.id);
    item.stopTimer?.cancel();
    item.onAirTimer?.cancel();
    item.abort.abort(new Error('playback ended'));
    if (this.next === item) this.next = null;
    if (this.current === item) {
      this.current = this.next;
      this.next = null;
    }
    // Nothing playing now: an item's own volume must not outlive it on the mixer.
    if (this.current?.startedAt == null) void this.volume.apply(undefined);
  }

  /** The startup lead for an item: items from the media cache only (a live stream's ffmpeg waits
   *  for the hub's first frames, so starting it early gains nothing). */
  private startupLead(item: Item): number {
    if (!item.cmd.media || item.resumes > 0) return 0;
    return Math.min(MAX_STARTUP_LEAD_MS, Math.max(0, Math.round(this.opts.startupLeadMs?.() ?? 0)));
  }

  /** Where in the media the item is; 0 for an item that never started. */
  private position(item: Item): number {
    if (item.startedAt === null) return 0;
    return Math.min(playDurationMs(item.cmd), item.seekMs + Math.max(0, this.opts.clock.now() - item.startedAt));
  }

  private ack(item: Item, a: Pick<AckInput, 'status' | 'reason' | 'detail' | 'positionMs'>): void {
    this.opts.ack({ cmdId: item.cmd.id, seq: item.cmd.seq, broadcastId: item.cmd.broadcastId, ...a });
  }
}

/** When an item ends by itself, hub time: its media's end on its timeline, or its stopAt. */
function plannedEndAt(cmd: PlayCommand): number {
  return Math.min(cmd.stopAt ?? Infinity, cmd.startAt - cmd.offsetMs + playDurationMs(cmd));
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

// The simulated loudspeaker player of one cluster: "fetches" media, waits for startAt in hub time
// (as the cluster's clock sync estimates it), "plays" for the media's duration (or until stopAt)
// and acknowledges every step, exactly as protocol v1 asks of real firmware; no audio is produced.
import type { Clock, TimerHandle } from '../common/clock.js';
import {
  PROTOCOL_VERSION,
  playDurationMs,
  playMediaId,
  type Ack,
  type AckReason,
  type AckStatus,
  type Command,
  type Health,
  type PlayCommand,
  type ReportedState,
  type StopCommand,
  type VolumeCommand,
} from '../protocol/index.js';
import { pickDelay, type ClusterSettings } from './settings.js';

export interface PlayerHost {
  /** Hub time as the cluster estimates it (its own clock until clock sync has an answer). */
  readonly clock: Clock;
  /** The cluster's own clock (possibly offset from the hub's): what `at` stamps are in. */
  readonly ownClock: Clock;
  readonly random: () => number;
  readonly settings: ClusterSettings;
  /** cmdReceivedAt: fleet-clock time the command arrived, for latency measurements. */
  sendAck(ack: Ack, cmdReceivedAt: number): void;
  stateChanged(): void;
}

interface Playback {
  cmd: PlayCommand;
  receivedAt: number;
  /** waiting: for startAt (media may still be fetching); due: startAt passed, media not here yet. */
  phase: 'waiting' | 'due' | 'playing';
  fetched: boolean;
  fetchTimer: TimerHandle | null;
  /** The startAt timer, then the end-of-item timer. */
  timer: TimerHandle | null;
  /** Hub time playback started and the media position it started from. */
  startedAt: number;
  startPos: number;
}

/** Media ids a cluster remembers as downloaded; a simulated cache, bounded to stay small. */
const MEDIA_CACHE_LIMIT = 32;

export class SimulatedPlayer {
  volume = 70;
  lastError: string | null = null;
  /** The item playing, or the one to play next when nothing is ahead of it. */
  private current: Playback | null = null;
  /** A play that came while `current` was there; it replaces `current` at its own startAt.
   *  Set only while `current` is (closing `current` promotes it). */
  private next: Playback | null = null;
  private readonly mediaCache = new Set<string>();

  constructor(private readonly host: PlayerHost) {}

  get isPlaying(): boolean {
    return this.current?.phase === 'playing';
  }

  get healthState(): Health['player'] {
    if (this.isPlaying) return 'playing';
    return this.lastError === null ? 'idle' : 'error';
  }

  state(lastSeq: number): ReportedState {
    const p = this.current;
    return {
      v: PROTOCOL_VERSION,
      at: Math.round(this.host.ownClock.now()),
      playing:
        p && p.phase === 'playing'
          ? { broadcastId: p.cmd.broadcastId, mediaId: playMediaId(p.cmd), startedAt: Math.round(p.startedAt), offsetMs: Math.round(p.startPos) }
          : null,
      volume: this.volume,
      lastSeq,
    };
  }

  /** Acts on a command that already passed the schema and the command gate. */
  handle(cmd: Command, receivedAt: number): void {
    switch (cmd.type) {
      case 'play':
        return this.play(cmd, receivedAt);
      case 'stop':
        return this.stop(cmd, receivedAt);
      case 'volume':
        return this.setVolume(cmd, receivedAt);
    }
  }

  /** The cluster is going away: end what plays (and what waits) with stopped/shutdown. */
  shutdown(): void {
    for (const p of [this.current, this.next]) if (p) this.end(p, 'shutdown');
  }

  private play(cmd: PlayCommand, receivedAt: number): void {
    // A new play replaces the current item at its own startAt, not now (the hub sends it ahead so
    // every cluster starts together); a play still waiting to do that is dropped: newest wins.
    if (this.next) this.end(this.next, 'replaced');
    const p: Playback = { cmd, receivedAt, phase: 'waiting', fetched: false, fetchTimer: null, timer: null, startedAt: 0, startPos: 0 };
    if (this.current) this.next = p;
    else this.current = p;
    // A stream play (no media) is like a media play of unknown length with nothing to fetch.
    const cached = cmd.media === undefined || this.mediaCache.has(cmd.media.id);
    const fetchMs = cached ? 0 : pickDelay(this.host.settings.fetchDelayMs, this.host.random);
    const fetched = () => {
      if (!this.isLive(p)) return;
      if (!cached && cmd.media) this.remember(cmd.media.id);
      p.fetched = true;
      this.ack(cmd, 'accepted', receivedAt);
      if (p.phase === 'due') this.begin(p);
    };
    // The fetch runs while the item waits for its start and the current item plays on.
    this.waitForStart(p);
    if (fetchMs <= 0) fetched();
    else p.fetchTimer = this.host.clock.setTimeout(fetched, fetchMs);
  }

  private waitForStart(p: Playback): void {
    const wait = p.cmd.startAt - this.host.clock.now();
    // Timers may fire a millisecond early; starting before startAt would break the sync promise.
    if (wait > 0) {
      p.timer = this.host.clock.setTimeout(() => this.isLive(p) && this.waitForStart(p), wait);
      return;
    }
    // startAt: the item ahead is over by the schedule, whether or not this one's media is here.
    if (this.next === p && this.current) this.end(this.current, 'replaced');
    p.phase = 'due';
    if (p.fetched) this.begin(p);
  }

  private begin(p: Playback): void {
    const { cmd } = p;
    const now = this.host.clock.now();
    if (this.host.random() < this.host.settings.failureRate) {
      this.lastError = 'simulated player error: audio device busy';
      this.finish(p, 'failed', { reason: 'player-error', detail: this.lastError });
      return;
    }
    // Started late (slow fetch): join where the others are, as a real box does.
    const pos = cmd.offsetMs + Math.max(0, now - cmd.startAt);
    const untilStopAt = cmd.stopAt === undefined ? Infinity : cmd.stopAt - now;
    const playMs = Math.min(playDurationMs(cmd) - pos, untilStopAt);
    if (playMs <= 0) {
      this.finish(p, 'failed', { reason: 'expired', detail: `the item was over ${Math.round(-playMs)} ms before it could start` });
      return;
    }
    if (cmd.volume !== undefined) this.volume = cmd.volume;
    p.phase = 'playing';
    p.startedAt = now;
    p.startPos = pos;
    this.lastError = null;
    // Nothing delays a simulated first sample: it is where the schedule wants it (docs/protocol.md).
    this.ack(cmd, 'started', p.receivedAt, { positionMs: pos, startErrorMs: Math.round(now - (cmd.startAt + pos - cmd.offsetMs)) });
    this.host.stateChanged();
    // The media's end or stopAt, whichever comes first; reaching stopAt is a normal end too.
    // A stream without stopAt has no end of its own: it plays until a stop or the next item.
    if (playMs === Infinity) return;
    p.timer = this.host.clock.setTimeout(() => {
      if (this.isLive(p)) this.finish(p, 'finished', { positionMs: Math.min(playDurationMs(cmd), pos + playMs) });
    }, playMs);
  }

  private stop(cmd: StopCommand, receivedAt: number): void {
    this.ack(cmd, 'accepted', receivedAt);
    // Stops at once, also an item still waiting for its startAt.
    const matching = [this.current, this.next].filter(
      (p): p is Playback => p !== null && (cmd.broadcastId === undefined || cmd.broadcastId === p.cmd.broadcastId),
    );
    for (const p of matching) this.end(p, 'stop-command');
    this.ack(cmd, 'finished', receivedAt, matching.length > 0 ? {} : { detail: 'nothing to stop' });
  }

  private setVolume(cmd: VolumeCommand, receivedAt: number): void {
    this.volume = cmd.volume;
    this.ack(cmd, 'accepted', receivedAt);
    this.host.stateChanged();
    this.ack(cmd, 'finished', receivedAt);
  }

  /** Ends a playback early with stopped/reason, at the position reached (0 if it never started). */
  private end(p: Playback, reason: Extract<AckReason, 'stop-command' | 'replaced' | 'shutdown'>): void {
    const pos = p.phase === 'playing' ? Math.min(playDurationMs(p.cmd), p.startPos + Math.max(0, this.host.clock.now() - p.startedAt)) : 0;
    this.finish(p, 'stopped', { reason, positionMs: pos });
  }

  /** The one final ack of an item; lets a waiting item move up. */
  private finish(p: Playback, status: Extract<AckStatus, 'finished' | 'stopped' | 'failed'>, extra: Partial<Ack>): void {
    p.timer?.cancel();
    p.fetchTimer?.cancel();
    const wasPlaying = p.phase === 'playing';
    if (this.next === p) this.next = null;
    if (this.current === p) {
      this.current = this.next;
      this.next = null;
    }
    this.ack(p.cmd, status, p.receivedAt, extra);
    if (wasPlaying || status === 'failed') this.host.stateChanged();
  }

  private isLive(p: Playback): boolean {
    return this.current === p || this.next === p;
  }

  private remember(mediaId: string): void {
    if (this.mediaCache.size >= MEDIA_CACHE_LIMIT) this.mediaCache.clear();
    this.mediaCache.add(mediaId);
  }

  private ack(cmd: Command, status: AckStatus, receivedAt: number, extra: Partial<Ack> = {}): void {
    const ack: Ack = { v: PROTOCOL_VERSION, cmdId: cmd.id, seq: cmd.seq, status, at: Math.round(this.host.ownClock.now()), ...extra };
    if (ack.positionMs !== undefined) ack.positionMs = Math.round(ack.positionMs);
    if (cmd.type === 'play' || (cmd.type === 'stop' && cmd.broadcastId !== undefined)) ack.broadcastId = cmd.broadcastId;
    this.host.sendAck(ack, receivedAt);
  }
}

// The simulated loudspeaker player of one cluster: "fetches" media, waits for startAt on the
// cluster's own clock, "plays" for the media's duration and acknowledges every step, exactly
// as protocol v1 asks of real firmware; no audio is produced.
import type { Clock, TimerHandle } from '../common/clock.js';
import {
  PROTOCOL_VERSION,
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
  /** The cluster's own clock (possibly offset from the hub's). */
  readonly clock: Clock;
  readonly random: () => number;
  readonly settings: ClusterSettings;
  /** cmdReceivedAt: fleet-clock time the command arrived, for latency measurements. */
  sendAck(ack: Ack, cmdReceivedAt: number): void;
  stateChanged(): void;
}

interface Playback {
  cmd: PlayCommand;
  receivedAt: number;
  phase: 'fetching' | 'waiting' | 'playing';
  timer: TimerHandle | null;
  /** Own-clock time playback started and the media position it started from. */
  startedAt: number;
  startPos: number;
}

/** Media ids a cluster remembers as downloaded; a simulated cache, bounded to stay small. */
const MEDIA_CACHE_LIMIT = 32;

export class SimulatedPlayer {
  volume = 70;
  lastError: string | null = null;
  private current: Playback | null = null;
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
      at: Math.round(this.host.clock.now()),
      playing:
        p && p.phase === 'playing'
          ? { broadcastId: p.cmd.broadcastId, mediaId: p.cmd.media.id, startedAt: Math.round(p.startedAt), offsetMs: Math.round(p.startPos) }
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

  /** The cluster is going away: end what plays with stopped/shutdown. */
  shutdown(): void {
    this.end('shutdown');
  }

  private play(cmd: PlayCommand, receivedAt: number): void {
    // A new play replaces the old one at once, whatever its phase.
    this.end('replaced');
    if (cmd.volume !== undefined) this.volume = cmd.volume;
    const p: Playback = { cmd, receivedAt, phase: 'fetching', timer: null, startedAt: 0, startPos: 0 };
    this.current = p;
    const cached = this.mediaCache.has(cmd.media.id);
    const fetchMs = cached ? 0 : pickDelay(this.host.settings.fetchDelayMs, this.host.random);
    const fetched = () => {
      if (this.current !== p) return;
      if (!cached) this.remember(cmd.media.id);
      this.ack(cmd, 'accepted', receivedAt);
      p.phase = 'waiting';
      this.waitForStart(p);
    };
    if (fetchMs <= 0) fetched();
    else p.timer = this.host.clock.setTimeout(fetched, fetchMs);
  }

  private waitForStart(p: Playback): void {
    const wait = p.cmd.startAt - this.host.clock.now();
    // Timers may fire a millisecond early; starting before startAt would break the sync promise.
    if (wait > 0) p.timer = this.host.clock.setTimeout(() => this.current === p && this.waitForStart(p), wait);
    else this.begin(p);
  }

  private begin(p: Playback): void {
    const { cmd } = p;
    const now = this.host.clock.now();
    if (this.host.random() < this.host.settings.failureRate) {
      this.current = null;
      this.lastError = 'simulated player error: audio device busy';
      this.ack(cmd, 'failed', p.receivedAt, { reason: 'player-error', detail: this.lastError });
      this.host.stateChanged();
      return;
    }
    // Started late (slow fetch): join where the others are, as a real box does.
    const pos = Math.min(cmd.media.durationMs, cmd.offsetMs + Math.max(0, now - cmd.startAt));
    p.phase = 'playing';
    p.startedAt = now;
    p.startPos = pos;
    this.lastError = null;
    this.ack(cmd, 'started', p.receivedAt, { positionMs: pos });
    this.host.stateChanged();
    p.timer = this.host.clock.setTimeout(() => {
      if (this.current !== p) return;
      this.current = null;
      this.ack(cmd, 'finished', p.receivedAt, { positionMs: cmd.media.durationMs });
      this.host.stateChanged();
    }, cmd.media.durationMs - pos);
  }

  private stop(cmd: StopCommand, receivedAt: number): void {
    this.ack(cmd, 'accepted', receivedAt);
    const p = this.current;
    const matches = p !== null && (cmd.broadcastId === undefined || cmd.broadcastId === p.cmd.broadcastId);
    if (matches) this.end('stop-command');
    this.ack(cmd, 'finished', receivedAt, matches ? {} : { detail: 'nothing to stop' });
  }

  private setVolume(cmd: VolumeCommand, receivedAt: number): void {
    this.volume = cmd.volume;
    this.ack(cmd, 'accepted', receivedAt);
    this.host.stateChanged();
    this.ack(cmd, 'finished', receivedAt);
  }

  /** Ends the current playback early with stopped/reason, if there is one. */
  private end(reason: Extract<AckReason, 'stop-command' | 'replaced' | 'shutdown'>): void {
    const p = this.current;
    if (!p) return;
    p.timer?.cancel();
    this.current = null;
    const wasPlaying = p.phase === 'playing';
    const pos = wasPlaying
      ? Math.min(p.cmd.media.durationMs, p.startPos + Math.max(0, this.host.clock.now() - p.startedAt))
      : p.cmd.offsetMs;
    this.ack(p.cmd, 'stopped', p.receivedAt, { reason, positionMs: pos });
    if (wasPlaying) this.host.stateChanged();
  }

  private remember(mediaId: string): void {
    if (this.mediaCache.size >= MEDIA_CACHE_LIMIT) this.mediaCache.clear();
    this.mediaCache.add(mediaId);
  }

  private ack(cmd: Command, status: AckStatus, receivedAt: number, extra: Partial<Ack> = {}): void {
    const ack: Ack = { v: PROTOCOL_VERSION, cmdId: cmd.id, seq: cmd.seq, status, at: Math.round(this.host.clock.now()), ...extra };
    if (ack.positionMs !== undefined) ack.positionMs = Math.round(ack.positionMs);
    if (cmd.type === 'play' || (cmd.type === 'stop' && cmd.broadcastId !== undefined)) ack.broadcastId = cmd.broadcastId;
    this.host.sendAck(ack, receivedAt);
  }
}

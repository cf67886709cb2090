// Plays the plan while the box cannot reach the hub. Each plan item becomes a play for the same
// Playback machinery the hub's commands use, handed over a little before its startAt (hub time, the
// last clock-sync estimate) so its media is checked while the item before it plays; an item
// already under way when the link goes is joined where the broadcast is now (Playback seeks by the
// lateness). Its acks go nowhere: they become one play-log entry per item for the hub, later.
// While connected the hub sends commands and this starts nothing; an item it started goes on (or
// is replaced by the hub's next play at that play's startAt, as usual).
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { PROTOCOL_VERSION, type Plan, type PlanItem, type PlayCommand, type PlayLogEntry } from '../../protocol/index.js';
import type { AckInput } from '../playback/playback.js';
import { itemEnd, itemsAhead } from './plan-store.js';

/** The parts of Playback this needs. */
export interface OfflinePlayback {
  play(cmd: PlayCommand): Promise<void>;
  /** An item of this broadcast is playing or waiting (e.g. the hub's play came before the cut). */
  holds(broadcastId: string): boolean;
  /** startAt of the one item waiting to replace the current one (a new play would drop it). */
  readonly nextStartAt: number | null;
  /** Drops an item that has not started yet. */
  withdraw(cmdId: string): Promise<boolean>;
}

export interface OfflinePlayerOptions {
  playback: OfflinePlayback;
  /** Hub time as the box estimates it. */
  clock: Clock;
  logger: Logger;
  plan: () => Plan | null;
  /** Records a played item (the play log). */
  record: (entry: PlayLogEntry) => void;
  /** Called as an item is handed to playback (the start-error meter wants its offsetMs). */
  onHand?: (item: PlanItem) => void;
  /** How long before startAt an item is handed over (its media is checked meanwhile). */
  leadMs?: number;
}

export const OFFLINE_LEAD_MS = 3000;
/** Offline items' command ids start with this; they are never acked to the hub. */
export const OFFLINE_CMD_PREFIX = 'offline.';

interface Handed {
  item: PlanItem;
  key: string;
  cmdId: string;
  /** Hub time of the `started` ack, and the media position it started from. */
  startedAt: number | null;
  startOffsetMs: number;
}

export class OfflinePlayer {
  private offline = false;
  private stopped = false;
  private timer: TimerHandle | null = null;
  private count = 0;
  private readonly byCmd = new Map<string, Handed>();
  /** Plan items handed to playback in this run (broadcastId@startAt): each plays once. */
  private readonly handed = new Set<string>();

  constructor(private readonly opts: OfflinePlayerOptions) {}

  get active(): boolean {
    return this.offline;
  }

  /** The hub cannot be reached: play the plan from now on. */
  linkDown(): void {
    if (this.stopped || this.offline) return;
    this.offline = true;
    const ahead = itemsAhead(this.opts.plan(), this.opts.clock.now());
    this.opts.logger.info({ itemsAhead: ahead.length, next: ahead[0]?.startAt ?? null }, 'hub unreachable; playing the plan on our own');
    this.schedule();
  }

  /** The hub is back and sends commands again: start nothing more; drop what has not started. */
  linkUp(): void {
    if (!this.offline) return;
    this.offline = false;
    this.timer?.cancel();
    this.timer = null;
    const waiting = [...this.byCmd.values()].filter((h) => h.startedAt === null);
    for (const h of waiting) {
      this.handed.delete(h.key);
      void this.opts.playback.withdraw(h.cmdId);
    }
    this.opts.logger.info({ withdrawn: waiting.length, playing: this.byCmd.size - waiting.length }, 'hub reachable again; it takes over');
  }

  /** A new plan (or one loaded from disk): while offline, look at it again. */
  planChanged(): void {
    if (this.offline) this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
  }

  /** Takes an ack from Playback if it is about an offline item (true), so it is not sent. */
  handleAck(a: AckInput): boolean {
    const h = this.byCmd.get(a.cmdId);
    if (!h) return a.cmdId.startsWith(OFFLINE_CMD_PREFIX);
    const now = this.opts.clock.now();
    if (a.status === 'started') {
      h.startedAt = now;
      h.startOffsetMs = a.positionMs ?? h.item.offsetMs;
    } else if (a.status === 'finished' || a.status === 'stopped' || a.status === 'failed') {
      this.byCmd.delete(a.cmdId);
      this.ended(h, a, now);
    }
    return true;
  }

  private ended(h: Handed, a: AckInput, now: number): void {
    const { item } = h;
    const log = this.opts.logger.child({ broadcastId: item.broadcastId, startAt: item.startAt });
    if (a.status === 'stopped' && h.startedAt === null) {
      // Withdrawn or dropped before it began: nothing was heard, nothing to report.
      this.handed.delete(h.key);
      return;
    }
    if (a.status === 'stopped' && a.reason === 'replaced' && this.opts.playback.holds(item.broadcastId)) {
      // The hub's own play of this broadcast took over: its acks tell the hub the story.
      log.info('the hub took over an item we were playing on our own');
      return;
    }
    // Replaced by the next item right at this one's stopAt: it ended where the plan said.
    const atStop = a.status === 'stopped' && a.reason === 'replaced' && item.stopAt !== undefined && now >= item.stopAt - 100;
    const startOffsetMs = h.startedAt === null ? item.offsetMs : h.startOffsetMs;
    const entry: PlayLogEntry = {
      broadcastId: item.broadcastId,
      startedAt: Math.round(h.startedAt ?? now),
      endedAt: Math.round(now),
      startOffsetMs: Math.round(startOffsetMs),
      positionMs: Math.round(a.positionMs ?? startOffsetMs),
      outcome: atStop || a.status === 'finished' ? 'finished' : a.status === 'failed' ? 'failed' : 'stopped',
      ...(a.reason !== undefined && !atStop ? { reason: a.reason } : {}),
    };
    this.opts.record(entry);
  }

  /** Hands over what is due (or under way) and sets a timer for the next item. */
  private schedule(): void {
    this.timer?.cancel();
    this.timer = null;
    if (!this.offline || this.stopped) return;
    const { clock, playback } = this.opts;
    const lead = this.opts.leadMs ?? OFFLINE_LEAD_MS;
    const now = clock.now();
    for (const item of itemsAhead(this.opts.plan(), now)) {
      const key = `${item.broadcastId}@${item.startAt}`;
      if (this.handed.has(key)) continue;
      if (item.startAt - lead > now) return this.arm(item.startAt - lead - now);
      // The hub's play for it came before the link went: that one plays (and acks, later).
      if (playback.holds(item.broadcastId)) continue;
      // Playback keeps one waiting item, ours or the hub's: a new play would drop it. Come back
      // once it has taken over.
      const waitingAt = playback.nextStartAt;
      if (waitingAt !== null) return this.arm(Math.max(50, waitingAt - now + 50));
      this.hand(item, key, now);
    }
  }

  private hand(item: PlanItem, key: string, now: number): void {
    const cmdId = `${OFFLINE_CMD_PREFIX}${++this.count}`;
    const cmd: PlayCommand = {
      v: PROTOCOL_VERSION,
      type: 'play',
      id: cmdId,
      seq: 0,
      issuedAt: now,
      expiresAt: itemEnd(item),
      broadcastId: item.broadcastId,
      media: item.media,
      startAt: item.startAt,
      offsetMs: item.offsetMs,
      ...(item.stopAt !== undefined ? { stopAt: item.stopAt } : {}),
      ...(item.volume !== undefined ? { volume: item.volume } : {}),
    };
    this.handed.add(key);
    this.byCmd.set(cmdId, { item, key, cmdId, startedAt: null, startOffsetMs: item.offsetMs });
    this.opts.onHand?.(item);
    this.opts.logger.info(
      {
        broadcastId: item.broadcastId,
        startAt: item.startAt,
        offsetMs: item.offsetMs,
        stopAt: item.stopAt,
        joinAtMs: Math.max(0, now - item.startAt) + item.offsetMs,
      },
      'playing a plan item on our own',
    );
    void this.opts.playback
      .play(cmd)
      .catch((e: unknown) => this.opts.logger.error({ err: String(e), broadcastId: item.broadcastId }, 'could not play a plan item'));
  }

  private arm(ms: number): void {
    this.timer = this.opts.clock.setTimeout(() => this.schedule(), Math.max(0, ms));
  }
}

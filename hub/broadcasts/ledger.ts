// The broadcast ledger: the one place a play is sent. It owns the broadcast rows' target lifecycle:
// create, send (build the command, describe its media, mark the target sent, publish, mark it
// failed on error), ack → patch, the one sweeper of silent targets, and recovery after a hub
// restart; resend on a cluster's return is its part returns.ts. Ad-hoc dispatch, the scheduler
// and live streams are producers on top of it.
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { Ack, Command } from '../../protocol/index.js';
import type { HubMqtt } from '../broker/broker.js';
import type { DispatchSettings } from './settings.js';
import type { DeviceLogLimit } from '../broker/log-limit.js';
import type { EventBus } from '../events.js';
import type { BroadcastRow, Store } from '../store/index.js';
import { ackPatch, FINAL, lateEndPatch } from './acks.js';
import { CommandSender, NOT_BUILT, type CommandBody } from './commands.js';
import { Sweeper } from './sweeper.js';

export interface LedgerDeps {
  store: Store;
  /** The signing link: every command leaves signed. */
  mqtt: HubMqtt;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** Warnings a cluster's messages cause (an ack of another's command), a few a minute each. */
  deviceLog: DeviceLogLimit;
  config: DispatchSettings;
  /** The URL (relative to the hub's HTTP root) a device fetches a media file from. */
  mediaUrl: (mediaId: string) => string;
}

/** What a play command says of its media. */
export type MediaRef = { id: string; url: string; bytes: number; durationMs: number; format: string };
export type PlayBody = Extract<CommandBody, { type: 'play' }>;
/** One cluster's play of a broadcast, as a producer asks for it. */
export interface PlayOut {
  clusterId: string;
  body: PlayBody;
  expiresAt: number;
}
/** How one play went: sent (cmdId), or failed (not built, or not published: detail). */
export interface PlayResult {
  clusterId: string;
  cmdId: string | null;
  status: 'sent' | 'failed';
  detail?: string;
}

/** Sequence numbers follow the clock: one more than this ahead of it was never issued here (a year
 *  leaves room for a hub clock that ran fast and was put right). */
const SEQ_SLACK_MS = 366 * 24 * 3600_000;

export class BroadcastLedger {
  private readonly sender: CommandSender;
  private readonly sweeper: Sweeper;
  private stopped = false;
  private readonly log: Logger;

  constructor(private readonly deps: LedgerDeps) {
    this.log = deps.logger;
    this.sender = new CommandSender(deps.mqtt, deps.store.clusters, deps.clock, deps.config.commandTtlMs);
    this.sweeper = new Sweeper(deps);
  }

  /** Follows acks and arms the sweeper; after a restart, first logs the ad-hoc broadcasts whose
   *  time passed while the hub was down (pendingAfterRestart lists those still to come). */
  start(): void {
    const now = this.deps.clock.now();
    this.repairSequences(now);
    this.deps.bus.on(this, 'ack', ({ clusterId, ack, receivedAt }) => this.onAck(clusterId, ack, receivedAt));
    this.expireMissed(now);
    this.sweeper.arm();
  }

  stop(): void {
    this.stopped = true;
    this.deps.bus.removeListeners(this);
    this.sweeper.stop();
  }

  /** Creates an ad-hoc broadcast row with one pending target per cluster (sent by sendPending). */
  create(row: Parameters<Store['broadcasts']['create']>[0]): void {
    this.deps.store.broadcasts.create(row);
  }

  /** A stop was sent for a target: the box answers its play with `stopped`; if it never does, the
   *  deadline applies (the sweeper). */
  stopSent(broadcastId: string, clusterId: string, now: number): void {
    this.deps.store.broadcasts.updateTarget(broadcastId, clusterId, { deadlineAt: now + this.deps.config.commandTtlMs }, now);
    this.sweeper.arm();
  }

  /** Builds and sends a command that no target follows (stop, volume, an unlogged stream's play). */
  command(clusterId: string, body: CommandBody, opts: { expiresAt?: number } = {}): Promise<Command> {
    return this.sender.send(clusterId, body, opts);
  }

  /** What a play command says of a media item; null when the library no longer has it (or, with
   *  `present`, when it was removed since: a box that comes back late is not sent removed media). */
  mediaRef(mediaId: string, opts: { present?: boolean } = {}): MediaRef | null {
    const media = this.deps.store.media.get(mediaId);
    if (!media || (opts.present && media.removedAt)) return null;
    return { id: media.id, url: this.deps.mediaUrl(media.id), bytes: media.bytes, durationMs: media.durationMs, format: media.format };
  }

  /** An ad-hoc media broadcast's play for one cluster, at its time or late (a box that came back
   *  joins where the others are: the box seeks itself by the start time). */
  adhocPlay(b: Pick<BroadcastRow, 'id' | 'startAt' | 'volume'>, media: MediaRef, clusterId: string, clusterVolume: number, now: number): PlayOut {
    return {
      clusterId,
      body: { type: 'play', broadcastId: b.id, media, startAt: b.startAt, offsetMs: 0, volume: b.volume ?? clusterVolume },
      expiresAt: Math.max(now, b.startAt) + this.deps.config.commandTtlMs,
    };
  }

  /** The one way a play goes out: each cluster's target (which must exist) is marked sent with its
   *  command in one transaction, then every command is published; a target whose command cannot be
   *  built, or is not published, fails alone. */
  async sendPlays(broadcastId: string, plays: PlayOut[]): Promise<PlayResult[]> {
    const now = this.deps.clock.now();
    const recorded = this.deps.store.broadcasts.inTransaction(() => this.record(broadcastId, plays, now));
    return this.publish(broadcastId, recorded);
  }

  /** Builds each play and marks its target sent (or failed: not built). Inside a transaction. */
  private record(broadcastId: string, plays: PlayOut[], now: number): { clusterId: string; cmd: Command | null }[] {
    const { store } = this.deps;
    return plays.map(({ clusterId, body, expiresAt }) => {
      try {
        const cmd = this.sender.build(clusterId, body, { expiresAt });
        // The target knows its command before the box can answer it.
        store.broadcasts.updateTarget(
          broadcastId,
          clusterId,
          { status: 'sent', reason: null, detail: null, cmdId: cmd.id, seq: cmd.seq, sentAt: now, deadlineAt: cmd.expiresAt },
          now,
        );
        return { clusterId, cmd };
      } catch (err) {
        // A command that cannot be built for one cluster fails that target only.
        this.log.child({ clusterId }).error({ err, broadcastId }, 'play command not built');
        store.broadcasts.updateTarget(broadcastId, clusterId, { status: 'failed', reason: 'send-failed', detail: NOT_BUILT, deadlineAt: null }, now);
        return { clusterId, cmd: null };
      }
    });
  }

  private async publish(broadcastId: string, recorded: { clusterId: string; cmd: Command | null }[]): Promise<PlayResult[]> {
    const { store, clock } = this.deps;
    const results = await Promise.all(
      recorded.map(async ({ clusterId, cmd }): Promise<PlayResult> => {
        if (!cmd) return { clusterId, cmdId: null, status: 'failed', detail: NOT_BUILT };
        try {
          await this.sender.publish(clusterId, JSON.stringify(cmd));
          return { clusterId, cmdId: cmd.id, status: 'sent' };
        } catch (err) {
          this.log.child({ clusterId }).error({ err, broadcastId }, 'play command not sent');
          store.broadcasts.updateTarget(
            broadcastId,
            clusterId,
            { status: 'failed', reason: 'send-failed', detail: String(err), deadlineAt: null },
            clock.now(),
          );
          return { clusterId, cmdId: null, status: 'failed', detail: String(err) };
        }
      }),
    );
    this.sweeper.arm();
    this.deps.bus.emit('broadcastChanged', { broadcastId });
    return results;
  }

  /** A store written before the hub owned the sequence may hold a box's claim (2^53 once): such a
   *  cluster could be sent nothing. Its counter is put back to the clock's (commands.ts). */
  private repairSequences(now: number): void {
    for (const { id, was } of this.deps.store.clusters.repairSeqs(now, SEQ_SLACK_MS)) {
      this.log.child({ clusterId: id }).warn({ was }, "command sequence put back: the store held a number this hub cannot have issued (a box's claim)");
    }
  }

  /** An ad-hoc broadcast's send time: every pending target's cluster is sent its play, or is
   *  logged offline (it may join on its return) or removed. */
  async sendPending(broadcastId: string): Promise<void> {
    const { store, clock } = this.deps;
    const b = store.broadcasts.get(broadcastId);
    if (!b || this.stopped) return;
    const media = this.mediaRef(b.mediaId)!;
    // Every target's outcome in one transaction, then publish them all: a thousand clusters cost
    // one commit, not a thousand.
    const now = clock.now();
    const recorded = store.broadcasts.inTransaction(() => {
      const plays: PlayOut[] = [];
      for (const t of b.targets) {
        if (t.status !== 'pending') continue;
        const cluster = store.clusters.get(t.clusterId);
        if (!cluster) {
          store.broadcasts.updateTarget(b.id, t.clusterId, { status: 'failed', reason: 'cluster-removed' }, now);
          continue;
        }
        if (!cluster.online) {
          store.broadcasts.updateTarget(
            b.id,
            t.clusterId,
            { status: 'offline', reason: 'cluster-offline', detail: 'the cluster was offline when the broadcast was due' },
            now,
          );
          continue;
        }
        plays.push(this.adhocPlay(b, media, t.clusterId, cluster.volume, now));
      }
      return this.record(b.id, plays, now);
    });
    await this.publish(b.id, recorded);
    this.deps.bus.emit('adhocChanged', { clusterIds: recorded.filter((r) => r.cmd !== null).map((r) => r.clusterId) });
  }

  private onAck(clusterId: string, ack: Ack, receivedAt: number): void {
    const { store } = this.deps;
    const t = store.broadcasts.targetByCommand(ack.cmdId);
    if (!t) return; // an ack of a stop or volume command, or of a forgotten one
    if (t.clusterId !== clusterId) {
      this.deps.deviceLog.warn(this.log, clusterId, { cmdId: ack.cmdId, owner: t.clusterId }, "ack for another cluster's command ignored");
      return;
    }
    const durationMs = store.broadcasts.durationMs(t.broadcastId) ?? 0;
    if (FINAL.includes(t.status)) {
      // Late or duplicate (QoS 1 may deliver twice), unless it is the end of an expired item.
      const late = lateEndPatch(t, ack, receivedAt, durationMs, () => store.broadcasts.header(t.broadcastId)?.startAt);
      if (!late) return;
      store.broadcasts.updateTarget(t.broadcastId, t.clusterId, late, receivedAt);
      this.log.child({ clusterId }).info({ broadcastId: t.broadcastId, status: ack.status, was: t.reason }, 'late end of an item accepted into the log');
      this.deps.bus.emit('broadcastChanged', { broadcastId: t.broadcastId });
      return;
    }
    const patch = ackPatch(t, ack, receivedAt, durationMs, this.deps.config.finishGraceMs);
    if (!patch) return;
    store.broadcasts.updateTarget(t.broadcastId, clusterId, patch, receivedAt);
    if (patch.deadlineAt !== undefined) this.sweeper.arm();
    // An ad-hoc item over on this cluster: the schedule takes the cluster back.
    if (patch.status && FINAL.includes(patch.status) && store.broadcasts.kindOf(t.broadcastId) === 'adhoc')
      this.deps.bus.emit('adhocChanged', { clusterIds: [clusterId] });
    // Failures are worth a line each; routine progress of a big fleet only at debug level.
    if (ack.status === 'failed' || ack.status === 'refused') {
      this.log.child({ clusterId }).warn({ broadcastId: t.broadcastId, status: ack.status, reason: ack.reason, detail: ack.detail }, 'broadcast not played');
    } else if (this.log.isLevelEnabled('debug')) {
      this.log.child({ clusterId }).debug({ broadcastId: t.broadcastId, status: ack.status }, 'broadcast progress');
    }
    this.deps.bus.emit('broadcastChanged', { broadcastId: t.broadcastId });
  }

  /** After a restart: the ad-hoc broadcasts never sent and still to come (the dispatcher sends
   *  them at their time). */
  pendingAfterRestart(): { id: string; startAt: number }[] {
    return this.pendingRows().map((b) => ({ id: b.id, startAt: b.startAt }));
  }

  /** Broadcasts with targets never sent, not stopped. */
  private pendingRows(): BroadcastRow[] {
    const { store } = this.deps;
    const ids = new Set(
      store.broadcasts
        .openTargets()
        .filter((t) => t.status === 'pending')
        .map((t) => t.broadcastId),
    );
    return [...ids].map((id) => store.broadcasts.get(id)!).filter((b) => b.stoppedAt === null);
  }

  /** Pending targets whose time passed while the hub was down are logged so. */
  private expireMissed(now: number): void {
    const { store, config } = this.deps;
    for (const b of this.pendingRows()) {
      if (b.startAt + config.commandTtlMs >= now) continue;
      for (const t of b.targets.filter((x) => x.status === 'pending')) {
        store.broadcasts.updateTarget(b.id, t.clusterId, { status: 'expired', reason: 'hub-down', detail: 'the hub was not running when this was due' }, now);
      }
    }
  }
}

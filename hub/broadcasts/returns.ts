// Resend on return, the ledger's part for clusters that come back: a cluster is sent the
// unfinished ad-hoc broadcasts it missed (offline when they went out, or the send failed), and a
// play it lost with its old connection, through the ledger. Made after the scheduler, which says
// whether something above the broadcast holds the cluster; scheduled items are the scheduler's
// (it reconciles on return).
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { HubMqtt } from '../broker/broker.js';
import type { EventBus } from '../events.js';
import type { Store, TargetRow } from '../store/index.js';
import { NOT_BUILT } from './commands.js';
import type { BroadcastLedger } from './ledger.js';

/** A box that comes back with less than this left of a broadcast is not sent it. */
const REJOIN_MIN_LEFT_MS = 1000;

/** A target that was never told about its broadcast: it may join when its cluster comes back. */
export function missedIt(t: TargetRow): boolean {
  return (t.status === 'offline' && t.reason === 'cluster-offline') || (t.status === 'failed' && t.reason === 'send-failed');
}

export interface ReturnsDeps {
  store: Store;
  mqtt: HubMqtt;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** Whether an emergency or another higher item should be on a cluster instead of an ad-hoc
   *  broadcast of this priority (the scheduler's answer). A returning box is then not sent it. */
  outranked: (clusterId: string, priority: string, at: number) => boolean;
  ledger: Pick<BroadcastLedger, 'mediaRef' | 'adhocPlay' | 'sendPlays'>;
}

export class Returns {
  /** Ad-hoc media broadcasts sent and not yet over, by id → planned end. A handful at a time, so
   *  a reconnect storm costs one lookup per broadcast and box, not a search of the log. */
  private readonly unfinished = new Map<string, number>();
  /** Clusters just back online (→ when), until their first reported state says which commands
   *  they have seen (resendLost). Only while an ad-hoc broadcast is unfinished. */
  private readonly returning = new Map<string, number>();
  /** Targets an operator stopped while their play may still be in flight (broadcast → clusters):
   *  never sent again. */
  private readonly stoppedHere = new Map<string, Set<string>>();
  /** When this hub started: a retained state read at start may be older than the commands the
   *  hub sent before a restart, so only this run's commands are resent. */
  private startedAt = 0;
  private stopped = false;

  constructor(private readonly deps: ReturnsDeps) {}

  /** Listens for returning clusters; after a restart, sends what clusters already back missed. */
  start(): void {
    const { store, bus } = this.deps;
    const startedAt = this.deps.clock.now();
    this.startedAt = startedAt;
    bus.on(this, 'presenceChanged', ({ clusterId, online }) => {
      if (!online) return void this.returning.delete(clusterId);
      this.rejoin(clusterId);
    });
    // Every (re)connection, also one whose end the hub never saw: the box's next state says which
    // commands it has.
    bus.on(this, 'presenceOnline', ({ clusterId, at }) => {
      if (this.unfinished.size > 0) this.returning.set(clusterId, at);
    });
    bus.on(this, 'state', ({ clusterId, state }) => {
      const onlineAt = this.returning.get(clusterId);
      if (onlineAt === undefined) return;
      this.returning.delete(clusterId);
      this.resendLost(clusterId, state.lastSeq, onlineAt);
    });
    for (const b of store.broadcasts.unfinishedAdhoc(startedAt)) this.unfinished.set(b.id, b.plannedEnd);
    // Presence read before this started (an external broker's retained messages) raised no event here.
    const back = new Set<string>();
    for (const id of this.unfinished.keys()) {
      for (const t of store.broadcasts.get(id)?.targets ?? []) if (missedIt(t) && store.clusters.get(t.clusterId)?.online) back.add(t.clusterId);
    }
    for (const clusterId of back) this.rejoin(clusterId);
  }

  stop(): void {
    this.stopped = true;
    this.deps.bus.removeListeners(this);
  }

  /** An ad-hoc broadcast went out: until its planned end, clusters that missed it may join. */
  sent(broadcastId: string, plannedEnd: number): void {
    this.unfinished.set(broadcastId, plannedEnd);
  }

  isUnfinished(broadcastId: string): boolean {
    return this.unfinished.has(broadcastId);
  }

  /** Never send this broadcast to this cluster again (an operator stopped it there). */
  stoppedOn(broadcastId: string, clusterId: string): void {
    if (!this.unfinished.has(broadcastId)) return;
    const set = this.stoppedHere.get(broadcastId) ?? new Set<string>();
    this.stoppedHere.set(broadcastId, set.add(clusterId));
  }

  /** The broadcast is over everywhere: nothing of it is sent again. */
  forget(broadcastId: string): void {
    this.unfinished.delete(broadcastId);
    this.stoppedHere.delete(broadcastId);
  }

  /** Targets of unfinished broadcasts whose cluster missed them (a stop covers them too). */
  missedTargets(q: { broadcastId?: string | undefined; clusterIds?: string[] | undefined }): TargetRow[] {
    const { store } = this.deps;
    this.prune(this.deps.clock.now());
    const out: TargetRow[] = [];
    for (const broadcastId of this.unfinished.keys()) {
      if (q.broadcastId && q.broadcastId !== broadcastId) continue;
      const missed = q.clusterIds
        ? q.clusterIds.map((c) => store.broadcasts.target(broadcastId, c)).filter((t): t is TargetRow => t !== undefined && missedIt(t))
        : (store.broadcasts.get(broadcastId)?.targets.filter(missedIt) ?? []);
      out.push(...missed);
    }
    return out;
  }

  /** Drops the broadcasts that are over (and what was remembered of them). */
  private prune(now: number): void {
    for (const [broadcastId, plannedEnd] of this.unfinished) if (plannedEnd <= now) this.forget(broadcastId);
  }

  /**
   * A cluster is back online: every ad-hoc broadcast it missed that has more than a second left
   * is sent to it now. The box joins at the point the others have reached (it seeks by the start
   * time), as a box that rejoins a live stream does (LiveService.join).
   */
  private rejoin(clusterId: string): void {
    void this.sendMissed(clusterId, missedIt, 'cluster back online: sent the broadcast it missed').catch((err: unknown) =>
      this.deps.logger.child({ clusterId }).error({ err }, 'sending a missed broadcast failed'),
    );
  }

  /**
   * A cluster back online reported its state: a play sent to it before it came back that it has not
   * seen (its highest accepted sequence is below the command's) was lost with the old connection
   * (a clean session keeps nothing for a box that is away), so it is sent again under a new
   * sequence. One it has seen is left alone: sending it twice would restart the item.
   */
  private resendLost(clusterId: string, lastSeq: number, onlineAt: number): void {
    // Only what this hub sent over the broker link it has now: a command sent before a restart, or
    // queued in the hub's own client while its link to an external broker was down, may have
    // arrived after the state the box reported (retained, read again on the hub's reconnect).
    const since = Math.max(this.startedAt, this.deps.mqtt.linkUpSince());
    const lost = (t: TargetRow): boolean =>
      // Sent and never answered (still open, or given up on at its deadline while the box was away).
      (t.status === 'sent' || (t.status === 'expired' && t.reason === 'no-answer')) &&
      t.seq !== null &&
      t.seq > lastSeq &&
      t.sentAt !== null &&
      t.sentAt < onlineAt &&
      t.sentAt >= since;
    void this.sendMissed(clusterId, lost, 'cluster back online without the play sent before: sent it again').catch((err: unknown) =>
      this.deps.logger.child({ clusterId }).error({ err }, 'sending a lost play again failed'),
    );
  }

  /** Sends a cluster that is back each unfinished ad-hoc broadcast whose target `missed` picks and
   *  that has more than a second left; none an operator stopped there. */
  private async sendMissed(clusterId: string, missed: (t: TargetRow) => boolean, why: string): Promise<void> {
    const { store, clock } = this.deps;
    const now = clock.now();
    this.prune(now);
    for (const [broadcastId, plannedEnd] of this.unfinished) {
      if (plannedEnd - REJOIN_MIN_LEFT_MS <= now || this.stopped || this.stoppedHere.get(broadcastId)?.has(clusterId)) continue;
      const t = store.broadcasts.target(broadcastId, clusterId);
      if (!t || !missed(t)) continue;
      const cluster = store.clusters.get(clusterId);
      if (!cluster?.online) return;
      await this.sendAgain(broadcastId, clusterId, cluster.volume, now, why);
    }
  }

  /** Sends a broadcast's play to one cluster again, under a new command. */
  private async sendAgain(broadcastId: string, clusterId: string, clusterVolume: number, now: number, why: string): Promise<void> {
    const log = this.deps.logger.child({ clusterId });
    const b = this.deps.store.broadcasts.header(broadcastId);
    const media = b && b.stoppedAt === null ? this.deps.ledger.mediaRef(b.mediaId, { present: true }) : null;
    if (!b || !media) return;
    // An emergency (or another item above this one) holds the cluster: the box gets that, not this.
    if (this.deps.outranked(clusterId, b.priority, now)) {
      log.info({ broadcastId }, 'cluster back online, but a higher item holds it: the broadcast it missed is not sent');
      return;
    }
    log.info({ broadcastId, lateMs: Math.max(0, now - b.startAt) }, why);
    const [sent] = await this.deps.ledger.sendPlays(broadcastId, [this.deps.ledger.adhocPlay(b, media, clusterId, clusterVolume, now)]);
    // Built (sent, or its publish failed): the schedule yields the cluster to it.
    if (sent && sent.detail !== NOT_BUILT) this.deps.bus.emit('adhocChanged', { clusterIds: [clusterId] });
  }
}

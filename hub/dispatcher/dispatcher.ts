// Ad-hoc dispatch: an operator's broadcast (media, clusters, start time) placed among those already
// on its clusters and handed to the broadcast ledger, which sends each cluster its play a little
// before the start so every cluster starts together (hub/broadcasts/ledger.ts); stopping
// broadcasts and setting a cluster's volume.
import { randomBytes } from 'node:crypto';
import type { Clock, TimerHandle } from '../../common/clock.js';
import { checkClusterIds, clusterErrors } from '../clusters/errors.js';
import { mediaErrors } from '../media/errors.js';
import { broadcastErrors } from './errors.js';
import type { Logger } from '../../common/logger.js';
import type { BroadcastLedger } from '../broadcasts/ledger.js';
import type { Returns } from '../broadcasts/returns.js';
import type { HubMqtt } from '../broker/broker.js';
import type { DispatchSettings } from '../broadcasts/settings.js';
import type { EventBus } from '../events.js';
import { OPEN_TARGET_STATUSES, type BroadcastRow, type Store } from '../store/index.js';
import { asPriority, priorityRank } from '../schedule/model.js';

export interface DispatcherDeps {
  store: Store;
  ledger: BroadcastLedger;
  /** Clusters back online join what they missed; a stop covers those too. */
  returns: Returns;
  /** To know whether a cluster's box is connected (the ledger sends through the signing link). */
  mqtt: HubMqtt;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  config: DispatchSettings;
}

export interface PlayRequest {
  mediaId: string;
  clusterIds: string[];
  startAt?: number;
  volume?: number;
  createdBy: string;
  /** How it ranks against the schedule (docs/schedules.md): `priority` for `loa broadcast play`
   *  (the default), `live` for an announcement. Emergencies go through the scheduler, not here. */
  priority?: 'priority' | 'live';
  /** Without a start time: wait for the ad-hoc media broadcasts of the same or a higher rank
   *  already playing or waiting on these clusters (the default), or replace them at once. */
  queue?: boolean;
}

/** A new broadcast with where it stands among those already on its clusters. */
export type PlayResult = BroadcastRow & {
  /** Broadcasts it waits for (it starts when the last of them ends). */
  queuedAfter: string[];
  /** Broadcasts it cuts off on some of its clusters at its start. */
  replaces: string[];
};

export class Dispatcher {
  private readonly log: Logger;
  /** Broadcasts waiting for their send time (start − lead), by id. */
  private readonly timers = new Map<string, TimerHandle>();
  private stopped = false;

  constructor(private readonly deps: DispatcherDeps) {
    this.log = deps.logger;
  }

  /** After a restart: the broadcasts still to come are sent at their time again (the ledger has
   *  logged those whose time passed while the hub was down). */
  start(): void {
    for (const b of this.deps.ledger.pendingAfterRestart()) this.schedule(b.id, b.startAt);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }

  /** Creates a broadcast and schedules its commands. */
  play(req: PlayRequest): PlayResult {
    const { store, clock, config } = this.deps;
    const media = store.media.get(req.mediaId);
    if (!media || media.removedAt) {
      throw mediaErrors.notFound(req.mediaId);
    }
    checkClusterIds(req.clusterIds, (c) => store.clusters.exists(c));
    const now = clock.now();
    const { startAt, queuedAfter, replaces, waiting } = this.placeAmongAdhoc(req, now);
    if (startAt < now - config.commandTtlMs) {
      throw broadcastErrors.startPast(startAt);
    }
    const id = `b-${randomBytes(6).toString('hex')}`;
    this.deps.ledger.create({
      id,
      mediaId: media.id,
      startAt,
      plannedEnd: startAt + media.durationMs,
      createdAt: now,
      createdBy: req.createdBy,
      // A broadcast by hand ranks ưu tiên, an announcement trực tiếp (live): docs/schedules.md.
      priority: req.priority ?? 'priority',
      volume: req.volume ?? null,
      clusterIds: [...new Set(req.clusterIds)],
    });
    this.log.info({ broadcastId: id, mediaId: media.id, clusters: req.clusterIds.length, startAt, queuedAfter, replaces }, 'broadcast created');
    this.schedule(id, startAt);
    // What waited behind the replaced ones would cut this one off at its own start: drop it here.
    for (const w of waiting) {
      void this.stopBroadcasts({ broadcastId: w, clusterIds: req.clusterIds }).catch((err: unknown) =>
        this.log.error({ err, broadcastId: w }, 'waiting broadcast not dropped'),
      );
    }
    return { ...store.broadcasts.get(id)!, queuedAfter, replaces };
  }

  /**
   * When a new ad-hoc broadcast starts among those already on its clusters. A box keeps one item
   * playing and one waiting, and a newer play drops the waiting one (docs/protocol.md), so three
   * quick `loa broadcast play` used to leave only the last one heard. Without a start time it
   * queues behind the media broadcasts of its rank or higher there: it starts when the last ends,
   * and never less than the lead after the previous one's start, so its command goes out only
   * once that one has started. With a start time, or `queue: false`, what covers its start is
   * replaced, and the answer says so. Live streams are never waited for (they may be open-ended).
   */
  private placeAmongAdhoc(req: PlayRequest, now: number): { startAt: number; queuedAfter: string[]; replaces: string[]; waiting: string[] } {
    const { store, config } = this.deps;
    const rank = priorityRank(req.priority ?? 'priority');
    let startAt = req.startAt ?? now + config.leadMs;
    const ahead = store.broadcasts.adhocAhead(req.clusterIds, now);
    const queuedAfter: string[] = [];
    if (req.startAt === undefined && req.queue !== false) {
      for (const b of ahead) {
        if (b.stream || priorityRank(asPriority(b.priority)) < rank) continue;
        queuedAfter.push(b.id);
        startAt = Math.max(startAt, b.plannedEnd, b.startAt + config.leadMs);
      }
    }
    // Replaced: what plays at its start, and (when it does not queue) what waits to start after it.
    const dropWaiting = req.startAt === undefined && req.queue === false;
    const replaced = ahead.filter((b) => !queuedAfter.includes(b.id) && b.plannedEnd > startAt && (b.startAt <= startAt || (dropWaiting && !b.stream)));
    // Of those, the ones still to start: they would cut the new one off, so play() drops them.
    const waiting = replaced.filter((b) => b.startAt > startAt).map((b) => b.id);
    return { startAt, queuedAfter, replaces: replaced.map((b) => b.id), waiting };
  }

  /** Stops running or scheduled broadcasts on some or all clusters. */
  async stopBroadcasts(q: { broadcastId?: string; clusterIds?: string[] }): Promise<{ broadcastId: string; clusterId: string }[]> {
    const { store, clock, ledger, returns } = this.deps;
    const now = clock.now();
    let open = store.broadcasts.openTargets(q.clusterIds);
    if (q.broadcastId) {
      if (!store.broadcasts.get(q.broadcastId)) throw broadcastErrors.notFound(q.broadcastId);
      open = open.filter((t) => t.broadcastId === q.broadcastId);
    }
    const stopped: { broadcastId: string; clusterId: string }[] = [];
    // A cluster that missed a running broadcast would join it on its return: stopping covers it too.
    for (const t of returns.missedTargets(q)) {
      const detail = `stopped while the cluster was away (${t.status}: ${t.reason}); it never played`;
      store.broadcasts.updateTarget(t.broadcastId, t.clusterId, { status: 'stopped', reason: 'stop-command', detail, deadlineAt: null }, now);
      stopped.push({ broadcastId: t.broadcastId, clusterId: t.clusterId });
    }
    for (const t of open) {
      stopped.push({ broadcastId: t.broadcastId, clusterId: t.clusterId });
      // Its play may have been lost with the box's link: it must not be resent when the box is back.
      returns.stoppedOn(t.broadcastId, t.clusterId);
      if (t.status === 'pending') {
        store.broadcasts.updateTarget(t.broadcastId, t.clusterId, { status: 'stopped', reason: 'stop-command', deadlineAt: null }, now);
        continue;
      }
      try {
        await ledger.command(t.clusterId, { type: 'stop', broadcastId: t.broadcastId });
        ledger.stopSent(t.broadcastId, t.clusterId, now);
      } catch (err) {
        this.log.error({ err, clusterId: t.clusterId }, 'stop command not sent');
      }
    }
    for (const broadcastId of new Set(stopped.map((s) => s.broadcastId))) {
      const b = store.broadcasts.get(broadcastId)!;
      const stillOpen = b.targets.some(
        (t) => OPEN_TARGET_STATUSES.includes(t.status) && !stopped.some((s) => s.broadcastId === broadcastId && s.clusterId === t.clusterId),
      );
      if (!stillOpen) {
        store.broadcasts.markStopped(broadcastId, now);
        returns.forget(broadcastId);
        this.timers.get(broadcastId)?.cancel();
        this.timers.delete(broadcastId);
        // A live stream's row stopped everywhere (`loa broadcast stop`): the live service ends its stream.
        this.deps.bus.emit('broadcastStopped', { broadcastId });
      }
      this.deps.bus.emit('broadcastChanged', { broadcastId });
    }
    this.deps.bus.emit('adhocChanged', { clusterIds: [...new Set(stopped.map((s) => s.clusterId))] });
    return stopped;
  }

  /** Sets a cluster's volume and tells its box when it is online. */
  async setVolume(clusterId: string, volume: number): Promise<string | null> {
    const { store, mqtt, ledger } = this.deps;
    if (!store.clusters.exists(clusterId)) throw clusterErrors.notFound(clusterId);
    store.clusters.setVolume(clusterId, volume);
    if (!store.clusters.get(clusterId)!.online && !mqtt.isConnected(clusterId)) return null;
    const cmd = await ledger.command(clusterId, { type: 'volume', volume });
    return cmd.id;
  }

  private schedule(broadcastId: string, startAt: number): void {
    const delay = startAt - this.deps.config.leadMs - this.deps.clock.now();
    const run = (): void => {
      this.timers.delete(broadcastId);
      if (this.stopped) return;
      void this.send(broadcastId).catch((err: unknown) => this.log.error({ err, broadcastId }, 'broadcast not sent'));
    };
    if (delay <= 0) return run();
    this.timers.set(broadcastId, this.deps.clock.setTimeout(run, delay));
  }

  /** Its send time: the ledger sends it; until its planned end, clusters that missed it join on return. */
  private async send(broadcastId: string): Promise<void> {
    const b = this.deps.store.broadcasts.header(broadcastId);
    if (b?.kind === 'adhoc' && b.plannedEnd !== null) this.deps.returns.sent(b.id, b.plannedEnd);
    await this.deps.ledger.sendPending(broadcastId);
  }
}

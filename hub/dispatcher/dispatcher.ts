// Dispatch: turns a broadcast (media, clusters, start time) into one play command per cluster,
// sent a little before the start so every cluster starts together, and follows every
// acknowledgement into the per-cluster outcome that the broadcast log shows.
import { randomBytes } from 'node:crypto';
import type { Clock, TimerHandle } from '../../common/clock.js';
import { LoaError } from '../../common/errors.js';
import { clusterErrors } from '../clusters/errors.js';
import { mediaErrors } from '../media/errors.js';
import { broadcastErrors } from './errors.js';
import type { Logger } from '../../common/logger.js';
import type { Ack } from '../../protocol/index.js';
import type { HubMqtt } from '../broker/broker.js';
import type { DispatchSettings } from './settings.js';
import type { DeviceLogLimit } from '../broker/log-limit.js';
import type { EventBus } from '../events.js';
import { OPEN_TARGET_STATUSES, type BroadcastRow, type Store, type TargetRow, type TargetStatus } from '../store/index.js';
import { asPriority, priorityRank } from '../schedule/model.js';
import { CommandSender, NOT_BUILT } from './commands.js';
import { StreamDispatch, type LostRelay, type StreamEnd, type StreamPlayRequest } from './streams.js';

export interface DispatcherDeps {
  store: Store;
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

const FINAL: readonly TargetStatus[] = ['finished', 'stopped', 'failed', 'refused', 'offline', 'expired'];
/** Sequence numbers follow the clock: one more than this ahead of it was never issued here (a year
 *  leaves room for a hub clock that ran fast and was put right). */
const SEQ_SLACK_MS = 366 * 24 * 3600_000;
/** A box that comes back with less than this left of a broadcast is not sent it. */
const REJOIN_MIN_LEFT_MS = 1000;

/** A target that was never told about its broadcast: it may join when its cluster comes back. */
function missedIt(t: TargetRow): boolean {
  return (t.status === 'offline' && t.reason === 'cluster-offline') || (t.status === 'failed' && t.reason === 'send-failed');
}

type MediaRef = { id: string; url: string; bytes: number; durationMs: number; format: string };
/** Shortest wait between sweeps, so a burst of deadlines is handled in one go. */
const SWEEP_MIN_MS = 200;

export class Dispatcher {
  private readonly sender: CommandSender;
  private readonly streams: StreamDispatch;
  /** Hand-started station relays a restart ended (read once by the hub, which starts them again). */
  lostRelays: LostRelay[] = [];
  private readonly timers = new Map<string, TimerHandle>();
  /** Ad-hoc media broadcasts sent and not yet over, by id → planned end: a cluster offline when
   *  one went out is sent it when it comes back (rejoin). A handful at a time, so a reconnect
   *  storm costs one lookup per broadcast and box, not a search of the log. */
  private readonly unfinished = new Map<string, number>();
  /** Clusters just back online (→ when), until their first reported state says which commands
   *  they have seen (resendLost). Only while an ad-hoc broadcast is unfinished. */
  private readonly returning = new Map<string, number>();
  /** When this hub started: a retained state read at start may be older than the commands the
   *  hub sent before a restart, so only this run's commands are resent. */
  private startedAt = 0;
  /** Targets an operator stopped while their play may still be in flight (broadcast → clusters):
   *  never sent again. */
  private readonly stoppedHere = new Map<string, Set<string>>();
  /** Asks whether something else should be on a cluster instead of an ad-hoc broadcast of this
   *  priority (the scheduler's answer; set by the hub). A returning box is then not sent it. */
  private outranked: (clusterId: string, priority: string, at: number) => boolean = () => false;
  private sweeper: TimerHandle | null = null;
  private streamStopped: ((broadcastId: string) => void) | null = null;
  private stopped = false;
  private readonly log: Logger;

  constructor(private readonly deps: DispatcherDeps) {
    this.sender = new CommandSender(deps.mqtt, deps.store.clusters, deps.clock, deps.config.commandTtlMs);
    this.log = deps.logger;
    this.streams = new StreamDispatch(deps, this.sender, this.log, () => this.armSweep());
  }

  start(): void {
    this.startedAt = this.deps.clock.now();
    this.repairSequences();
    this.deps.bus.on(this, 'ack', ({ clusterId, ack, receivedAt }) => this.onAck(clusterId, ack, receivedAt));
    this.deps.bus.on(this, 'presenceChanged', ({ clusterId, online }) => {
      if (!online) return void this.returning.delete(clusterId);
      this.rejoin(clusterId);
    });
    // Every (re)connection, also one whose end the hub never saw: the box's next state says which
    // commands it has.
    this.deps.bus.on(this, 'presenceOnline', ({ clusterId, at }) => {
      if (this.unfinished.size > 0) this.returning.set(clusterId, at);
    });
    this.deps.bus.on(this, 'state', ({ clusterId, state }) => {
      const onlineAt = this.returning.get(clusterId);
      if (onlineAt === undefined) return;
      this.returning.delete(clusterId);
      this.resendLost(clusterId, state.lastSeq, onlineAt);
    });
    this.resumeAfterRestart();
    this.armSweep();
  }

  /** A store written before the hub owned the sequence may hold a box's claim (2^53 once): such a
   *  cluster could be sent nothing. Its counter is put back to the clock's (commands.ts). */
  private repairSequences(): void {
    for (const { id, was } of this.deps.store.clusters.repairSeqs(this.startedAt, SEQ_SLACK_MS)) {
      this.log.child({ clusterId: id }).warn({ was }, 'command sequence put back: the store held a number this hub cannot have issued (a box\'s claim)');
    }
  }

  stop(): void {
    this.stopped = true;
    this.deps.bus.removeListeners(this);
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    this.sweeper?.cancel();
  }

  /** Creates a broadcast and schedules its commands. */
  play(req: PlayRequest): PlayResult {
    const { store, clock, config } = this.deps;
    const media = store.media.get(req.mediaId);
    if (!media || media.removedAt) {
      throw mediaErrors.notFound(req.mediaId);
    }
    if (req.clusterIds.length === 0) throw clusterErrors.none();
    const unknown = req.clusterIds.filter((c) => !store.clusters.exists(c));
    if (unknown.length > 0) {
      throw clusterErrors.notFound(unknown);
    }
    const now = clock.now();
    const { startAt, queuedAfter, replaces, waiting } = this.placeAmongAdhoc(req, now);
    if (startAt < now - config.commandTtlMs) {
      throw broadcastErrors.startPast(startAt);
    }
    const id = `b-${randomBytes(6).toString('hex')}`;
    store.broadcasts.create({
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
      void this.stopBroadcasts({ broadcastId: w, clusterIds: req.clusterIds }).catch((err: unknown) => this.log.error({ err, broadcastId: w }, 'waiting broadcast not dropped'));
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
    const { store, clock } = this.deps;
    const now = clock.now();
    let open = store.broadcasts.openTargets(q.clusterIds);
    if (q.broadcastId) {
      if (!store.broadcasts.get(q.broadcastId)) throw broadcastErrors.notFound(q.broadcastId);
      open = open.filter((t) => t.broadcastId === q.broadcastId);
    }
    const stopped: { broadcastId: string; clusterId: string }[] = [];
    // A cluster that missed a running broadcast would join it on its return: stopping covers it too.
    this.pruneUnfinished(now);
    for (const broadcastId of this.unfinished.keys()) {
      if (q.broadcastId && q.broadcastId !== broadcastId) continue;
      const missed = q.clusterIds
        ? q.clusterIds.map((c) => store.broadcasts.target(broadcastId, c)).filter((t): t is TargetRow => t !== undefined && missedIt(t))
        : (store.broadcasts.get(broadcastId)?.targets.filter(missedIt) ?? []);
      for (const t of missed) {
        const detail = `stopped while the cluster was away (${t.status}: ${t.reason}); it never played`;
        store.broadcasts.updateTarget(broadcastId, t.clusterId, { status: 'stopped', reason: 'stop-command', detail, deadlineAt: null }, now);
        stopped.push({ broadcastId, clusterId: t.clusterId });
      }
    }
    for (const t of open) {
      stopped.push({ broadcastId: t.broadcastId, clusterId: t.clusterId });
      // Its play may have been lost with the box's link: it must not be resent when the box is back.
      if (this.unfinished.has(t.broadcastId)) {
        const set = this.stoppedHere.get(t.broadcastId) ?? new Set<string>();
        this.stoppedHere.set(t.broadcastId, set.add(t.clusterId));
      }
      if (t.status === 'pending') {
        store.broadcasts.updateTarget(t.broadcastId, t.clusterId, { status: 'stopped', reason: 'stop-command', deadlineAt: null }, now);
        continue;
      }
      try {
        await this.sender.send(t.clusterId, { type: 'stop', broadcastId: t.broadcastId });
        // The box answers the play command with `stopped`; if it never does, the deadline applies.
        store.broadcasts.updateTarget(t.broadcastId, t.clusterId, { deadlineAt: now + this.deps.config.commandTtlMs }, now);
        this.armSweep();
      } catch (err) {
        this.log.error({ err, clusterId: t.clusterId }, 'stop command not sent');
      }
    }
    for (const broadcastId of new Set(stopped.map((s) => s.broadcastId))) {
      const b = store.broadcasts.get(broadcastId)!;
      const stillOpen = b.targets.some((t) => OPEN_TARGET_STATUSES.includes(t.status) && !stopped.some((s) => s.broadcastId === broadcastId && s.clusterId === t.clusterId));
      if (!stillOpen) {
        store.broadcasts.markStopped(broadcastId, now);
        this.unfinished.delete(broadcastId);
        this.stoppedHere.delete(broadcastId);
        this.timers.get(broadcastId)?.cancel();
        this.timers.delete(broadcastId);
        // A live stream's row stopped everywhere (`loa broadcast stop`): the hub's stream ends too.
        if (broadcastId.startsWith('live-')) this.streamStopped?.(broadcastId);
      }
      this.deps.bus.emit('broadcastChanged', { broadcastId });
    }
    this.deps.bus.emit('adhocChanged', { clusterIds: [...new Set(stopped.map((s) => s.clusterId))] });
    return stopped;
  }

  /** Sends a live stream's play to clusters, logged as a broadcast row when `log` is given (streams.ts). */
  playStream(req: StreamPlayRequest): ReturnType<StreamDispatch['play']> {
    return this.streams.play(req);
  }

  /** Tells clusters to stop a live stream's broadcast; its row is closed by endStream. */
  stopStream(broadcastId: string, clusterIds: string[]): Promise<void> {
    return this.streams.stop(broadcastId, clusterIds);
  }

  /** The live service ends a stream whose row `loa broadcast stop` stopped on every cluster. */
  onStreamStopped(cb: (broadcastId: string) => void): void {
    this.streamStopped = cb;
  }

  /** The scheduler tells whether an emergency or other higher item holds a cluster (hub.ts). */
  setOutranked(fn: (clusterId: string, priority: string, at: number) => boolean): void {
    this.outranked = fn;
  }

  /** Drops the broadcasts that are over from `unfinished` (and what was remembered of them). */
  private pruneUnfinished(now: number): void {
    for (const [broadcastId, plannedEnd] of this.unfinished) {
      if (plannedEnd > now) continue;
      this.unfinished.delete(broadcastId);
      this.stoppedHere.delete(broadcastId);
    }
  }

  /** A live stream is over: closes its broadcast row (streams.ts). */
  endStream(broadcastId: string, end: StreamEnd): void {
    this.streams.end(broadcastId, end);
  }

  /** Sets a cluster's volume and tells its box when it is online. */
  async setVolume(clusterId: string, volume: number): Promise<string | null> {
    const { store, mqtt } = this.deps;
    if (!store.clusters.exists(clusterId)) throw clusterErrors.notFound(clusterId);
    store.clusters.setVolume(clusterId, volume);
    if (!store.clusters.get(clusterId)!.online && !mqtt.isConnected(clusterId)) return null;
    const cmd = await this.sender.send(clusterId, { type: 'volume', volume });
    return cmd.id;
  }

  private schedule(broadcastId: string, startAt: number): void {
    const delay = startAt - this.deps.config.leadMs - this.deps.clock.now();
    const run = (): void => {
      this.timers.delete(broadcastId);
      void this.send(broadcastId).catch((err: unknown) => this.log.error({ err, broadcastId }, 'broadcast not sent'));
    };
    if (delay <= 0) return run();
    this.timers.set(broadcastId, this.deps.clock.setTimeout(run, delay));
  }

  private async send(broadcastId: string): Promise<void> {
    const { store, clock, mqtt, config } = this.deps;
    const b = store.broadcasts.get(broadcastId);
    if (!b || this.stopped) return;
    const mediaRef = this.mediaRef(b.mediaId)!;
    // Reserve sequence numbers and record every command as sent in one transaction, then publish
    // them all: a thousand clusters cost one commit, not a thousand.
    const now = clock.now();
    const outgoing = store.broadcasts.inTransaction(() => {
      const list: { clusterId: string; payload: string }[] = [];
      for (const t of b.targets) {
        if (t.status !== 'pending') continue;
        const cluster = store.clusters.get(t.clusterId);
        if (!cluster) {
          store.broadcasts.updateTarget(b.id, t.clusterId, { status: 'failed', reason: 'cluster-removed' }, now);
          continue;
        }
        if (!cluster.online) {
          store.broadcasts.updateTarget(b.id, t.clusterId, { status: 'offline', reason: 'cluster-offline', detail: 'the cluster was offline when the broadcast was due' }, now);
          continue;
        }
        // A command that cannot be built for one cluster fails that target only.
        const payload = this.tryRecordPlay(b, mediaRef, t.clusterId, cluster.volume, now);
        if (payload !== null) list.push({ clusterId: t.clusterId, payload });
      }
      return list;
    });
    if (b.kind === 'adhoc' && b.plannedEnd !== null) this.unfinished.set(b.id, b.plannedEnd);
    await Promise.all(
      outgoing.map(async ({ clusterId, payload }) => {
        try {
          await this.sender.publish(clusterId, payload);
        } catch (err) {
          this.log.child({ clusterId }).error({ err }, 'play command not sent');
          store.broadcasts.updateTarget(b.id, clusterId, { status: 'failed', reason: 'send-failed', detail: String(err), deadlineAt: null }, clock.now());
        }
      }),
    );
    this.armSweep();
    this.deps.bus.emit('broadcastChanged', { broadcastId });
    this.deps.bus.emit('adhocChanged', { clusterIds: outgoing.map((o) => o.clusterId) });
  }

  /** What a play command says of its media; null when the library no longer has it (or, with
   *  `present`, when it was removed since: a box that comes back late is not sent removed media). */
  private mediaRef(mediaId: string, opts: { present?: boolean } = {}): MediaRef | null {
    const media = this.deps.store.media.get(mediaId);
    if (!media || (opts.present && media.removedAt)) return null;
    return { id: media.id, url: this.deps.mediaUrl(media.id), bytes: media.bytes, durationMs: media.durationMs, format: media.format };
  }

  /** Builds a cluster's play command of a broadcast and records the target as sent; returns the payload. */
  private recordPlay(b: Pick<BroadcastRow, 'id' | 'startAt' | 'volume'>, media: MediaRef, clusterId: string, clusterVolume: number, now: number): string {
    const cmd = this.sender.build(
      clusterId,
      { type: 'play', broadcastId: b.id, media, startAt: b.startAt, offsetMs: 0, volume: b.volume ?? clusterVolume },
      // A late command (a box that came back) joins where the others are; the box seeks itself.
      { expiresAt: Math.max(now, b.startAt) + this.deps.config.commandTtlMs },
    );
    this.deps.store.broadcasts.updateTarget(b.id, clusterId, { status: 'sent', reason: null, detail: null, cmdId: cmd.id, seq: cmd.seq, sentAt: now, deadlineAt: cmd.expiresAt }, now);
    return JSON.stringify(cmd);
  }

  /** recordPlay, or (when the command cannot be built) the target failed and null. */
  private tryRecordPlay(b: Pick<BroadcastRow, 'id' | 'startAt' | 'volume'>, media: MediaRef, clusterId: string, clusterVolume: number, now: number): string | null {
    try {
      return this.recordPlay(b, media, clusterId, clusterVolume, now);
    } catch (err) {
      this.log.child({ clusterId }).error({ err, broadcastId: b.id }, 'play command not built');
      this.deps.store.broadcasts.updateTarget(b.id, clusterId, { status: 'failed', reason: 'send-failed', detail: NOT_BUILT, deadlineAt: null }, now);
      return null;
    }
  }

  /**
   * A cluster is back online: every ad-hoc broadcast it missed (offline when the commands went
   * out, or the send failed) that has more than a second left is sent to it now. The box joins at
   * the point the others have reached (it seeks by the start time), as a box that rejoins a live
   * stream does (LiveService.join). Scheduled items are the scheduler's (it reconciles on return).
   */
  private rejoin(clusterId: string): void {
    void this.sendMissed(clusterId, missedIt, 'cluster back online: sent the broadcast it missed').catch((err: unknown) =>
      this.log.child({ clusterId }).error({ err }, 'sending a missed broadcast failed'),
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
      t.seq !== null && t.seq > lastSeq && t.sentAt !== null && t.sentAt < onlineAt && t.sentAt >= since;
    void this.sendMissed(clusterId, lost, 'cluster back online without the play sent before: sent it again').catch((err: unknown) =>
      this.log.child({ clusterId }).error({ err }, 'sending a lost play again failed'),
    );
  }

  /** Sends a cluster that is back each unfinished ad-hoc broadcast whose target `missed` picks and
   *  that has more than a second left (rejoin, resendLost); none an operator stopped there. */
  private async sendMissed(clusterId: string, missed: (t: TargetRow) => boolean, why: string): Promise<void> {
    const { store, clock } = this.deps;
    const now = clock.now();
    this.pruneUnfinished(now);
    for (const [broadcastId, plannedEnd] of this.unfinished) {
      if (plannedEnd - REJOIN_MIN_LEFT_MS <= now || this.stopped || this.stoppedHere.get(broadcastId)?.has(clusterId)) continue;
      const t = store.broadcasts.target(broadcastId, clusterId);
      if (!t || !missed(t)) continue;
      const cluster = store.clusters.get(clusterId);
      if (!cluster?.online) return;
      await this.sendAgain(broadcastId, clusterId, cluster.volume, now, why);
    }
  }

  /** Sends a broadcast's play to one cluster again, under a new command (rejoin, resendLost). */
  private async sendAgain(broadcastId: string, clusterId: string, clusterVolume: number, now: number, why: string): Promise<void> {
    const { store, clock } = this.deps;
    const b = store.broadcasts.header(broadcastId);
    const media = b && b.stoppedAt === null ? this.mediaRef(b.mediaId, { present: true }) : null;
    if (!b || !media) return;
    // An emergency (or another item above this one) holds the cluster: the box gets that, not this.
    if (this.outranked(clusterId, b.priority, now)) {
      this.log.child({ clusterId }).info({ broadcastId }, 'cluster back online, but a higher item holds it: the broadcast it missed is not sent');
      return;
    }
    const payload = this.tryRecordPlay(b, media, clusterId, clusterVolume, now);
    if (payload === null) return;
    this.log.child({ clusterId }).info({ broadcastId, lateMs: Math.max(0, now - b.startAt) }, why);
    try {
      await this.sender.publish(clusterId, payload);
    } catch (err) {
      this.log.child({ clusterId }).error({ err }, 'play command not sent');
      store.broadcasts.updateTarget(broadcastId, clusterId, { status: 'failed', reason: 'send-failed', detail: String(err), deadlineAt: null }, clock.now());
    }
    this.armSweep();
    this.deps.bus.emit('broadcastChanged', { broadcastId });
    this.deps.bus.emit('adhocChanged', { clusterIds: [clusterId] });
  }

  private onAck(clusterId: string, ack: Ack, receivedAt: number): void {
    const { store } = this.deps;
    const t = store.broadcasts.targetByCommand(ack.cmdId);
    if (!t) return; // an ack of a stop or volume command, or of a forgotten one
    if (t.clusterId !== clusterId) {
      this.deps.deviceLog.warn(this.log, clusterId, { cmdId: ack.cmdId, owner: t.clusterId }, 'ack for another cluster\'s command ignored');
      return;
    }
    if (FINAL.includes(t.status)) {
      this.onLateEnd(t, ack, receivedAt);
      return; // otherwise late or duplicate (QoS 1 may deliver twice)
    }
    const patch = this.patchFor(t, ack, receivedAt, store.broadcasts.durationMs(t.broadcastId) ?? 0);
    if (!patch) return;
    store.broadcasts.updateTarget(t.broadcastId, clusterId, patch, receivedAt);
    if (patch.deadlineAt !== undefined) this.armSweep();
    // An ad-hoc item over on this cluster: the schedule takes the cluster back.
    if (patch.status && FINAL.includes(patch.status) && store.broadcasts.kindOf(t.broadcastId) === 'adhoc') this.deps.bus.emit('adhocChanged', { clusterIds: [clusterId] });
    // Failures are worth a line each; routine progress of a big fleet only at debug level.
    if (ack.status === 'failed' || ack.status === 'refused') {
      this.log.child({ clusterId }).warn({ broadcastId: t.broadcastId, status: ack.status, reason: ack.reason, detail: ack.detail }, 'broadcast not played');
    } else if (this.log.isLevelEnabled('debug')) {
      this.log.child({ clusterId }).debug({ broadcastId: t.broadcastId, status: ack.status }, 'broadcast progress');
    }
    this.deps.bus.emit('broadcastChanged', { broadcastId: t.broadcastId });
  }

  private patchFor(t: TargetRow, ack: Ack, at: number, durationMs: number): Parameters<Store['broadcasts']['updateTarget']>[2] | null {
    const grace = this.deps.config.finishGraceMs;
    switch (ack.status) {
      case 'accepted':
        return t.status === 'sent' ? { status: 'accepted', acceptedAt: at } : { acceptedAt: t.acceptedAt ?? at };
      case 'started':
        return {
          status: 'started',
          acceptedAt: t.acceptedAt ?? at,
          startedAt: t.startedAt ?? at,
          segmentStartedAt: at,
          segments: t.segments + 1,
          firstOffsetMs: t.firstOffsetMs ?? ack.positionMs ?? 0,
          startErrorMs: t.startErrorMs ?? ack.startErrorMs ?? null,
          deadlineAt: at + Math.max(0, durationMs - (ack.positionMs ?? 0)) + grace,
        };
      case 'finished':
        return { status: 'finished', finishedAt: at, deadlineAt: null, playedMs: t.playedMs + this.segmentMs(t, at), segmentStartedAt: null };
      case 'stopped':
        return {
          status: 'stopped',
          reason: ack.reason ?? null,
          detail: ack.detail ?? null,
          finishedAt: at,
          deadlineAt: null,
          playedMs: t.playedMs + this.segmentMs(t, at),
          segmentStartedAt: null,
        };
      case 'failed':
      case 'refused':
        return { status: ack.status, reason: ack.reason ?? null, detail: ack.detail ?? null, deadlineAt: null };
      default:
        return null;
    }
  }

  /**
   * The end of an item reported after the hub gave up waiting for it (`expired`): the box's link,
   * or the hub, was down when it ended, and the box sent its ack when it could (loa-edge keeps
   * acks in an outbox). It did play, so the log takes the box's word. The times come from the
   * media position it reached, counted from when the hub saw it start (or from the broadcast's
   * start, if the hub never heard it start): the ack's own `at` is the box's uncorrected clock.
   */
  private onLateEnd(t: TargetRow, ack: Ack, receivedAt: number): void {
    if (t.status !== 'expired' || (t.reason !== 'no-finish-report' && t.reason !== 'no-answer')) return;
    if (ack.status !== 'finished' && ack.status !== 'stopped') return;
    const { store } = this.deps;
    const durationMs = store.broadcasts.durationMs(t.broadcastId) ?? 0;
    const heardStart = t.segmentStartedAt !== null;
    const segmentStart = t.segmentStartedAt ?? store.broadcasts.header(t.broadcastId)?.startAt ?? receivedAt;
    // Where this segment began in the media; unknown after a resume, then the rest is assumed.
    const fromMs = heardStart ? (t.segments <= 1 ? (t.firstOffsetMs ?? 0) : null) : 0;
    const claimedMs = ack.positionMs ?? durationMs;
    // Untrusted: a position past the media's end, or an end in the hub's future, is cut back.
    const segmentMs = fromMs === null ? Math.max(0, durationMs - (t.firstOffsetMs ?? 0) - t.playedMs) : Math.max(0, Math.min(claimedMs, durationMs) - fromMs);
    const finishedAt = Math.min(receivedAt, segmentStart + segmentMs);
    store.broadcasts.updateTarget(
      t.broadcastId,
      t.clusterId,
      {
        status: ack.status,
        reason: ack.status === 'stopped' ? (ack.reason ?? null) : null,
        detail: `reported late, after the hub had logged it expired (${t.reason})`,
        startedAt: t.startedAt ?? segmentStart,
        segments: Math.max(1, t.segments),
        firstOffsetMs: t.firstOffsetMs ?? 0,
        finishedAt,
        playedMs: t.playedMs + Math.max(0, finishedAt - segmentStart),
        segmentStartedAt: null,
        deadlineAt: null,
      },
      receivedAt,
    );
    this.log.child({ clusterId: t.clusterId }).info({ broadcastId: t.broadcastId, status: ack.status, was: t.reason }, 'late end of an item accepted into the log');
    this.deps.bus.emit('broadcastChanged', { broadcastId: t.broadcastId });
  }

  private segmentMs(t: TargetRow, at: number): number {
    return t.segmentStartedAt === null ? 0 : Math.max(0, at - t.segmentStartedAt);
  }

  /** Gives up on targets that said nothing before their deadline. */
  private sweep(): void {
    const { store, clock } = this.deps;
    const now = clock.now();
    const touched = new Set<string>();
    for (const t of store.broadcasts.overdueTargets(now)) {
      const started = t.status === 'started';
      store.broadcasts.updateTarget(
        t.broadcastId,
        t.clusterId,
        {
          status: 'expired',
          reason: started ? 'no-finish-report' : 'no-answer',
          detail: started ? 'the box started but never reported the end' : 'no acknowledgement before the command expired',
          deadlineAt: null,
        },
        now,
      );
      touched.add(t.broadcastId);
    }
    for (const broadcastId of touched) this.deps.bus.emit('broadcastChanged', { broadcastId });
  }

  /**
   * Wakes at the earliest deadline of an open target (not on a fixed period), so a clock that
   * jumps through a simulated day does not spin through every second of it.
   */
  armSweep(): void {
    if (this.stopped) return;
    this.sweeper?.cancel();
    const next = this.deps.store.broadcasts.nextDeadline();
    if (next === null) {
      this.sweeper = null;
      return;
    }
    this.sweeper = this.deps.clock.setTimeout(() => {
      this.sweeper = null;
      try {
        this.sweep();
      } catch (err) {
        this.log.error({ err }, 'sweep failed');
      }
      this.armSweep();
    }, Math.max(SWEEP_MIN_MS, next - this.deps.clock.now() + 1));
  }

  /** After a restart: broadcasts still to come are scheduled again; ones missed are logged so. */
  private resumeAfterRestart(): void {
    const { store, clock, config } = this.deps;
    const now = clock.now();
    this.lostRelays = this.streams.closeAfterRestart();
    for (const b of store.broadcasts.unfinishedAdhoc(now)) this.unfinished.set(b.id, b.plannedEnd);
    // Presence read before this started (an external broker's retained messages) raised no event here.
    const back = new Set<string>();
    for (const id of this.unfinished.keys()) {
      for (const t of store.broadcasts.get(id)?.targets ?? []) if (missedIt(t) && store.clusters.get(t.clusterId)?.online) back.add(t.clusterId);
    }
    for (const clusterId of back) this.rejoin(clusterId);
    const pendingByBroadcast = new Set(store.broadcasts.openTargets().filter((t) => t.status === 'pending').map((t) => t.broadcastId));
    for (const broadcastId of pendingByBroadcast) {
      const b = store.broadcasts.get(broadcastId)!;
      if (b.stoppedAt !== null) continue;
      if (b.startAt + config.commandTtlMs < now) {
        for (const t of b.targets.filter((x) => x.status === 'pending')) {
          store.broadcasts.updateTarget(b.id, t.clusterId, { status: 'expired', reason: 'hub-down', detail: 'the hub was not running when this was due' }, now);
        }
        continue;
      }
      this.schedule(b.id, b.startAt);
    }
  }
}

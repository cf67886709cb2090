// The scheduler: keeps every cluster playing what the schedule and any emergency say it should.
// It reconciles instead of firing one-shot jobs: at each wake-up it asks, per cluster, "what should
// be on air a lead time from now?" and sends a play (with the item's start time, so all clusters
// start together, and its end, so slot ends are exact) only when that differs from what the
// cluster was last told. Joining a programme under way (hub restart, a box back online, the end
// of an emergency) is the same question asked later: the play then carries the offset into the
// item. It wakes at the next start or end in the timeline; node-cron (hub/scheduler/cron.ts) adds
// a once-a-minute safety net in the site's time zone.
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { asPriority, priorityRank, type Schedule, type ScheduleContext } from '../schedule/model.js';
import { streamMediaId, type StreamRef } from '../../protocol/index.js';
import type { BroadcastLedger, MediaRef } from '../broadcasts/ledger.js';
import type { DeviceListener } from '../devices/listener.js';
import type { EventBus } from '../events.js';
import type { EmergencyRow, Store } from '../store/index.js';
import { LAST_ALIVE, ScheduleLog } from './log.js';
import { RelayPool, type RelayOpener } from './relays.js';
import { broadcastRecord, emergencyAt, fromTimeline, pickTop, playable, TimelineCache, type Wanted } from './wanted.js';

export interface SchedulerConfig {
  /** Plays go out this long before their start. */
  leadMs: number;
  /** When joining an item under way, start this long from now (time for the box to fetch). */
  joinLeadMs: number;
  /** An emergency goes on air this long after it is started. */
  emergencyLeadMs: number;
  commandTtlMs: number;
}

export interface SchedulerDeps {
  store: Store;
  /** Sends the plays (and keeps their targets); stops are plain commands through it. */
  ledger: BroadcastLedger;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  devices: DeviceListener;
  config: SchedulerConfig;
  /** The schedule in force and the context it was validated with (null: no schedule yet). */
  load: () => { schedule: Schedule | null; ctx: ScheduleContext };
  /** The live service, for `relay:` items (none: those items play nothing). */
  relays?: RelayOpener | undefined;
}

const STATE_GRACE_MS = 1500;
/** Never sleep longer than this: a new day's timeline is looked at by then anyway. */
const MAX_SLEEP_MS = 6 * 3600_000;

export class Scheduler {
  private timelines: TimelineCache;
  private readonly commanded = new Map<string, Wanted>();
  private timer: TimerHandle | null = null;
  private running = false;
  private readonly log: Logger;
  private emergencies: EmergencyRow[] = [];
  /** Streams of the `relay:` items on air (public: tests wait for them to open). */
  readonly relays: RelayPool;
  private readonly schedLog: ScheduleLog;

  constructor(private readonly deps: SchedulerDeps) {
    const { schedule, ctx } = deps.load();
    this.timelines = new TimelineCache(schedule, ctx);
    this.log = deps.logger;
    this.relays = new RelayPool(deps.relays ?? null, deps.logger);
    this.schedLog = new ScheduleLog(deps.store, () => this.timelines, deps.config.emergencyLeadMs);
  }

  start(): void {
    this.running = true;
    this.emergencies = this.deps.store.schedules.activeEmergencies();
    this.schedLog.missedWhileDown(this.deps.clock.now());
    const again = (clusterId?: string) => this.reconcile(clusterId);
    // A box that comes online says what it is playing right after; give it a moment so the
    // scheduler can adopt an item already under way instead of restarting it.
    this.deps.bus.on(this, 'presenceChanged', ({ clusterId, online }) => {
      if (online) this.deps.clock.setTimeout(() => again(clusterId), STATE_GRACE_MS);
      // What it was told before is history: on return, what it reports playing (perhaps an item
      // from its own plan) is adopted rather than restarted.
      else this.commanded.delete(clusterId);
    });
    this.deps.bus.on(this, 'state', ({ clusterId }) => again(clusterId));
    // A new cluster changes no other cluster's timeline (zones list cluster ids): only its own
    // items are reconciled and planned, not the whole fleet's (bench ingest: at 10,000 clusters a
    // full reload per add cost 264–503 ms).
    this.deps.bus.on(this, 'clusterAdded', ({ clusterId }) => this.reload([clusterId]));
    this.deps.bus.on(this, 'clusterCredentialsChanged', ({ clusterId, removed }) => {
      if (removed) {
        this.commanded.delete(clusterId);
        this.reload();
      }
    });
    this.deps.bus.on(this, 'mediaChanged', () => this.reload());
    // From the schedule service (hub/scheduler/service.ts): an apply, or an operator's emergency.
    this.deps.bus.on(this, 'scheduleInForceChanged', () => this.reload());
    this.deps.bus.on(this, 'emergenciesChanged', () => this.setEmergencies(this.deps.store.schedules.activeEmergencies()));
    this.deps.bus.on(this, 'adhocChanged', ({ clusterIds }) => {
      // One pass for all of them (a broadcast to 10,000 clusters is one event).
      this.reconcile(clusterIds);
      this.arm(Math.round(this.deps.clock.now()));
    });
    this.reconcile();
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = null;
    this.deps.bus.removeListeners(this);
    this.deps.store.schedules.setState(LAST_ALIVE, String(this.deps.clock.now()));
  }

  /** Re-reads the schedule in force (after `loa schedule apply`, or when clusters or media change);
   *  `only`: the clusters whose timeline can have changed (the rest keep theirs). */
  reload(only?: string[]): void {
    const { schedule, ctx } = this.deps.load();
    this.timelines = new TimelineCache(schedule, ctx);
    if (only) {
      this.reconcile(only);
      this.arm(Math.round(this.deps.clock.now()));
      this.deps.bus.emit('scheduleChanged', { clusterIds: only });
      return;
    }
    this.reconcile();
    this.deps.bus.emit('scheduleChanged', {});
  }

  /** The expanded schedule in force (for the plans the boxes follow offline). */
  get timeline(): TimelineCache {
    return this.timelines;
  }

  setEmergencies(list: EmergencyRow[]): void {
    const known = new Set(this.emergencies.map((e) => e.id));
    this.emergencies = list;
    const now = Math.round(this.deps.clock.now());
    for (const e of list) if (!known.has(e.id)) this.schedLog.emergencyOffline(e, now);
    this.reconcile();
  }

  /** What a cluster should play at an instant (null: nothing, or silence). */
  wantedAt(clusterId: string, at: number): Wanted | null {
    const candidates = this.timelines.at(clusterId, at).map(fromTimeline);
    for (const e of this.emergencies) {
      if (!e.clusters.includes(clusterId)) continue;
      const media = this.deps.store.media.get(e.mediaId);
      const w = media && emergencyAt(e, media.durationMs, this.deps.config.emergencyLeadMs, at);
      if (w && w.startAt - this.deps.config.emergencyLeadMs <= at && at < w.endAt) candidates.push(w);
    }
    for (const a of this.deps.store.broadcasts.activeAdhoc(clusterId, at)) {
      candidates.push({
        key: `adhoc:${a.id}`,
        broadcastId: a.id,
        kind: 'adhoc',
        priority: asPriority(a.priority),
        programmeId: null,
        programmeName: null,
        mediaId: a.mediaId,
        startAt: a.startAt,
        endAt: a.plannedEnd,
        volume: null,
      });
    }
    return pickTop(candidates);
  }

  /** Brings some clusters, or all, in line with what should be on air; after all of them, sleeps
   *  until the next change. The log and emergency steps run once per call, not per cluster. */
  reconcile(only?: string | readonly string[]): void {
    if (!this.running) return;
    // Whole milliseconds: commands carry integer times.
    const now = Math.round(this.deps.clock.now());
    const ids = only === undefined ? this.deps.store.clusters.list().map((c) => c.id) : typeof only === 'string' ? [only] : only;
    for (const id of ids) {
      try {
        this.reconcileCluster(id, now);
      } catch (err) {
        this.log.error({ err, clusterId: id }, 'reconcile failed');
      }
    }
    this.schedLog.finishEnded(now);
    this.relays.logLosses(now, this.deps.store);
    this.endFinishedEmergencies(now);
    this.deps.store.schedules.setState(LAST_ALIVE, String(now));
    if (!only) this.arm(now);
  }

  private reconcileCluster(clusterId: string, now: number): void {
    const { store, config } = this.deps;
    const cluster = store.clusters.get(clusterId);
    if (!cluster?.online) return; // an offline box is logged when the item ends (finishEnded)
    const soon = this.wantedAt(clusterId, now + config.leadMs);
    const cur = this.commanded.get(clusterId);
    // After a hub restart the box may be playing the very item already: adopt it, do not restart it.
    const reported = this.deps.devices.reportedState(clusterId)?.playing;
    if (!cur && soon && reported?.broadcastId === soon.broadcastId && this.relayAdoptable(soon, reported.mediaId)) {
      this.commanded.set(clusterId, soon);
      return;
    }
    const target = soon && playable(soon) ? soon : null;
    // An announcement is the dispatcher's to stop; once it is over the cluster is simply ours again.
    if (cur?.kind === 'adhoc' && cur.key !== soon?.key) {
      this.commanded.delete(clusterId);
      if (!target) return;
    }
    if (!target) {
      // Nothing (or silence) should be on air: stop a preempting item that outlives its reason.
      // One that ends within the lead is let end by itself while it is still wanted now; one whose
      // reason is gone (an emergency stopped in a round's last seconds) stops at once.
      if (cur && !soon && cur.endAt > now && (cur.endAt > now + config.leadMs || !this.wantedNow(clusterId, cur, now)))
        this.stopCluster(clusterId, cur, now, stopReason(cur));
      if (soon && !playable(soon) && cur && cur.endAt > soon.startAt) this.stopCluster(clusterId, cur, now, 'silence');
      return;
    }
    if (cur?.key === target.key) return;
    if (target.kind === 'adhoc') {
      // Already on its way to the box (the dispatcher sent it): yield, and log what it cuts.
      if (cur && cur.endAt > target.startAt && priorityRank(target.priority) > priorityRank(cur.priority))
        this.schedLog.markPreempted(clusterId, cur, Math.max(now, target.startAt), target);
      this.commanded.set(clusterId, target);
      return;
    }
    let startAt = target.startAt >= now + 500 ? target.startAt : now + config.joinLeadMs;
    // What is on air and does not yield to the target (an emergency ending) is let finish first,
    // while it is still wanted; one whose reason is gone (an emergency the operator stopped) stops
    // now, and the target follows after the join lead.
    // (An ad-hoc item or live stream is the dispatcher's to stop: it is never stopped here.)
    if (cur && cur.endAt > now && priorityRank(target.priority) <= priorityRank(cur.priority)) {
      if (this.wantedNow(clusterId, cur, now)) startAt = Math.max(startAt, cur.endAt);
      else if (cur.kind !== 'adhoc') this.stopCluster(clusterId, cur, now, stopReason(cur));
    }
    const offsetMs = Math.max(0, startAt - target.startAt);
    if (startAt >= target.endAt) return;
    this.play(clusterId, target, startAt, offsetMs, now);
    if (cur && cur.endAt > startAt && priorityRank(target.priority) > priorityRank(cur.priority)) this.schedLog.markPreempted(clusterId, cur, startAt, target);
    this.commanded.set(clusterId, target);
  }

  private play(clusterId: string, w: Wanted, startAt: number, offsetMs: number, now: number): void {
    if (w.relayUrl) return this.playRelay(clusterId, w, startAt);
    const media = this.deps.ledger.mediaRef(w.mediaId!);
    if (!media) return;
    const naturalEnd = startAt + media.durationMs - offsetMs;
    this.sendPlay(clusterId, w, { media }, { startAt, offsetMs, ...(w.endAt < naturalEnd - 50 ? { stopAt: w.endAt } : {}) }, now);
  }

  /** Records the item's broadcast and the cluster's target, then sends the play (a media item or a
   *  relay's stream) at the item's volume or the cluster's. */
  private sendPlay(
    clusterId: string,
    w: Wanted,
    source: { media: MediaRef } | { stream: StreamRef },
    when: { startAt: number; offsetMs: number; stopAt?: number },
    now: number,
  ): void {
    const { store, config, ledger } = this.deps;
    store.broadcasts.ensure(broadcastRecord(w, 'media' in source ? source.media.id : null, now));
    store.broadcasts.ensureTarget(w.broadcastId, clusterId, now);
    void ledger
      .sendPlays(w.broadcastId, [
        {
          clusterId,
          body: { type: 'play', broadcastId: w.broadcastId, ...source, ...when, volume: w.volume ?? store.clusters.get(clusterId)?.volume ?? 80 },
          expiresAt: when.startAt + config.commandTtlMs,
        },
      ])
      .catch((err: unknown) => this.log.error({ err, clusterId }, 'media' in source ? 'play command not sent' : 'relay play not sent'));
  }

  /** A relay's stream lives in this hub's memory: after a restart the box's stream is gone, so a
   *  relay is adopted only when the box reports this hub's stream (its stand-in media id). */
  private relayAdoptable(w: Wanted, reportedMediaId: string | undefined): boolean {
    if (!w.relayUrl) return true;
    const stream = this.relays.streamOf(w.key);
    return stream !== null && reportedMediaId === streamMediaId(stream);
  }

  /** A `relay:` item: the live point of its stream (no offset: a station cannot be rewound) until its
   *  end. The stream is opened by the first cluster that needs it, so the play goes out once it is. */
  private playRelay(clusterId: string, w: Wanted, startAt: number): void {
    const { clock } = this.deps;
    void this.relays
      .get(w)
      .then((r) => {
        // Superseded while the stream opened (an emergency, a new schedule): nothing to send.
        if (!r || !this.running || this.commanded.get(clusterId)?.key !== w.key) {
          if (!r && this.commanded.get(clusterId)?.key === w.key) this.commanded.delete(clusterId);
          return;
        }
        const now = Math.round(clock.now());
        const at = Math.max(startAt, now);
        if (at >= w.endAt) return;
        // In the broadcast log like a media item (rows made only once a play goes out, or fails:
        // a pending row would be re-sent as media by the ledger after a restart).
        this.sendPlay(clusterId, w, { stream: r.stream }, { startAt: at, offsetMs: 0, stopAt: w.endAt }, now);
        this.log.debug({ clusterId, broadcastId: w.broadcastId, streamId: r.streamId, startAt: at, stopAt: w.endAt }, 'relay play sent');
      })
      .catch((err: unknown) => this.log.error({ err, clusterId, broadcastId: w.broadcastId }, 'relay play not sent'));
  }

  /** Is `w` still what should be on air on the cluster now (its reason is there)? */
  private wantedNow(clusterId: string, w: Wanted, now: number): boolean {
    return this.wantedAt(clusterId, now)?.key === w.key;
  }

  private stopCluster(clusterId: string, cur: Wanted, now: number, reason: string): void {
    this.schedLog.markStopped(clusterId, cur, now, reason);
    this.commanded.delete(clusterId);
    this.sendStop(clusterId, cur.broadcastId);
    // The next round of a repeating emergency is sent a lead ahead: stopped in the last seconds of
    // a round, the round still on air is another broadcast, and it stops too.
    const onAir = this.deps.devices.reportedState(clusterId)?.playing?.broadcastId;
    if (cur.kind !== 'emergency' || !onAir || onAir === cur.broadcastId) return;
    if (this.deps.store.broadcasts.get(onAir)?.kind !== 'emergency' || this.wantedAt(clusterId, now)?.broadcastId === onAir) return;
    this.schedLog.markStopped(clusterId, { ...cur, broadcastId: onAir }, now, reason);
    this.sendStop(clusterId, onAir);
  }

  private sendStop(clusterId: string, broadcastId: string): void {
    void this.deps.ledger
      .command(clusterId, { type: 'stop', broadcastId })
      .catch((err: unknown) => this.log.error({ err, clusterId }, 'stop command not sent'));
  }

  /** A one-shot emergency is over once its audio has played: it stops being active by itself. */
  private endFinishedEmergencies(now: number): void {
    const over = this.emergencies.filter((e) => {
      if (e.repeat) return false;
      const media = this.deps.store.media.get(e.mediaId);
      return !media || e.startedAt + this.deps.config.emergencyLeadMs + media.durationMs <= now;
    });
    if (over.length === 0) return;
    for (const e of over) this.deps.store.schedules.stopEmergencies(now, 'ended', e.id);
    this.emergencies = this.deps.store.schedules.activeEmergencies();
    this.log.info({ emergencies: over.map((e) => e.id) }, 'emergency over: its audio has played');
  }

  /** Sleeps until the next moment something changes: an item's start minus the lead, or an end. */
  private arm(now: number): void {
    this.timer?.cancel();
    const lead = this.deps.config.leadMs;
    const horizon = now + MAX_SLEEP_MS;
    let next = horizon;
    for (const t of this.timelines.boundaries(now, horizon + lead)) {
      // Starts are acted on `lead` early; ends exactly.
      if (t - lead > now) next = Math.min(next, t - lead);
      if (t > now) next = Math.min(next, t);
    }
    for (const e of this.emergencies) {
      const media = this.deps.store.media.get(e.mediaId);
      if (!media) continue;
      const w = emergencyAt(e, media.durationMs, this.deps.config.emergencyLeadMs, now + lead);
      if (w) next = Math.min(next, Math.max(now + 1, w.endAt - lead));
      // …and when the round on air now ends (a one-shot emergency is then over).
      const current = emergencyAt(e, media.durationMs, this.deps.config.emergencyLeadMs, now);
      if (current && current.endAt > now) next = Math.min(next, current.endAt);
    }
    // An operator's announcement ends: take its clusters back right after it, without a gap.
    for (const end of this.deps.store.broadcasts.adhocEnds(now)) {
      if (end - lead > now) next = Math.min(next, end - lead);
      next = Math.min(next, end);
    }
    this.timer = this.deps.clock.setTimeout(() => this.reconcile(), Math.max(1, next - now));
  }
}

/** Why an item no longer wanted is stopped: its emergency ended, or the schedule changed. */
function stopReason(w: Wanted): string {
  return w.kind === 'emergency' ? 'emergency-ended' : 'schedule-changed';
}

// The hub's alarms module: watches presence, health and acks on the bus and raises or clears
// cluster alarms (raised once per episode, cleared by itself when the condition goes), stores each
// change with its event in the feed, and lets readers wait for the next event (long-poll).
import type { Clock } from '../../common/clock.js';
import { english, reason } from '../../common/i18n/reasons.js';
import type { Logger } from '../../common/logger.js';
import type { Ack, Health } from '../../protocol/index.js';
import type { EventBus } from '../events.js';
import type { AlarmChange, Store } from '../store/index.js';
import { offlineDetail, playFailedDetail } from './details.js';
import { OfflineWatch } from './offline-watch.js';
import { healthDecisions, SEVERITY, type AlarmSettings, type Decision } from './rules.js';
import type { Alarm, AlarmDetail, AlarmRaise, AlarmSubject, ClusterAlarmKind, FeedEvent } from './types.js';

export interface AlarmServiceDeps {
  store: Store;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  config: AlarmSettings;
}

const cluster = (clusterId: string): AlarmSubject => ({ subjectType: 'cluster', subjectId: clusterId });
const subjectKey = (s: AlarmSubject): string => `${s.subjectType}:${s.subjectId}`;

export class AlarmService {
  private readonly watch: OfflineWatch;
  /** Kinds open per subject, mirrored from the store so a health report costs no query. */
  private readonly openKinds = new Map<string, Set<string>>();
  /** Since when each cluster has reported media of its plan missing, without a break. */
  private readonly cacheMissingSince = new Map<string, number>();
  private readonly waiters = new Set<() => void>();
  private stopped = false;

  constructor(private readonly deps: AlarmServiceDeps) {
    this.watch = new OfflineWatch(deps.clock, deps.config.offlineMinutes * 60_000, (id, since, why) => this.offlineDue(id, since, why));
  }

  /** Call after the device listener has started (it marks every cluster offline until it speaks). */
  start(): void {
    const { store, bus } = this.deps;
    this.stopped = false;
    for (const a of store.alarms.open()) this.kindsOf(a).add(a.kind);
    this.armOfflineAtStart();
    bus.on(this, 'presenceChanged', (e) => this.onPresence(e.clusterId, e.online, e.at, e.reason));
    bus.on(this, 'health', ({ clusterId, health, receivedAt }) => this.onHealth(clusterId, health, receivedAt));
    bus.on(this, 'ack', ({ clusterId, ack }) => this.onAck(clusterId, ack));
    bus.on(this, 'clusterCredentialsChanged', ({ clusterId, removed }) => {
      if (removed) this.onRemoved(clusterId);
    });
    // Whoever raises (this module, the cameras later), readers waiting for the feed wake up.
    bus.on(this, 'alarmChanged', () => this.wakeWaiters());
  }

  stop(): void {
    this.stopped = true;
    this.deps.bus.removeListeners(this);
    this.watch.stop();
    this.wakeWaiters();
  }

  /** Raises an alarm unless one of its kind is open on the subject; returns it when raised.
   *  Other modules (the cameras) raise and clear through here, never in the store directly. */
  raise(r: AlarmRaise): Alarm | null {
    const change = this.deps.store.alarms.raise(r, this.deps.clock.now());
    if (!change) return null;
    this.kindsOf(r).add(r.kind);
    const subject = r.subjectType === 'cluster' ? 'clusterId' : 'subjectId';
    this.deps.logger.warn({ kind: r.kind, [subject]: r.subjectId, severity: r.severity, detail: change.alarm.detail }, 'alarm raised');
    this.announce(change);
    return change.alarm;
  }

  /** Clears the open alarm of that kind on the subject, if any; returns it when cleared. */
  clear(kind: string, subject: AlarmSubject, detail: AlarmDetail): Alarm | null {
    // The mirror is exact (every raise and clear goes through here), so a box coming online
    // with nothing open costs no query.
    const kinds = this.openKinds.get(subjectKey(subject));
    if (!kinds?.has(kind)) return null;
    kinds.delete(kind);
    const change = this.deps.store.alarms.clear(kind, subject, this.deps.clock.now(), detail);
    if (!change) return null;
    this.deps.logger.info(
      { kind, [subject.subjectType === 'cluster' ? 'clusterId' : 'subjectId']: subject.subjectId, detail: english(detail.reason) },
      'alarm cleared',
    );
    this.announce(change);
    return change.alarm;
  }

  /**
   * Feed events after the cursor, oldest first. With none yet, waits up to `waitMs` (hub clock)
   * for one, or until `signal` aborts (the client went away), then answers what there is.
   */
  async nextEvents(after: number, limit: number, waitMs: number, signal?: AbortSignal): Promise<FeedEvent[]> {
    const first = this.deps.store.alarms.events(after, limit);
    if (first.length > 0 || waitMs <= 0 || signal?.aborted || this.stopped) return first;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        timer.cancel();
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = this.deps.clock.setTimeout(done, waitMs);
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
    return this.deps.store.alarms.events(after, limit);
  }

  private announce(change: AlarmChange): void {
    this.deps.bus.emit('alarmChanged', { alarm: change.alarm, event: change.event });
  }

  private wakeWaiters(): void {
    for (const w of [...this.waiters]) w();
  }

  private kindsOf(s: AlarmSubject): Set<string> {
    const key = subjectKey(s);
    let kinds = this.openKinds.get(key);
    if (!kinds) {
      kinds = new Set();
      this.openKinds.set(key, kinds);
    }
    return kinds;
  }

  private apply(clusterId: string, d: Decision): void {
    if (d.action === 'raise') this.raise({ kind: d.kind, severity: d.severity, ...cluster(clusterId), ...d.detail });
    else this.clear(d.kind, cluster(clusterId), d.detail);
  }

  private raiseCluster(kind: ClusterAlarmKind, clusterId: string, detail: AlarmDetail): void {
    this.raise({ kind, severity: SEVERITY[kind], ...cluster(clusterId), ...detail });
  }

  // ---- offline for more than N minutes ----

  /**
   * After a restart every cluster is offline until it speaks again. The hub saw nothing while it
   * was down, so each box gets N minutes from this start to come back (timing from its last
   * offline change would alarm the whole fleet at once after a long hub outage). A cluster never
   * seen online (its box not yet installed) raises nothing; an alarm still open stays open.
   */
  private armOfflineAtStart(): void {
    const { store, clock } = this.deps;
    const now = clock.now();
    for (const c of store.clusters.list()) {
      if (c.online || this.kindsOf(cluster(c.id)).has('cluster-offline')) continue;
      const last = store.clusters.presenceEvents(c.id, 1)[0];
      if (last && !last.online) this.watch.arm(c.id, Math.max(last.at, now), last.reason);
    }
  }

  private onPresence(clusterId: string, online: boolean, at: number, why: string | null): void {
    if (online) {
      this.watch.disarm(clusterId);
      this.clear('cluster-offline', cluster(clusterId), { reason: reason('alarm.back-online') });
    } else {
      this.watch.arm(clusterId, at, why);
    }
  }

  private offlineDue(clusterId: string, _since: number, why: string | null): void {
    if (!this.deps.store.clusters.exists(clusterId)) return;
    this.raiseCluster('cluster-offline', clusterId, offlineDetail(why));
  }

  // ---- health: temperature, throttling, cache ----

  private onHealth(clusterId: string, h: Health, receivedAt: number): void {
    let missingFor: number | null = null;
    if (h.cache) {
      if (h.cache.planMissingBytes > 0) {
        const since = this.cacheMissingSince.get(clusterId) ?? receivedAt;
        this.cacheMissingSince.set(clusterId, since);
        missingFor = receivedAt - since;
      } else {
        this.cacheMissingSince.delete(clusterId);
      }
    }
    for (const d of healthDecisions(h, this.kindsOf(cluster(clusterId)), missingFor, this.deps.config)) this.apply(clusterId, d);
  }

  // ---- an item that failed to play ----

  private onAck(clusterId: string, ack: Ack): void {
    if (ack.status === 'refused' && (ack.reason === 'unsigned' || ack.reason === 'bad-signature')) {
      // Typically a box not given the hub's new key after a rotation: it now obeys nothing.
      const code = ack.reason === 'unsigned' ? 'cluster.hub-key-unsigned' : 'cluster.hub-key-refused';
      this.raiseCluster('hub-key-refused', clusterId, { reason: reason(code), extra: ack.detail ?? null });
      return;
    }
    // Any command it took was signed with a key it trusts.
    if (ack.status === 'accepted') this.clear('hub-key-refused', cluster(clusterId), { reason: reason('cluster.hub-key-ok') });
    if (ack.status === 'failed') {
      // Only plays fail (stop and volume are refused or done); the reason says why it did not play.
      // The box's own words (often a player's error line with the hub's URL) are for operators.
      this.raiseCluster('play-failed', clusterId, playFailedDetail(ack));
    } else if (ack.status === 'started' || ack.status === 'finished') {
      const code = ack.status === 'started' ? 'play.started' : 'play.finished';
      this.clear('play-failed', cluster(clusterId), { reason: reason(code), extra: ack.broadcastId ?? null });
    }
  }

  private onRemoved(clusterId: string): void {
    this.watch.disarm(clusterId);
    this.cacheMissingSince.delete(clusterId);
    for (const kind of [...this.kindsOf(cluster(clusterId))]) this.clear(kind, cluster(clusterId), { reason: reason('cluster.removed') });
    this.openKinds.delete(subjectKey(cluster(clusterId)));
  }
}

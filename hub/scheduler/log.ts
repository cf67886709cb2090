// The schedule's side of the broadcast log: what the scheduler writes besides the boxes' acks. An
// item cut by a higher one is logged preempted; items nobody was told to play are logged once they
// are over, so the monthly report is whole: preempted when a higher item held the cluster all
// along, offline or missed when the cluster was offline or the hub down; an emergency's clusters
// offline at its start are logged at once.
import { asPriority, priorityRank, type TimelineEntry } from '../schedule/model.js';
import type { EmergencyRow, Store } from '../store/index.js';
import { broadcastRecord, emergencyAt, fromTimeline, type TimelineCache, type Wanted } from './wanted.js';

export const LAST_ALIVE = 'scheduler.lastAlive';
const FINISHED_UP_TO = 'scheduler.finishedUpTo';

/** How an item nobody played is logged. */
type Unplayed = { status: 'missed' | 'offline' | 'preempted'; reason: string; detail?: string };

export class ScheduleLog {
  constructor(
    private readonly store: Store,
    /** The timeline in force (it is replaced when a schedule is applied). */
    private readonly timelines: () => TimelineCache,
    private readonly emergencyLeadMs: number,
  ) {}

  /** The lower item was cut by a higher one: its acks from now on are not its own story. */
  markPreempted(clusterId: string, cur: Wanted, at: number, by: Wanted): void {
    this.endSegment(clusterId, cur, at, { status: 'preempted', reason: `preempted-by-${by.priority}` });
  }

  /** The scheduler stopped a cluster's item (silence due, an emergency over): logged stopped with what it played. */
  markStopped(clusterId: string, cur: Wanted, now: number, reason: string): void {
    this.endSegment(clusterId, cur, now, { status: 'stopped', reason, finishedAt: now });
  }

  /** Closes an item still on its way or on air on a cluster, adding the segment it played. */
  private endSegment(clusterId: string, cur: Wanted, at: number, end: { status: 'preempted' | 'stopped'; reason: string; finishedAt?: number }): void {
    const t = this.store.broadcasts.target(cur.broadcastId, clusterId);
    if (!t || !['sent', 'accepted', 'started'].includes(t.status)) return;
    const played = t.segmentStartedAt !== null ? Math.max(0, at - t.segmentStartedAt) : 0;
    this.store.broadcasts.updateTarget(
      cur.broadcastId,
      clusterId,
      { ...end, cmdId: null, deadlineAt: null, playedMs: t.playedMs + played, segmentStartedAt: null },
      at,
    );
  }

  /** An emergency's clusters that are offline when it starts are logged at once as missed. */
  emergencyOffline(e: EmergencyRow, now: number): void {
    const { store } = this;
    const media = store.media.get(e.mediaId);
    if (!media) return;
    const w = emergencyAt(e, media.durationMs, this.emergencyLeadMs, now);
    if (!w) return;
    for (const clusterId of e.clusters) {
      if (store.clusters.get(clusterId)?.online) continue;
      store.broadcasts.ensure(broadcastRecord(w, media.id, now));
      const t = store.broadcasts.ensureTarget(w.broadcastId, clusterId, now, 'offline');
      if (t.status === 'offline')
        store.broadcasts.updateTarget(
          w.broadcastId,
          clusterId,
          { reason: 'cluster-offline', detail: 'the cluster was offline when the emergency started' },
          now,
        );
    }
  }

  /** Items that ended with no word to a cluster: logged as missed (offline) so the log is whole. */
  finishEnded(now: number): void {
    const { store } = this;
    const since = Number(store.schedules.getState(FINISHED_UP_TO) ?? now);
    if (since < now) {
      this.logUnplayed(
        since,
        now,
        (e) => e.endAt > since && e.endAt <= now,
        (clusterId, e) => {
          if (!store.clusters.get(clusterId)?.online) return { status: 'offline', reason: 'cluster-offline' };
          return this.heldBy(clusterId, e) ?? { status: 'missed', reason: 'not-sent' };
        },
      );
    }
    store.schedules.setState(FINISHED_UP_TO, String(now));
  }

  /** An item never sent to an online cluster because something of a higher priority held it
   *  all along (a relay, an announcement, an emergency): preempted, like an item cut short. */
  private heldBy(clusterId: string, e: TimelineEntry): Unplayed | null {
    const rank = (p: string) => priorityRank(asPriority(p));
    let top: ReturnType<Store['broadcasts']['onAirBetween']>[number] | null = null;
    for (const b of this.store.broadcasts.onAirBetween(clusterId, e.startAt, e.endAt)) if (rank(b.priority) > rank(top?.priority ?? e.priority)) top = b;
    if (!top) return null;
    const what = top.programmeId ? `"${top.programmeId}" (${top.mediaName})` : top.mediaName;
    return { status: 'preempted', reason: `preempted-by-${top.priority}`, detail: `never on air: ${what} held the cluster` };
  }

  /** Items that should have started while the hub was down: logged as missed, not played late. */
  missedWhileDown(now: number): void {
    const { store } = this;
    const lastAlive = Number(store.schedules.getState(LAST_ALIVE) ?? NaN);
    if (!Number.isFinite(lastAlive) || lastAlive >= now) return;
    // Started while down and over by now: missed. Still running: the reconcile joins it.
    this.logUnplayed(
      lastAlive,
      now,
      (e) => e.startAt >= lastAlive && e.startAt < now && e.endAt <= now,
      () => ({
        status: 'missed',
        reason: 'hub-down',
        detail: 'the hub was not running when this was due',
      }),
    );
    store.schedules.setState(FINISHED_UP_TO, String(now));
  }

  /** Logs the media items of [from, now] that `pick` selects and no cluster record exists for yet. */
  private logUnplayed(from: number, now: number, pick: (e: TimelineEntry) => boolean, outcome: (clusterId: string, e: TimelineEntry) => Unplayed): void {
    const { store } = this;
    const timelines = this.timelines();
    for (const date of new Set([...timelines.datesAround(from), ...timelines.datesAround(now)])) {
      for (const [clusterId, entries] of timelines.day(date)) {
        for (const e of entries) {
          const relay = e.item.kind === 'relay';
          if (!relay && ((e.item.kind !== 'media' && e.item.kind !== 'tts') || !e.mediaId)) continue;
          if (!pick(e)) continue;
          const w = fromTimeline(e);
          if (store.broadcasts.target(w.broadcastId, clusterId)) continue;
          const o = outcome(clusterId, e);
          store.broadcasts.ensure(broadcastRecord(w, relay ? null : e.mediaId, now));
          store.broadcasts.ensureTarget(w.broadcastId, clusterId, now, o.status);
          store.broadcasts.updateTarget(w.broadcastId, clusterId, { reason: o.reason, ...(o.detail ? { detail: o.detail } : {}) }, now);
        }
      }
    }
  }
}

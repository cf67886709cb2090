// Merges what a box played on its own while it could not reach the hub into the broadcast log:
// each entry lands on the item's per-cluster outcome once (a resend changes nothing), marked as
// played offline; an outcome the hub already knows from live acks is left alone. Only broadcasts
// that named the cluster are merged: a box cannot write itself into other clusters' broadcasts
// (and the month's report) by claiming them (issue 14, item 7).
import { allClustersTopic, decodePayload, parseClusterTopic, type PlayLogEntry } from '../../../protocol/index.js';
import type { DeviceListenerDeps } from '../../devices/listener.js';
import type { TargetRow } from '../../store/index.js';

/** Outcomes the live path settles for good; an offline report does not overwrite them. */
const SETTLED: readonly TargetRow['status'][] = ['finished', 'stopped', 'preempted', 'failed', 'refused'];

export class PlayLogMerger {
  merged = 0;

  constructor(
    private readonly deps: DeviceListenerDeps & {
      /** Whether the cluster's timeline holds this scheduled broadcast between these times (the
       *  plan it was sent): its row may have no target for the cluster yet. */
      planned: (clusterId: string, broadcastId: string, from: number, until: number) => boolean;
    },
  ) {}

  async start(): Promise<void> {
    await this.deps.mqtt.subscribe(allClustersTopic('playlog'), (topic, payload) => {
      const parsed = parseClusterTopic(topic);
      if (!parsed || !this.deps.store.clusters.exists(parsed.clusterId)) return;
      const d = decodePayload('playlog', payload);
      if (!d.ok) return this.deps.deviceLog.dropped(this.deps.logger, parsed.clusterId, topic, d.reason);
      for (const e of d.value.entries) this.merge(parsed.clusterId, e);
    });
  }

  /** Returns true when the entry changed the log. */
  merge(clusterId: string, e: PlayLogEntry): boolean {
    const { store, clock } = this.deps;
    const log = this.deps.logger.child({ clusterId });
    const b = store.broadcasts.header(e.broadcastId);
    if (!b) {
      this.deps.deviceLog.warn(
        this.deps.logger,
        clusterId,
        { broadcastId: e.broadcastId },
        'offline play log names a broadcast this hub does not know; ignored',
      );
      return false;
    }
    const now = clock.now();
    // Named the cluster: a target of it (an operator's broadcast, an item sent or logged there),
    // or a scheduled item of its plan not logged yet. The times are the hub's, not the box's.
    const existing = store.broadcasts.target(e.broadcastId, clusterId);
    if (!existing && !(b.kind === 'schedule' && this.deps.planned(clusterId, e.broadcastId, b.startAt, b.plannedEnd ?? b.startAt + 1))) {
      this.deps.deviceLog.warn(
        this.deps.logger,
        clusterId,
        { broadcastId: e.broadcastId },
        'offline play log names a broadcast that was not for this cluster; ignored',
      );
      return false;
    }
    const t = existing ?? store.broadcasts.ensureTarget(e.broadcastId, clusterId, now, 'pending');
    if (SETTLED.includes(t.status)) return false;
    const status = e.outcome === 'finished' ? 'finished' : e.outcome === 'stopped' ? 'stopped' : 'failed';
    store.broadcasts.updateTarget(
      e.broadcastId,
      clusterId,
      {
        status,
        reason: status === 'failed' ? (e.reason ?? 'player-error') : 'played-offline',
        detail: "played from the box's own plan while it could not reach the hub",
        cmdId: null,
        startedAt: e.startedAt,
        finishedAt: e.endedAt,
        playedMs: Math.max(0, e.endedAt - e.startedAt),
        segments: 1,
        firstOffsetMs: e.startOffsetMs,
        segmentStartedAt: null,
        deadlineAt: null,
      },
      now,
    );
    this.merged += 1;
    log.info({ broadcastId: e.broadcastId, outcome: e.outcome }, 'offline play merged into the log');
    this.deps.bus.emit('broadcastChanged', { broadcastId: e.broadcastId });
    return true;
  }
}

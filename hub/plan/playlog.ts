// Merges what a box played on its own while it could not reach the hub into the broadcast log:
// each entry lands on the item's per-cluster outcome once (a resend changes nothing), marked as
// played offline; an outcome the hub already knows from live acks is left alone.
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { allClustersTopic, decodePayload, parseClusterTopic, type PlayLogEntry } from '../../protocol/index.js';
import type { HubMqtt } from '../broker/broker.js';
import type { EventBus } from '../events.js';
import type { Store, TargetRow } from '../store/index.js';

/** Outcomes the live path settles for good; an offline report does not overwrite them. */
const SETTLED: readonly TargetRow['status'][] = ['finished', 'stopped', 'preempted', 'failed', 'refused'];

export class PlayLogMerger {
  merged = 0;

  constructor(private readonly deps: { store: Store; mqtt: HubMqtt; bus: EventBus; clock: Clock; logger: Logger }) {}

  async start(): Promise<void> {
    await this.deps.mqtt.subscribe(allClustersTopic('playlog'), (topic, payload) => {
      const parsed = parseClusterTopic(topic);
      if (!parsed || !this.deps.store.clusters.exists(parsed.clusterId)) return;
      const d = decodePayload('playlog', payload);
      if (!d.ok) {
        this.deps.logger.warn({ clusterId: parsed.clusterId, topic, reason: d.reason }, 'payload dropped');
        return;
      }
      for (const e of d.value.entries) this.merge(parsed.clusterId, e);
    });
  }

  /** Returns true when the entry changed the log. */
  merge(clusterId: string, e: PlayLogEntry): boolean {
    const { store, clock } = this.deps;
    const log = this.deps.logger.child({ clusterId });
    if (!store.broadcasts.exists(e.broadcastId)) {
      log.warn({ broadcastId: e.broadcastId }, 'offline play log names a broadcast this hub does not know; ignored');
      return false;
    }
    const now = clock.now();
    const t = store.broadcasts.ensureTarget(e.broadcastId, clusterId, now, 'pending');
    if (SETTLED.includes(t.status)) return false;
    const status = e.outcome === 'finished' ? 'finished' : e.outcome === 'stopped' ? 'stopped' : 'failed';
    store.broadcasts.updateTarget(
      e.broadcastId,
      clusterId,
      {
        status,
        reason: status === 'failed' ? (e.reason ?? 'player-error') : 'played-offline',
        detail: 'played from the box\'s own plan while it could not reach the hub',
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

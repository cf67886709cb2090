// Live streams' plays (docs/live.md "In the broadcast log"): the play of the hub's stream to each
// cluster, sent through the broadcast ledger, and the ad-hoc broadcast row that logs it, closed
// when the stream is over.
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { checkClusterIds } from '../clusters/errors.js';
import type { StreamRef } from '../../protocol/index.js';
import { segmentMs } from '../broadcasts/acks.js';
import type { BroadcastLedger, PlayOut } from '../broadcasts/ledger.js';
import type { HubMqtt } from '../broker/broker.js';
import type { EventBus } from '../events.js';
import { OPEN_TARGET_STATUSES, type Store } from '../store/index.js';

export interface StreamDispatchDeps {
  store: Store;
  ledger: BroadcastLedger;
  /** To know whether a cluster's box is connected. */
  mqtt: HubMqtt;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  config: { commandTtlMs: number };
}

/** How a live stream is logged (docs/live.md): by whom, and what it plays (a library file played
 *  as live is a media row; a station or a push names its source in streamUrl). */
export interface StreamLog {
  createdBy: string;
  priority?: 'priority' | 'live' | 'emergency';
  mediaId?: string;
  streamUrl?: string;
}

/** The planned end of a stream with no end time (the row closes when the stream ends). */
export const OPEN_STREAM_MS = 24 * 3600_000;

export interface StreamPlayRequest {
  broadcastId: string;
  stream: StreamRef;
  clusterIds: string[];
  startAt: number;
  stopAt?: number;
  /** Given: the stream gets a broadcast row (a schedule's relay is logged by the scheduler instead). */
  log?: StreamLog;
}

/** A station relay started by hand whose stream a hub restart ended: what it takes to start it again. */
export interface LostRelay {
  id: string;
  url: string;
  clusterIds: string[];
  /** Its planned end (its `until`). */
  until: number;
  createdBy: string;
}

/** How the open targets of an ended stream end, and a note for every target's detail. */
export interface StreamEnd {
  status: 'finished' | 'stopped';
  reason?: string;
  note?: string;
}

type StreamPlayResult = { clusterId: string; cmdId: string | null; status: 'sent' | 'offline' | 'failed'; detail?: string };

export class StreamDispatch {
  private readonly log: Logger;

  constructor(private readonly deps: StreamDispatchDeps) {
    this.log = deps.logger;
  }

  /** Sends a live stream's play to clusters (docs/live.md) and logs it as an ad-hoc broadcast row
   *  (id = the stream's id) with one target per cluster: the boxes' acks then move the targets like
   *  a media broadcast's (onAck), and end() closes what is still open when the stream is over.
   *  Offline clusters are skipped and logged so. */
  async play(req: StreamPlayRequest): Promise<StreamPlayResult[]> {
    const { store, config, clock, ledger } = this.deps;
    checkClusterIds(req.clusterIds, (c) => store.clusters.exists(c));
    const now = clock.now();
    const clusterIds = [...new Set(req.clusterIds)];
    if (req.log) this.createRow(req.broadcastId, req.startAt, req.stopAt, req.log, now);
    const logged = req.log !== undefined;
    const result = new Map<string, StreamPlayResult>();
    const plays: PlayOut[] = [];
    for (const clusterId of clusterIds) {
      const cluster = store.clusters.get(clusterId)!;
      if (!cluster.online && !this.deps.mqtt.isConnected(clusterId)) {
        if (logged) {
          store.broadcasts.ensureTarget(req.broadcastId, clusterId, now, 'offline');
          store.broadcasts.updateTarget(
            req.broadcastId,
            clusterId,
            { reason: 'cluster-offline', detail: 'the cluster was offline when the stream started' },
            now,
          );
        }
        result.set(clusterId, { clusterId, cmdId: null, status: 'offline' });
        continue;
      }
      // (A cluster joining late was `offline`: the ledger clears that reason as it sends.)
      if (logged) store.broadcasts.ensureTarget(req.broadcastId, clusterId, now);
      plays.push({
        clusterId,
        body: {
          type: 'play',
          broadcastId: req.broadcastId,
          stream: req.stream,
          startAt: req.startAt,
          offsetMs: 0,
          volume: cluster.volume,
          ...(req.stopAt === undefined ? {} : { stopAt: req.stopAt }),
        },
        expiresAt: req.startAt + config.commandTtlMs,
      });
    }
    if (logged) {
      for (const r of await ledger.sendPlays(req.broadcastId, plays)) result.set(r.clusterId, r);
      // The schedule yields to the stream on these clusters (hub/scheduler: open ad-hoc rows).
      this.deps.bus.emit('adhocChanged', { clusterIds });
    } else {
      // A schedule's relay: the scheduler logs it; these plays are plain commands.
      await Promise.all(
        plays.map(async ({ clusterId, body, expiresAt }) => {
          try {
            const cmd = await ledger.command(clusterId, body, { expiresAt });
            result.set(clusterId, { clusterId, cmdId: cmd.id, status: 'sent' });
          } catch (err) {
            this.log.child({ clusterId }).error({ err }, 'stream play not sent');
            result.set(clusterId, { clusterId, cmdId: null, status: 'failed', detail: String(err) });
          }
        }),
      );
    }
    return clusterIds.map((c) => result.get(c)!);
  }

  private createRow(id: string, startAt: number, stopAt: number | undefined, log: StreamLog, now: number): void {
    const media = log.mediaId ? this.deps.store.media.get(log.mediaId) : undefined;
    // An open-ended stream has no end to plan: OPEN_STREAM_MS stands in until end() closes it.
    const natural = media ? startAt + media.durationMs : startAt + OPEN_STREAM_MS;
    this.deps.store.broadcasts.ensure({
      id,
      mediaId: media ? media.id : null,
      streamUrl: media ? null : (log.streamUrl ?? null),
      startAt,
      plannedEnd: stopAt === undefined ? natural : Math.min(stopAt, natural),
      createdAt: now,
      createdBy: log.createdBy,
      volume: null,
      // ensure() is typed for the scheduler's kinds; the column takes 'adhoc' (the default of
      // operators' broadcasts), which is what makes the scheduler yield to the stream.
      kind: 'adhoc',
      priority: log.priority ?? 'live',
      programmeId: null,
      programmeName: null,
    });
  }

  /** Tells clusters to stop a live stream's broadcast; its row is closed by end(). */
  async stop(broadcastId: string, clusterIds: string[]): Promise<void> {
    await Promise.all(
      clusterIds.map((clusterId) =>
        this.deps.ledger
          .command(clusterId, { type: 'stop', broadcastId })
          .catch((err: unknown) => this.log.child({ clusterId }).error({ err }, 'stream stop not sent')),
      ),
    );
  }

  /** A live stream is over: its targets still open end as `status` (a box that never started it:
   *  stopped), every target's detail gets `note` (e.g. "relay lost 12 s"), and the clusters go
   *  back to the schedule. Acks arriving afterwards change nothing (final statuses). */
  end(broadcastId: string, end: StreamEnd): void {
    const { store, clock } = this.deps;
    const b = store.broadcasts.get(broadcastId);
    if (!b) return;
    const now = clock.now();
    store.broadcasts.inTransaction(() => {
      for (const t of b.targets) {
        const patch: Parameters<Store['broadcasts']['updateTarget']>[2] = {};
        if (OPEN_TARGET_STATUSES.includes(t.status)) {
          if (t.status === 'started')
            Object.assign(patch, { status: end.status, finishedAt: now, playedMs: t.playedMs + segmentMs(t, now), segmentStartedAt: null });
          else Object.assign(patch, { status: 'stopped', reason: 'stream-ended', detail: 'the stream ended before the box started it' });
          if (end.status === 'stopped' && t.status === 'started') patch.reason = end.reason ?? 'stop-command';
          patch.deadlineAt = null;
        }
        if (end.note) {
          const detail = patch.detail ?? t.detail;
          patch.detail = detail ? `${detail}; ${end.note}` : end.note;
        }
        if (Object.keys(patch).length > 0) store.broadcasts.updateTarget(broadcastId, t.clusterId, patch, now);
      }
      if (end.status === 'stopped') store.broadcasts.markStopped(broadcastId, now);
    });
    this.deps.bus.emit('broadcastChanged', { broadcastId });
    this.deps.bus.emit('adhocChanged', { clusterIds: b.targets.map((t) => t.clusterId) });
  }

  /** Streams live in the hub's memory: after a restart they are gone, so their rows close (before
   *  the ledger starts). Returns the station relays among them (the hub starts those with time
   *  left again, docs/live.md). */
  closeAfterRestart(): LostRelay[] {
    const { store } = this.deps;
    const open = new Set(
      store.broadcasts
        .openTargets()
        .filter((t) => t.broadcastId.startsWith('live-'))
        .map((t) => t.broadcastId),
    );
    const lost: LostRelay[] = [];
    for (const id of open) {
      if (store.broadcasts.kindOf(id) !== 'adhoc') continue;
      const b = store.broadcasts.get(id);
      this.end(id, { status: 'stopped', reason: 'hub-restart' });
      if (b?.streamUrl && !b.streamUrl.startsWith('live:') && b.plannedEnd !== null) {
        lost.push({ id, url: b.streamUrl, clusterIds: b.targets.map((t) => t.clusterId), until: b.plannedEnd, createdBy: b.createdBy });
      }
    }
    return lost;
  }
}

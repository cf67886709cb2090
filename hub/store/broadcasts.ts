// Broadcasts (a media item, a set of clusters, a start time) and the per-cluster outcome of each:
// the source of the broadcast log. A relay (schedule `relay:` item) is a broadcast of a station's
// stream instead of a media file: no media id, `streamUrl` set, named "relay URL" in the log.
import type { Statement } from 'better-sqlite3';
import { TARGET_STATUSES, type BroadcastStatus, type TargetStatus } from '../../common/broadcast-statuses.js';
import { listClauses, type BroadcastFilter } from './broadcast-list.js';
import { prepared, type Db } from './db.js';

export { TARGET_STATUSES, type BroadcastStatus, type TargetStatus };
export const OPEN_TARGET_STATUSES: readonly TargetStatus[] = ['pending', 'sent', 'accepted', 'started'];

export interface TargetRow {
  broadcastId: string;
  clusterId: string;
  status: TargetStatus;
  reason: string | null;
  detail: string | null;
  cmdId: string | null;
  seq: number | null;
  sentAt: number | null;
  acceptedAt: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  deadlineAt: number | null;
  updatedAt: number;
  playedMs: number;
  segments: number;
  segmentStartedAt: number | null;
  firstOffsetMs: number | null;
  startErrorMs: number | null;
}

export interface BroadcastRow {
  id: string;
  /** '' for a relay. */
  mediaId: string;
  /** For a relay: "relay " and the station's address. */
  mediaName: string;
  /** The station relayed; null for a media broadcast. */
  streamUrl: string | null;
  durationMs: number;
  startAt: number;
  createdAt: number;
  createdBy: string;
  volume: number | null;
  stoppedAt: number | null;
  kind: 'adhoc' | 'schedule' | 'emergency';
  priority: string;
  programmeId: string | null;
  programmeName: string | null;
  plannedEnd: number | null;
  targets: TargetRow[];
}

/** What came of one item on one cluster, in the operator's words (the broadcast report's column). */
export type Outcome = 'played' | 'partial' | 'preempted' | 'missed-offline' | 'missed' | 'failed' | 'stopped' | 'pending';

/** How far from its planned start and end an item may begin and end and still count as whole:
 *  clocks, the network and a player's start-up move either by a few hundred ms. */
const WHOLE_TOLERANCE_MS = 1500;

type OutcomeFields = Pick<TargetRow, 'status' | 'segments' | 'firstOffsetMs' | 'playedMs' | 'finishedAt'>;

/** Started on time and never interrupted: joined late (hub restart, box back online) or resumed
 *  after a preemption is partial. */
const inOnePiece = (t: OutcomeFields): boolean => t.segments <= 1 && (t.firstOffsetMs ?? 0) <= WHOLE_TOLERANCE_MS;

/**
 * Derived when read, so rows stored by older hubs get the same answer. `plannedEnd`: where the
 * item was to end. A box ends an item with stopped/replaced when the next one starts at that very
 * moment (loa-edge's player runs a few ms past the media's length): stopped at its planned end,
 * it played whole.
 */
export function outcomeOf(t: OutcomeFields, plannedEnd: number | null = null): Outcome {
  switch (t.status) {
    case 'finished':
      return inOnePiece(t) ? 'played' : 'partial';
    case 'preempted':
      return 'preempted';
    case 'stopped':
      if (t.playedMs <= 0) return 'stopped';
      return inOnePiece(t) && plannedEnd !== null && t.finishedAt !== null && t.finishedAt >= plannedEnd - WHOLE_TOLERANCE_MS ? 'played' : 'partial';
    case 'offline':
      return 'missed-offline';
    case 'missed':
      return 'missed';
    case 'failed':
    case 'refused':
    case 'expired':
      return 'failed';
    default:
      return 'pending';
  }
}

export interface LogEntry {
  broadcastId: string;
  clusterId: string;
  mediaId: string;
  mediaName: string;
  streamUrl: string | null;
  kind: string;
  priority: string;
  programmeId: string | null;
  programmeName: string | null;
  plannedStart: number;
  plannedEnd: number | null;
  outcome: Outcome;
  status: TargetStatus;
  reason: string | null;
  detail: string | null;
  acceptedAt: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  playedMs: number | null;
  /** The box's own estimate of its start error (first segment), ms; null if it did not say. */
  startErrorMs: number | null;
}

type TargetPatch = Partial<Omit<TargetRow, 'broadcastId' | 'clusterId' | 'updatedAt'>>;

const TARGET_COLUMNS: Record<keyof TargetPatch, string> = {
  status: 'status',
  reason: 'reason',
  detail: 'detail',
  cmdId: 'cmd_id',
  seq: 'seq',
  sentAt: 'sent_at',
  acceptedAt: 'accepted_at',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  deadlineAt: 'deadline_at',
  playedMs: 'played_ms',
  segments: 'segments',
  segmentStartedAt: 'segment_started_at',
  firstOffsetMs: 'first_offset_ms',
  startErrorMs: 'start_error_ms',
};

interface RawTarget {
  broadcast_id: string;
  cluster_id: string;
  status: TargetStatus;
  reason: string | null;
  detail: string | null;
  cmd_id: string | null;
  seq: number | null;
  sent_at: number | null;
  accepted_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  deadline_at: number | null;
  updated_at: number;
  played_ms: number;
  segments: number;
  segment_started_at: number | null;
  first_offset_ms: number | null;
  start_error_ms: number | null;
}

const toTarget = (r: RawTarget): TargetRow => ({
  broadcastId: r.broadcast_id,
  clusterId: r.cluster_id,
  status: r.status,
  reason: r.reason,
  detail: r.detail,
  cmdId: r.cmd_id,
  seq: r.seq,
  sentAt: r.sent_at,
  acceptedAt: r.accepted_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  deadlineAt: r.deadline_at,
  updatedAt: r.updated_at,
  playedMs: r.played_ms,
  segments: r.segments,
  segmentStartedAt: r.segment_started_at,
  firstOffsetMs: r.first_offset_ms,
  startErrorMs: r.start_error_ms,
});

interface RawBroadcast {
  id: string;
  media_id: string;
  media_name: string;
  stream_url: string | null;
  duration_ms: number;
  start_at: number;
  created_at: number;
  created_by: string;
  volume: number | null;
  stopped_at: number | null;
  kind: 'adhoc' | 'schedule' | 'emergency';
  priority: string;
  programme_id: string | null;
  programme_name: string | null;
  planned_end: number | null;
}

/** A relay has no media row: its name is "relay URL" and its length the item's. */
const MEDIA_COLUMNS = `COALESCE(b.media_id, '') AS media_id,
  COALESCE(m.name, CASE WHEN b.stream_url LIKE 'live:%' THEN 'live ' || substr(b.stream_url, 6) ELSE 'relay ' || b.stream_url END) AS media_name,
  b.stream_url,
  COALESCE(m.duration_ms, b.planned_end - b.start_at, 0) AS duration_ms`;

const BROADCAST_SELECT = `SELECT b.id, ${MEDIA_COLUMNS}, b.start_at, b.created_at, b.created_by, b.volume, b.stopped_at,
  b.kind, b.priority, b.programme_id, b.programme_name, b.planned_end
  FROM broadcasts b LEFT JOIN media m ON m.id = b.media_id`;

export function broadcastStatus(b: BroadcastRow, now: number): BroadcastStatus {
  if (b.stoppedAt !== null) return 'stopped';
  // A planned item no box has been told about yet (it is in the boxes' offline plans).
  if (b.targets.length === 0) return now < b.startAt ? 'scheduled' : 'done';
  if (b.targets.some((t) => OPEN_TARGET_STATUSES.includes(t.status))) return now < b.startAt ? 'scheduled' : 'running';
  return 'done';
}

export class BroadcastStore {
  private readonly updateStatements = new Map<string, Statement>();

  constructor(private readonly db: Db) {}

  create(b: {
    id: string;
    mediaId: string;
    startAt: number;
    plannedEnd: number;
    createdAt: number;
    createdBy: string;
    volume: number | null;
    priority: string;
    clusterIds: string[];
  }): void {
    const tx = this.db.transaction(() => {
      prepared(
        this.db,
        'INSERT INTO broadcasts (id, media_id, start_at, planned_end, created_at, created_by, volume, priority) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(b.id, b.mediaId, b.startAt, b.plannedEnd, b.createdAt, b.createdBy, b.volume, b.priority);
      const ins = prepared(this.db, "INSERT INTO broadcast_targets (broadcast_id, cluster_id, status, updated_at) VALUES (?, ?, 'pending', ?)");
      for (const c of b.clusterIds) ins.run(b.id, c, b.createdAt);
    });
    tx();
  }

  /** Creates the broadcast of a scheduled or emergency item once. Until a cluster has a record of
   *  it, a later call brings it up to date: the boxes' plans make these rows hours ahead, and a
   *  schedule applied since may have moved the item (the log would show the old times). */
  ensure(b: {
    id: string;
    /** null for a relay, which names its station in streamUrl instead. */
    mediaId: string | null;
    streamUrl?: string | null;
    startAt: number;
    plannedEnd: number;
    createdAt: number;
    createdBy: string;
    volume: number | null;
    kind: 'adhoc' | 'schedule' | 'emergency';
    priority: string;
    programmeId: string | null;
    programmeName: string | null;
  }): void {
    prepared(
      this.db,
      `INSERT INTO broadcasts (id, media_id, stream_url, start_at, created_at, created_by, volume, kind, priority, programme_id, programme_name, planned_end)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET media_id = excluded.media_id, stream_url = excluded.stream_url,
         start_at = excluded.start_at, planned_end = excluded.planned_end, volume = excluded.volume, priority = excluded.priority,
         programme_name = excluded.programme_name
       WHERE NOT EXISTS (SELECT 1 FROM broadcast_targets t WHERE t.broadcast_id = broadcasts.id)`,
    ).run(
      b.id,
      b.mediaId,
      b.mediaId === null ? (b.streamUrl ?? null) : null,
      b.startAt,
      b.createdAt,
      b.createdBy,
      b.volume,
      b.kind,
      b.priority,
      b.programmeId,
      b.programmeName,
      b.plannedEnd,
    );
  }

  /** Creates a cluster's target of a broadcast once (status pending); returns it. */
  ensureTarget(broadcastId: string, clusterId: string, at: number, status: TargetStatus = 'pending'): TargetRow {
    prepared(this.db, 'INSERT INTO broadcast_targets (broadcast_id, cluster_id, status, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING').run(
      broadcastId,
      clusterId,
      status,
      at,
    );
    return this.target(broadcastId, clusterId)!;
  }

  exists(id: string): boolean {
    return prepared(this.db, 'SELECT 1 FROM broadcasts WHERE id = ?').get(id) !== undefined;
  }

  /** The earliest deadline among open targets, for the sweeper's next wake-up. */
  nextDeadline(): number | null {
    const statuses = OPEN_TARGET_STATUSES.map((s) => `'${s}'`).join(',');
    const r = prepared(this.db, `SELECT MIN(deadline_at) AS d FROM broadcast_targets WHERE deadline_at IS NOT NULL AND status IN (${statuses})`).get() as {
      d: number | null;
    };
    return r.d;
  }

  get(id: string): BroadcastRow | undefined {
    const r = prepared(this.db, `${BROADCAST_SELECT} WHERE b.id = ?`).get(id) as RawBroadcast | undefined;
    return r && this.withTargets(r);
  }

  /** Broadcasts that reached at least one cluster (planned-only items are left out), as a list
   *  asks for them: on air first, then to come, then newest first (broadcast-list.ts). */
  list(filter: BroadcastFilter): BroadcastRow[] {
    const { sql, params } = listClauses(filter, OPEN_TARGET_STATUSES);
    const rows = prepared(this.db, `${BROADCAST_SELECT} ${sql}`).all(params) as RawBroadcast[];
    return rows.map((r) => this.withTargets(r));
  }

  /** A broadcast without its targets (`targets` is empty): for a caller that needs one cluster's,
   *  which `target()` gives, when the broadcast has thousands. */
  header(id: string): BroadcastRow | undefined {
    const r = prepared(this.db, `${BROADCAST_SELECT} WHERE b.id = ?`).get(id) as RawBroadcast | undefined;
    return r && this.toRow(r, []);
  }

  private withTargets(r: RawBroadcast): BroadcastRow {
    const targets = (prepared(this.db, 'SELECT * FROM broadcast_targets WHERE broadcast_id = ? ORDER BY cluster_id').all(r.id) as RawTarget[]).map(toTarget);
    return this.toRow(r, targets);
  }

  private toRow(r: RawBroadcast, targets: TargetRow[]): BroadcastRow {
    return {
      id: r.id,
      mediaId: r.media_id,
      mediaName: r.media_name,
      streamUrl: r.stream_url,
      durationMs: r.duration_ms,
      startAt: r.start_at,
      createdAt: r.created_at,
      createdBy: r.created_by,
      volume: r.volume,
      stoppedAt: r.stopped_at,
      kind: r.kind,
      priority: r.priority,
      programmeId: r.programme_id,
      programmeName: r.programme_name,
      plannedEnd: r.planned_end,
      targets,
    };
  }

  /** Ad-hoc broadcasts on a cluster that cover the instant and are still open there. */
  activeAdhoc(clusterId: string, at: number): { id: string; mediaId: string; startAt: number; plannedEnd: number; priority: string }[] {
    const statuses = OPEN_TARGET_STATUSES.map((s) => `'${s}'`).join(',');
    return (
      prepared(
        this.db,
        `SELECT b.id, b.media_id, b.start_at, b.planned_end, b.priority FROM broadcast_targets t JOIN broadcasts b ON b.id = t.broadcast_id
         WHERE t.cluster_id = ? AND b.kind = 'adhoc' AND b.stopped_at IS NULL AND t.status IN (${statuses}) AND b.start_at <= ? AND b.planned_end > ?`,
      ).all(clusterId, at, at) as { id: string; media_id: string; start_at: number; planned_end: number; priority: string }[]
    ).map((r) => ({ id: r.id, mediaId: r.media_id, startAt: r.start_at, plannedEnd: r.planned_end, priority: r.priority }));
  }

  /** Ad-hoc broadcasts (media or stream) still open on any of the clusters and not over at `at`:
   *  playing or waiting to start. A new one queues behind them, or replaces them (dispatcher). */
  adhocAhead(clusterIds: readonly string[], at: number): { id: string; startAt: number; plannedEnd: number; priority: string; stream: boolean }[] {
    const statuses = OPEN_TARGET_STATUSES.map((s) => `'${s}'`).join(',');
    const wanted = new Set(clusterIds);
    const rows = prepared(
      this.db,
      `SELECT b.id, b.start_at, b.planned_end, b.priority, b.media_id, t.cluster_id FROM broadcast_targets t JOIN broadcasts b ON b.id = t.broadcast_id
       WHERE b.kind = 'adhoc' AND b.stopped_at IS NULL AND t.status IN (${statuses}) AND b.planned_end > ?`,
    ).all(at) as { id: string; start_at: number; planned_end: number; priority: string; media_id: string | null; cluster_id: string }[];
    const byId = new Map<string, { id: string; startAt: number; plannedEnd: number; priority: string; stream: boolean }>();
    for (const r of rows) {
      if (wanted.has(r.cluster_id))
        byId.set(r.id, { id: r.id, startAt: r.start_at, plannedEnd: r.planned_end, priority: r.priority, stream: r.media_id === null });
    }
    return [...byId.values()].sort((a, b) => a.startAt - b.startAt);
  }

  /** Ad-hoc media broadcasts not stopped whose planned end is after `at` (the dispatcher's
   *  list of broadcasts a returning cluster may still join; read once at start). */
  unfinishedAdhoc(at: number): { id: string; plannedEnd: number }[] {
    return (
      prepared(this.db, "SELECT id, planned_end FROM broadcasts WHERE kind = 'adhoc' AND media_id IS NOT NULL AND stopped_at IS NULL AND planned_end > ?").all(
        at,
      ) as {
        id: string;
        planned_end: number;
      }[]
    ).map((r) => ({ id: r.id, plannedEnd: r.planned_end }));
  }

  /** When the open ad-hoc broadcasts end (the scheduler wakes then to take the clusters back). */
  adhocEnds(after: number): number[] {
    const statuses = OPEN_TARGET_STATUSES.map((s) => `'${s}'`).join(',');
    return (
      prepared(
        this.db,
        `SELECT DISTINCT b.planned_end AS e FROM broadcasts b JOIN broadcast_targets t ON t.broadcast_id = b.id
         WHERE b.kind = 'adhoc' AND b.stopped_at IS NULL AND t.status IN (${statuses}) AND b.planned_end > ?`,
      ).all(after) as { e: number }[]
    ).map((r) => r.e);
  }

  /** Broadcasts that went out to a cluster (a play was sent or it played from its own plan) and overlap
   *  [from, to): what held the cluster while a schedule item was not sent to it. */
  onAirBetween(clusterId: string, from: number, to: number): { priority: string; programmeId: string | null; mediaName: string }[] {
    return (
      prepared(
        this.db,
        `SELECT b.priority, b.programme_id, ${MEDIA_COLUMNS}
         FROM broadcast_targets t JOIN broadcasts b ON b.id = t.broadcast_id LEFT JOIN media m ON m.id = b.media_id
         WHERE t.cluster_id = ? AND (t.sent_at IS NOT NULL OR t.started_at IS NOT NULL) AND b.start_at < ? AND COALESCE(b.planned_end, b.start_at) > ?`,
      ).all(clusterId, to, from) as { priority: string; programme_id: string | null; media_name: string }[]
    ).map((r) => ({ priority: r.priority, programmeId: r.programme_id, mediaName: r.media_name }));
  }

  /** Broadcasts of this media still open on some cluster (on air, or still to start): what keeps
   *  media from being removed, and a replaced item's file on disk. */
  openOfMedia(mediaId: string): { id: string; kind: string; programmeName: string | null; startAt: number; plannedEnd: number | null }[] {
    const statuses = OPEN_TARGET_STATUSES.map((s) => `'${s}'`).join(',');
    const rows = prepared(
      this.db,
      `SELECT DISTINCT b.id, b.kind, b.programme_name, b.start_at, b.planned_end FROM broadcasts b JOIN broadcast_targets t ON t.broadcast_id = b.id
       WHERE b.media_id = ? AND t.status IN (${statuses}) ORDER BY b.start_at`,
    ).all(mediaId) as { id: string; kind: string; programme_name: string | null; start_at: number; planned_end: number | null }[];
    return rows.map((r) => ({ id: r.id, kind: r.kind, programmeName: r.programme_name, startAt: r.start_at, plannedEnd: r.planned_end }));
  }

  kindOf(broadcastId: string): string | undefined {
    return (prepared(this.db, 'SELECT kind FROM broadcasts WHERE id = ?').get(broadcastId) as { kind: string } | undefined)?.kind;
  }

  /** The length of a broadcast's media, without loading its targets (called once per ack). */
  durationMs(broadcastId: string): number | undefined {
    const r = prepared(
      this.db,
      'SELECT COALESCE(m.duration_ms, b.planned_end - b.start_at) AS d FROM broadcasts b LEFT JOIN media m ON m.id = b.media_id WHERE b.id = ?',
    ).get(broadcastId) as { d: number } | undefined;
    return r?.d;
  }

  /** Runs fn in one transaction (many target updates commit together). */
  inTransaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  target(broadcastId: string, clusterId: string): TargetRow | undefined {
    const r = prepared(this.db, 'SELECT * FROM broadcast_targets WHERE broadcast_id = ? AND cluster_id = ?').get(broadcastId, clusterId) as
      | RawTarget
      | undefined;
    return r && toTarget(r);
  }

  targetByCommand(cmdId: string): TargetRow | undefined {
    const r = prepared(this.db, 'SELECT * FROM broadcast_targets WHERE cmd_id = ?').get(cmdId) as RawTarget | undefined;
    return r && toTarget(r);
  }

  updateTarget(broadcastId: string, clusterId: string, patch: TargetPatch, at: number): void {
    const keys = Object.keys(patch) as (keyof TargetPatch)[];
    const signature = keys.join(',');
    // One prepared statement per set of columns: acks of a big fleet arrive by the thousand.
    let stmt = this.updateStatements.get(signature);
    if (!stmt) {
      const sets = keys.map((k) => `${TARGET_COLUMNS[k]} = ?`);
      sets.push('updated_at = ?');
      stmt = this.db.prepare(`UPDATE broadcast_targets SET ${sets.join(', ')} WHERE broadcast_id = ? AND cluster_id = ?`);
      this.updateStatements.set(signature, stmt);
    }
    stmt.run(...keys.map((k) => patch[k] ?? null), at, broadcastId, clusterId);
  }

  /** Open targets (not yet in a final state), optionally of some clusters only. */
  openTargets(clusterIds?: readonly string[]): TargetRow[] {
    const statuses = OPEN_TARGET_STATUSES.map((s) => `'${s}'`).join(',');
    const rows = prepared(this.db, `SELECT * FROM broadcast_targets WHERE status IN (${statuses})`).all() as RawTarget[];
    const all = rows.map(toTarget);
    return clusterIds ? all.filter((t) => clusterIds.includes(t.clusterId)) : all;
  }

  /** Open targets whose deadline has passed. */
  overdueTargets(now: number): TargetRow[] {
    const statuses = OPEN_TARGET_STATUSES.map((s) => `'${s}'`).join(',');
    return (
      prepared(this.db, `SELECT * FROM broadcast_targets WHERE deadline_at IS NOT NULL AND deadline_at < ? AND status IN (${statuses})`).all(now) as RawTarget[]
    ).map(toTarget);
  }

  markStopped(broadcastId: string, at: number): void {
    prepared(this.db, 'UPDATE broadcasts SET stopped_at = COALESCE(stopped_at, ?) WHERE id = ?').run(at, broadcastId);
  }

  /** Per-cluster outcomes of broadcasts planned in [from, to] (both inclusive), oldest first. */
  log(q: { from: number; to: number; clusterId?: string | undefined }): LogEntry[] {
    const params: (string | number)[] = [q.from, q.to];
    let where = 'b.start_at >= ? AND b.start_at <= ?';
    if (q.clusterId) {
      where += ' AND t.cluster_id = ?';
      params.push(q.clusterId);
    }
    const rows = prepared(
      this.db,
      `SELECT t.*, ${MEDIA_COLUMNS}, b.start_at, b.kind, b.priority, b.programme_id, b.programme_name, b.planned_end FROM broadcast_targets t
       JOIN broadcasts b ON b.id = t.broadcast_id LEFT JOIN media m ON m.id = b.media_id
       WHERE ${where} ORDER BY b.start_at, t.cluster_id`,
    ).all(...params) as (RawTarget & {
      media_id: string;
      media_name: string;
      stream_url: string | null;
      start_at: number;
      kind: string;
      priority: string;
      programme_id: string | null;
      programme_name: string | null;
      planned_end: number | null;
    })[];
    return rows.map((r) => ({
      broadcastId: r.broadcast_id,
      clusterId: r.cluster_id,
      mediaId: r.media_id,
      mediaName: r.media_name,
      streamUrl: r.stream_url,
      kind: r.kind,
      priority: r.priority,
      programmeId: r.programme_id,
      programmeName: r.programme_name,
      plannedStart: r.start_at,
      plannedEnd: r.planned_end,
      outcome: outcomeOf(toTarget(r), r.planned_end),
      status: r.status,
      reason: r.reason,
      detail: r.detail,
      acceptedAt: r.accepted_at,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      startErrorMs: r.start_error_ms,
      playedMs: r.played_ms > 0 ? r.played_ms : r.started_at !== null && r.finished_at !== null ? Math.max(0, r.finished_at - r.started_at) : null,
    }));
  }
}

// Which broadcasts a list asks for (GET /api/v1/broadcasts, `loa broadcast list`): by status at a
// moment, start time, cluster and kind; what is on air first, then what is to come (soonest
// first), then the rest newest first. The status is broadcastStatus()'s, said in SQL, so the
// filters and the limit apply in the database instead of after reading a year of schedule items.

export const LIST_STATUSES = ['scheduled', 'running', 'done', 'stopped'] as const;
export const LIST_KINDS = ['adhoc', 'schedule', 'emergency'] as const;

export interface BroadcastFilter {
  /** The moment the statuses are for (the hub's clock). */
  now: number;
  /** Default: running, done and stopped (what is on air and what happened, not what is to come). */
  statuses?: readonly (typeof LIST_STATUSES)[number][];
  /** Started at or after this time (ms). */
  since?: number;
  /** Only broadcasts that went (or go) to one of these clusters. */
  clusterIds?: readonly string[];
  kinds?: readonly (typeof LIST_KINDS)[number][];
  /** Default 50. */
  limit?: number;
}

export const DEFAULT_LIST_STATUSES: BroadcastFilter['statuses'] = ['running', 'done', 'stopped'];

/** The WHERE and ORDER BY to put after a SELECT of `broadcasts b`, with its named parameters. */
export function listClauses(f: BroadcastFilter, openStatuses: readonly string[]): { sql: string; params: Record<string, string | number | null> } {
  const open = openStatuses.map((s) => `'${s}'`).join(',');
  const status = `(CASE WHEN b.stopped_at IS NOT NULL THEN 'stopped'
    WHEN EXISTS (SELECT 1 FROM broadcast_targets o WHERE o.broadcast_id = b.id AND o.status IN (${open}))
      THEN CASE WHEN b.start_at > @now THEN 'scheduled' ELSE 'running' END
    ELSE 'done' END)`;
  const sql = `WHERE EXISTS (SELECT 1 FROM broadcast_targets t WHERE t.broadcast_id = b.id)
    AND ${status} IN (SELECT value FROM json_each(@statuses))
    AND b.start_at >= @since
    AND b.kind IN (SELECT value FROM json_each(@kinds))
    AND (@clusters IS NULL OR EXISTS (SELECT 1 FROM broadcast_targets c
      WHERE c.broadcast_id = b.id AND c.cluster_id IN (SELECT value FROM json_each(@clusters))))
    ORDER BY CASE ${status} WHEN 'running' THEN 0 WHEN 'scheduled' THEN 1 ELSE 2 END,
      CASE WHEN ${status} = 'scheduled' THEN b.start_at END ASC, b.start_at DESC, b.created_at DESC
    LIMIT @limit`;
  return {
    sql,
    params: {
      now: f.now,
      statuses: JSON.stringify(f.statuses ?? DEFAULT_LIST_STATUSES),
      since: f.since ?? 0,
      kinds: JSON.stringify(f.kinds ?? LIST_KINDS),
      clusters: f.clusterIds ? JSON.stringify(f.clusterIds) : null,
      limit: f.limit ?? 50,
    },
  };
}

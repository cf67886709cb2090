// Health samples from the boxes. They arrive often (every cluster every 30 s), so they are
// queued and written in one transaction per batch; the latest per cluster is kept in memory.
// What is stored is bounded (issue 14, item 10): one sample per box per minIntervalSec at most,
// thinned after detailDays, deleted after retentionDays, by an hourly pass (health-settings.ts).
import type { Health } from '../../protocol/index.js';
import type { Clock, TimerHandle } from '../../common/clock.js';
import { prepared, type Db } from './db.js';
import { defaultHealthSettings, type HealthSettings } from './health-settings.js';

const DAY_MS = 24 * 3600 * 1000;
/** How often old samples are thinned and deleted. */
export const HEALTH_PRUNE_EVERY_MS = 3600 * 1000;

export interface HealthSample extends Health {
  clusterId: string;
  receivedAt: number;
}

export class HealthStore {
  private queue: HealthSample[] = [];
  private readonly latestByCluster = new Map<string, HealthSample>();
  private timer: TimerHandle | null = null;
  private pruneTimer: TimerHandle | null = null;
  /** When each box's last stored sample was received (hub clock): the rate limit. */
  private readonly lastStoredAt = new Map<string, number>();
  /** Start of the span not yet thinned; old rows before it are already one per period. */
  private thinnedUntil: number | null = null;
  /** Samples received but not stored because their box had one stored too recently. */
  skipped = 0;
  private readonly insert;

  private readonly settings: HealthSettings;
  private readonly opts: { flushEveryMs: number; maxBatch: number };

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    opts: { flushEveryMs?: number; maxBatch?: number; settings?: HealthSettings } = {},
  ) {
    this.settings = opts.settings ?? defaultHealthSettings();
    this.opts = { flushEveryMs: opts.flushEveryMs ?? 1000, maxBatch: opts.maxBatch ?? 500 };
    this.insert = db.prepare(
      `INSERT INTO health_samples (cluster_id, at, received_at, cpu_temp_c, load1, mem_free_mb, disk_free_mb, uptime_s, player, last_error, body)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  add(sample: HealthSample): void {
    this.latestByCluster.set(sample.clusterId, sample);
    // The time is the hub's (receivedAt), never the box's own `at`, which it could forge.
    const last = this.lastStoredAt.get(sample.clusterId);
    if (last !== undefined && sample.receivedAt - last < this.settings.minIntervalSec * 1000 && sample.receivedAt >= last) {
      this.skipped++;
      return;
    }
    this.lastStoredAt.set(sample.clusterId, sample.receivedAt);
    this.pruneTimer ??= this.clock.setTimeout(() => this.prunePass(), HEALTH_PRUNE_EVERY_MS);
    this.queue.push(sample);
    if (this.queue.length >= this.opts.maxBatch) this.flush();
    else if (!this.timer) this.timer = this.clock.setTimeout(() => this.flush(), this.opts.flushEveryMs);
  }

  /** Writes every queued sample in one transaction. */
  flush(): number {
    this.timer?.cancel();
    this.timer = null;
    const batch = this.queue;
    if (batch.length === 0) return 0;
    this.queue = [];
    const tx = this.db.transaction((rows: HealthSample[]) => {
      for (const s of rows) {
        const { clusterId, receivedAt, ...body } = s;
        this.insert.run(clusterId, s.at, receivedAt, s.cpuTempC, s.load1, s.memFreeMb, s.diskFreeMb, s.uptimeS, s.player, s.lastError, JSON.stringify(body));
      }
    });
    tx(batch);
    return batch.length;
  }

  latest(clusterId: string): HealthSample | undefined {
    const cached = this.latestByCluster.get(clusterId);
    if (cached) return cached;
    const r = prepared(this.db, 'SELECT cluster_id, received_at, body FROM health_samples WHERE cluster_id = ? ORDER BY received_at DESC, id DESC LIMIT 1').get(
      clusterId,
    ) as { cluster_id: string; received_at: number; body: string } | undefined;
    if (!r) return undefined;
    const sample = { ...(JSON.parse(r.body) as Health), clusterId: r.cluster_id, receivedAt: r.received_at };
    this.latestByCluster.set(clusterId, sample);
    return sample;
  }

  count(clusterId?: string): number {
    const r = clusterId
      ? (prepared(this.db, 'SELECT COUNT(*) AS n FROM health_samples WHERE cluster_id = ?').get(clusterId) as { n: number })
      : (prepared(this.db, 'SELECT COUNT(*) AS n FROM health_samples').get() as { n: number });
    return r.n;
  }

  forget(clusterId: string): void {
    this.latestByCluster.delete(clusterId);
    this.lastStoredAt.delete(clusterId);
  }

  private prunePass(): void {
    this.pruneTimer = null;
    this.prune();
    this.pruneTimer = this.clock.setTimeout(() => this.prunePass(), HEALTH_PRUNE_EVERY_MS);
  }

  /**
   * Deletes samples older than retentionDays and thins those older than detailDays to the first
   * of each box in each period. Periods are aligned to the epoch, so a period thinned once stays
   * one row; each pass thins only what has aged since the last one. Per cluster, so each query
   * uses the (cluster_id, received_at) index.
   */
  prune(now = this.clock.now()): { deleted: number; thinned: number } {
    this.flush();
    const { detailDays, retentionDays, downsampleMinutes } = this.settings;
    const periodMs = downsampleMinutes * 60_000;
    const dropBefore = now - retentionDays * DAY_MS;
    const thinTo = Math.floor((now - detailDays * DAY_MS) / periodMs) * periodMs;
    const thinFrom = Math.floor(Math.max(this.thinnedUntil ?? dropBefore, dropBefore) / periodMs) * periodMs;
    const clusters = (prepared(this.db, 'SELECT DISTINCT cluster_id FROM health_samples').all() as { cluster_id: string }[]).map((r) => r.cluster_id);
    const drop = prepared(this.db, 'DELETE FROM health_samples WHERE cluster_id = ? AND received_at < ?');
    const thin = prepared(
      this.db,
      `DELETE FROM health_samples WHERE cluster_id = ? AND received_at >= ? AND received_at < ? AND id NOT IN (
         SELECT MIN(id) FROM health_samples WHERE cluster_id = ? AND received_at >= ? AND received_at < ? GROUP BY received_at / CAST(? AS INTEGER))`,
    );
    let deleted = 0;
    let thinned = 0;
    this.db.transaction(() => {
      for (const id of clusters) {
        deleted += drop.run(id, dropBefore).changes;
        if (thinTo > thinFrom) thinned += thin.run(id, thinFrom, thinTo, id, thinFrom, thinTo, periodMs).changes;
      }
    })();
    this.thinnedUntil = Math.max(this.thinnedUntil ?? thinTo, thinTo);
    return { deleted, thinned };
  }

  /** Stops the hourly pass (the store is closing). */
  stop(): void {
    this.pruneTimer?.cancel();
    this.pruneTimer = null;
  }
}

// Health samples from the boxes. They arrive often (every cluster every 30 s), so they are
// queued and written in one transaction per batch; the latest per cluster is kept in memory.
import type { Health } from '../../protocol/index.js';
import type { Clock, TimerHandle } from '../../common/clock.js';
import { prepared, type Db } from './db.js';

export interface HealthSample extends Health {
  clusterId: string;
  receivedAt: number;
}

export class HealthStore {
  private queue: HealthSample[] = [];
  private readonly latestByCluster = new Map<string, HealthSample>();
  private timer: TimerHandle | null = null;
  private readonly insert;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly opts: { flushEveryMs: number; maxBatch: number } = { flushEveryMs: 1000, maxBatch: 500 },
  ) {
    this.insert = db.prepare(
      `INSERT INTO health_samples (cluster_id, at, received_at, cpu_temp_c, load1, mem_free_mb, disk_free_mb, uptime_s, player, last_error, body)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  add(sample: HealthSample): void {
    this.latestByCluster.set(sample.clusterId, sample);
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
    const r = prepared(this.db, 'SELECT cluster_id, received_at, body FROM health_samples WHERE cluster_id = ? ORDER BY received_at DESC, id DESC LIMIT 1')
      .get(clusterId) as { cluster_id: string; received_at: number; body: string } | undefined;
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
  }
}

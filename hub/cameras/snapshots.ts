// The snapshot proxy: fetches a camera's picture over HTTP Digest with its stored credentials and
// keeps it for snapshotCacheMs. Requests for the same camera while a fetch is under way share it, so
// twenty viewers cost the camera one request. Replies are checked: 200, image/jpeg, under 5 MB.
// The last good picture of each camera is kept, so a camera that went dark can still be shown as it
// was (the monitor greys it), on request only: `loa cameras snapshot` wants a fresh one or an error.
import { Agent } from 'node:http';
import type { Clock } from '../../common/clock.js';
import { LoaError, errorMessage } from '../../common/errors.js';
import { cameraErrors } from './errors.js';
import type { Logger } from '../../common/logger.js';
import type { Store } from '../store/index.js';
import { reasonText } from './views.js';
import { DigestClient } from './http-digest.js';
import { clip } from './onvif-client.js';
import { SNAPSHOT_MAX_BYTES } from './replies.js';
import type { Snapshot } from './types.js';

export interface SnapshotDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  timeoutMs: number;
  cacheMs: number;
}

const { unavailable, timedOut } = cameraErrors;

export class SnapshotProxy {
  private readonly cache = new Map<string, { jpeg: Buffer; takenAt: number }>();
  private readonly inflight = new Map<string, Promise<Snapshot>>();
  private readonly aborts = new Set<AbortController>();
  // Its own connection pool (kept alive: the poll and the viewers come back every few seconds),
  // so stop() can cut fetches under way.
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 4, maxFreeSockets: 1 });
  private readonly http = new DigestClient();

  constructor(private readonly deps: SnapshotDeps) {}

  async stop(): Promise<void> {
    this.cache.clear();
    for (const a of this.aborts) a.abort();
    this.agent.destroy();
  }

  /** Forgets a camera's picture (removed, or its address changed). */
  forget(id: string): void {
    this.cache.delete(id);
  }

  /** A fresh picture; with `last`, the last one the hub got (stale) when the camera cannot give one. */
  async get(id: string, opts: { fallback?: 'last' } = {}): Promise<Snapshot> {
    try {
      return await this.fresh(id);
    } catch (e) {
      const last = opts.fallback === 'last' && e instanceof LoaError && e.code !== 'LOA_CAMERA_NOT_FOUND' ? this.cache.get(id) : undefined;
      if (!last) throw e;
      return { jpeg: last.jpeg, takenAt: last.takenAt, cached: true, stale: true };
    }
  }

  private fresh(id: string): Promise<Snapshot> {
    const row = this.deps.store.cameras.get(id);
    if (!row) return Promise.reject(cameraErrors.notFound(id));
    const hit = this.cache.get(id);
    if (hit && this.deps.clock.now() - hit.takenAt < this.deps.cacheMs)
      return Promise.resolve({ jpeg: hit.jpeg, takenAt: hit.takenAt, cached: true, stale: false });
    const running = this.inflight.get(id);
    if (running) return running.then((s) => ({ ...s, cached: true }));
    const f = row.findings;
    if (f.status === 'offline') return Promise.reject(unavailable(id, `offline: ${reasonText(f.reasons) ?? 'no answer'}`));
    if (f.status === 'unauthorised') return Promise.reject(unavailable(id, `unauthorised: ${reasonText(f.reasons) ?? 'credentials refused'}`));
    if (!f.snapshotUri) return Promise.reject(unavailable(id, f.status === 'unknown' ? 'not checked yet' : 'no snapshot address'));
    const p = this.fetch(id, f.snapshotUri).finally(() => this.inflight.delete(id));
    this.inflight.set(id, p);
    return p;
  }

  private async fetch(id: string, uri: string): Promise<Snapshot> {
    const { store, clock, timeoutMs, logger } = this.deps;
    let conn: ReturnType<typeof store.cameras.connection>;
    try {
      conn = store.cameras.connection(id);
    } catch (e) {
      throw unavailable(id, clip(errorMessage(e)));
    }
    if (!conn) throw cameraErrors.notFound(id);
    const abort = new AbortController();
    this.aborts.add(abort);
    const timer = clock.setTimeout(() => abort.abort(), timeoutMs);
    try {
      const res = await this.http.get(uri, {
        user: conn.user,
        password: conn.password,
        timeoutMs,
        maxBytes: SNAPSHOT_MAX_BYTES,
        signal: abort.signal,
        agent: this.agent,
        headers: { accept: 'image/jpeg' },
      });
      if (res.status !== 200) throw unavailable(id, res.status === 401 ? 'HTTP 401: credentials refused' : `HTTP ${res.status}`);
      const type = String(res.headers['content-type'] ?? '')
        .split(';')[0]!
        .trim()
        .toLowerCase();
      if (type !== 'image/jpeg') throw unavailable(id, `not a JPEG (${clip(type || 'no content type', 60)})`);
      const jpeg = res.body;
      if (!jpeg) throw unavailable(id, `picture over ${SNAPSHOT_MAX_BYTES} bytes`);
      if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw unavailable(id, 'not a JPEG (bad header)');
      const takenAt = clock.now();
      this.cache.set(id, { jpeg, takenAt });
      return { jpeg, takenAt, cached: false, stale: false };
    } catch (e) {
      if (e instanceof LoaError) throw e;
      if (abort.signal.aborted || /timeout/i.test((e as Error).name ?? '') || /timeout/i.test(errorMessage(e))) throw timedOut(id, timeoutMs);
      const code = (e as NodeJS.ErrnoException).code;
      logger.debug({ cameraId: id, err: errorMessage(e) }, 'snapshot fetch failed');
      throw unavailable(id, code ?? clip(errorMessage(e), 80));
    } finally {
      timer.cancel();
      this.aborts.delete(abort);
    }
  }
}

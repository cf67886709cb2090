// The box's media cache, <dataDir>/media/<sha256>: files fetched from the hub (resumed after a cut,
// SHA-256 checked), checked again before a play against bit rot, kept under a size cap by evicting
// the least recently used, never evicting what the current plan still needs (setPinned). Fetching
// a plan's media ahead of time is prefetch(); state() is the health report's `cache` part.
import { mkdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../common/clock.js';
import { systemClock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { Health, MediaRef } from '../../protocol/index.js';
import { downloadMedia } from './download.js';
import { CacheFullError, MediaError } from './errors.js';
import { prefetchMedia, type PrefetchResult } from './prefetch.js';
import { CacheStore } from './store.js';

export { CacheFullError, MediaError, type MediaFailure } from './errors.js';
export type { PrefetchResult } from './prefetch.js';

export type CacheState = NonNullable<Health['cache']>;

export const DEFAULT_CACHE_MAX_BYTES = 2 * 1024 ** 3;
/** Files up to this size are hashed before every play (bit rot changes no size or mtime); bigger
 *  ones only when their size, mtime or inode changed since their last check in this run. 64 MiB
 *  is over four hours of 32 kbit/s Opus, so in practice every item is checked. */
export const VERIFY_ALWAYS_BELOW_BYTES = 64 * 1024 ** 2;

export interface MediaCacheOptions {
  dataDir: string;
  hubHttpUrl: string;
  clusterId: string;
  secret: string;
  /** The hub's CA certificate (PEM): the only CA trusted for https:// media (hub.caFile). */
  ca?: Buffer | undefined;
  logger: Logger;
  /** The cap (config `cache.maxBytes`). */
  maxBytes?: number;
  clock?: Clock;
  /** Uniform in [0, 1), for retry jitter. */
  random?: () => number;
  /** Download retry backoff bounds (clock ms). */
  retry?: { minMs: number; maxMs: number };
  /** A download with no byte for this long is cut and resumed (clock ms). */
  stallMs?: number;
  verifyAlwaysBelowBytes?: number;
}

interface Job {
  promise: Promise<string>;
  /** The latest deadline of those waiting; the download retries until then. */
  deadline: number;
  /** A play may go over the cap; a prefetch may not. */
  overCap: boolean;
  /** Bytes still to come while downloading, counted against the cap before they land. */
  committed: number;
}

/** Slowest link we still wait for (bytes/s) when choosing a download's default time budget. */
const SLOWEST_BYTES_PER_S = 8_000;
/** A file a play asked for stays out of eviction this long after the item's end or deadline. */
const HOLD_MARGIN_MS = 60_000;

export class MediaCache {
  readonly dir: string;
  private readonly store: CacheStore;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly cap: number;
  private readonly hubOrigin: string;
  private readonly auth: string;
  private readonly jobs = new Map<string, Job>();
  /** Media id → announced bytes, when known, of what the plan still needs. */
  private pinned = new Map<string, number | undefined>();
  /** Sizes learnt from media refs, so that pins given as bare ids can be counted. */
  private readonly known = new Map<string, number>();
  /** Media a play is waiting for or playing: not evicted until then (clock ms). */
  private readonly held = new Map<string, number>();
  private prefetchGen = 0;
  private prefetching: Promise<unknown> = Promise.resolve();
  private readonly closing = new AbortController();
  /** Evictions one at a time, so two downloads do not both count the same free space. */
  private roomLock: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: MediaCacheOptions) {
    this.dir = join(opts.dataDir, 'media');
    mkdirSync(this.dir, { recursive: true });
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger;
    this.cap = opts.maxBytes ?? DEFAULT_CACHE_MAX_BYTES;
    this.hubOrigin = new URL(opts.hubHttpUrl).origin;
    this.auth = `Basic ${Buffer.from(`${opts.clusterId}:${opts.secret}`).toString('base64')}`;
    this.store = new CacheStore(this.dir, this.log);
    this.store.scan();
    const s = this.state();
    this.log.info({ files: s.files, usedBytes: s.usedBytes, capacityBytes: s.capacityBytes, parts: this.store.parts.size }, 'media cache opened');
  }

  pathFor(mediaId: string): string {
    return this.store.pathOf(mediaId);
  }

  /**
   * The local path of the media for a play: checked (SHA-256) when cached, fetched when not.
   * `signal` stops waiting (the download goes on and fills the cache: another play may want it);
   * `deadline` (ms of this cache's clock, e.g. the item's end) is when to give up with
   * media-fetch-failed. A play
   * is never refused for the cap: its file may go over it until the plan lets the cap be restored.
   */
  async ensure(media: MediaRef, signal?: AbortSignal, deadline?: number): Promise<string> {
    const now = this.clock.now();
    const until = deadline ?? now + defaultBudgetMs(media.bytes);
    this.known.set(media.id, media.bytes);
    for (const [id, t] of this.held) if (t <= now) this.held.delete(id);
    this.held.set(media.id, Math.max(until, now + media.durationMs) + HOLD_MARGIN_MS);
    const get = async () => {
      try {
        return await this.obtain(media, until, true);
      } catch (e) {
        // It joined a prefetch that did not fit; a play goes ahead anyway.
        if (e instanceof CacheFullError) return this.obtain(media, until, true);
        throw e;
      }
    };
    // A download shared with a later play may run past this play's own deadline; one that ends
    // then fails by itself, with its own reason.
    const late = new AbortController();
    const timer = this.clock.setTimeout(() => {
      if ((this.jobs.get(media.id)?.deadline ?? 0) > until)
        late.abort(new MediaError('media-fetch-failed', `${media.url} was not in by the play's deadline; its download goes on`));
    }, until - now);
    const path = abortable(get(), late.signal).finally(() => timer.cancel());
    return signal ? abortable(path, signal) : path;
  }

  /**
   * Fetches what a plan needs ahead of time, one file at a time, soonest first, skipping what is
   * cached (see cache-prefetch.ts); a newer call supersedes this one after its current file.
   */
  prefetch(refs: readonly MediaRef[]): Promise<PrefetchResult> {
    const gen = ++this.prefetchGen;
    for (const r of refs) this.known.set(r.id, r.bytes);
    // The superseded run stops after its current file; this one starts then, never beside it.
    const run = this.prefetching.then(() =>
      prefetchMedia(refs, {
        logger: this.log,
        cached: (ref) => this.store.files.get(ref.id)?.size === ref.bytes,
        fetch: (ref) => this.obtain(ref, this.clock.now() + defaultBudgetMs(ref.bytes), false),
        superseded: () => gen !== this.prefetchGen || this.closing.signal.aborted,
        planMissingBytes: () => this.state().planMissingBytes,
      }),
    );
    this.prefetching = run.catch(() => undefined);
    return run;
  }

  /** The media the current plan still needs: never evicted. Give MediaRefs (or prefetch them)
   *  so that the size of what is missing is known for planMissingBytes. */
  setPinned(media: Iterable<string | MediaRef>): void {
    const pinned = new Map<string, number | undefined>();
    for (const m of media) {
      if (typeof m === 'string') pinned.set(m, this.known.get(m));
      else {
        this.known.set(m.id, m.bytes);
        pinned.set(m.id, m.bytes);
      }
    }
    this.pinned = pinned;
    const pinnedBytes = [...pinned.values()].reduce<number>((sum, b) => sum + (b ?? 0), 0);
    if (pinnedBytes > this.cap) {
      this.log.warn({ pinnedBytes, capacityBytes: this.cap }, 'the plan needs more media than the cache may hold; raise cache.maxBytes');
    }
    // The plan may have let go of files that held the cache over its cap.
    void this.trim();
  }

  /** The `cache` part of the health report. */
  state(): CacheState {
    let planMissingBytes = 0;
    for (const [id, bytes] of this.pinned) {
      if (this.store.files.has(id)) continue;
      planMissingBytes += Math.max(0, (bytes ?? 0) - (this.store.parts.get(id)?.size ?? 0));
    }
    return { usedBytes: this.store.usedBytes(), capacityBytes: this.cap, files: this.store.files.size, planMissingBytes };
  }

  /** Sum of the announced sizes of the pinned media against the cap: the plan cannot fit when
   *  this is positive, whatever is fetched (for an alarm that should not wait for downloads). */
  get planOverCapBytes(): number {
    const pinnedBytes = [...this.pinned.values()].reduce<number>((sum, b) => sum + (b ?? 0), 0);
    return Math.max(0, pinnedBytes - this.cap);
  }

  /** Cuts downloads under way (their parts stay for next time). */
  close(): void {
    this.closing.abort();
  }

  /** One job per media at a time: a play and a prefetch of the same file share a download. */
  private obtain(media: MediaRef, deadline: number, overCap: boolean): Promise<string> {
    const running = this.jobs.get(media.id);
    if (running) {
      running.deadline = Math.max(running.deadline, deadline);
      running.overCap ||= overCap;
      return running.promise;
    }
    const job: Job = { promise: Promise.resolve(''), deadline, overCap, committed: 0 };
    job.promise = this.fetchOrCheck(media, job).finally(() => this.jobs.delete(media.id));
    this.jobs.set(media.id, job);
    return job.promise;
  }

  private async fetchOrCheck(media: MediaRef, job: Job): Promise<string> {
    const path = this.pathFor(media.id);
    const cached = this.store.files.get(media.id);
    if (cached && (await this.store.intact(media, this.opts.verifyAlwaysBelowBytes ?? VERIFY_ALWAYS_BELOW_BYTES))) {
      await this.store.touch(media.id, this.clock.now());
      return path;
    }
    await this.makeRoom(media, job);
    const url = new URL(media.url, this.opts.hubHttpUrl);
    const log = this.log.child({ mediaId: media.id });
    log.info({ url: url.href, bytes: media.bytes, have: this.store.parts.get(media.id)?.size ?? 0 }, 'fetching media');
    const started = this.clock.now();
    try {
      await downloadMedia({
        media,
        url,
        // The cluster's credentials go to the hub only, never to a host named in a command.
        headers: url.origin === this.hubOrigin ? { authorization: this.auth } : {},
        ca: this.opts.ca,
        part: this.store.partOf(media.id),
        dest: path,
        clock: this.clock,
        logger: log,
        deadline: () => job.deadline,
        random: this.opts.random ?? Math.random,
        retry: this.opts.retry ?? { minMs: 1000, maxMs: 30_000 },
        stallMs: this.opts.stallMs ?? 30_000,
        signal: this.closing.signal,
        onPartSize: (size) => {
          this.store.setPart(media.id, size, this.clock.now());
          job.committed = media.bytes - size;
        },
      });
    } finally {
      job.committed = 0;
      // Whatever happened, the books hold what the part now holds (a failed write included).
      const part = await stat(this.store.partOf(media.id)).catch(() => null);
      this.store.setPart(media.id, part?.size ?? 0, this.clock.now());
    }
    const st = await stat(path);
    const now = this.clock.now();
    this.store.files.set(media.id, { size: st.size, lastUse: now, mtimeMs: st.mtimeMs, verified: { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino } });
    log.info({ bytes: st.size, ms: now - started }, 'media cached');
    if (this.state().usedBytes > this.cap) void this.trim();
    return path;
  }

  /** Evicts (LRU, never pinned or held media) until this download fits under the cap. */
  private async makeRoom(media: MediaRef, job: Job): Promise<void> {
    const need = media.bytes - (this.store.parts.get(media.id)?.size ?? 0);
    const missing = await this.serial(async () => {
      const short = await this.store.evict({
        needBytes: need,
        capBytes: this.cap,
        committedBytes: this.committed(),
        keep: (id) => id === media.id || this.protected(id),
      });
      // Claimed before the next download counts the free space.
      if (short <= 0 || job.overCap) job.committed = need;
      return short;
    });
    if (missing <= 0) return;
    if (!job.overCap) {
      throw new CacheFullError(`${media.bytes} bytes do not fit in the cache beside the plan's other media (${missing} bytes over cache.maxBytes ${this.cap})`);
    }
    this.log.warn(
      { mediaId: media.id, overBytes: missing, capacityBytes: this.cap },
      'going over the cache cap for a play; the plan and the plays hold everything else',
    );
  }

  /** Back under the cap when pins and holds allow. */
  private trim(): Promise<number> {
    return this.serial(() => this.store.evict({ needBytes: 0, capBytes: this.cap, committedBytes: this.committed(), keep: (id) => this.protected(id) })).catch(
      (e: unknown) => {
        this.log.warn({ err: String(e) }, 'trimming the media cache failed');
        return 0;
      },
    );
  }

  private protected(id: string): boolean {
    return this.pinned.has(id) || this.jobs.has(id) || (this.held.get(id) ?? 0) > this.clock.now();
  }

  private committed(): number {
    let sum = 0;
    for (const j of this.jobs.values()) sum += j.committed;
    return sum;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.roomLock.then(fn, fn);
    this.roomLock = run.catch(() => undefined);
    return run;
  }
}

function defaultBudgetMs(bytes: number): number {
  return Math.ceil(120_000 + (bytes / SLOWEST_BYTES_PER_S) * 1000);
}

function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

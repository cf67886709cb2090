// Keeps the media cache in step with the plan: pins what items not yet over still need (never
// evicted), prefetches it soonest first, and tries again a few times, further apart each time,
// while some of it is missing (a cut 4G link, a hub restarting). After reconnecting, it tries at
// once. The retries are bounded: a file that cannot come waits for the next plan or reconnect.
import type { Clock, TimerHandle } from '../../common/clock.js';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { MediaRef, Plan } from '../../protocol/index.js';
import type { CacheState, PrefetchResult } from '../cache/media-cache.js';
import { itemsAhead } from './plan-store.js';

/** The parts of MediaCache this needs. */
export interface PlanCache {
  setPinned(media: Iterable<string | MediaRef>): void;
  prefetch(refs: readonly MediaRef[]): Promise<PrefetchResult>;
  state(): CacheState;
  readonly planOverCapBytes: number;
}

export interface PlanMediaOptions {
  cache: PlanCache;
  /** Hub time: plan items are in hub time. */
  clock: Clock;
  logger: Logger;
  plan: () => Plan | null;
  /** Waits before the retries while media is missing; their count bounds the retries. */
  retryDelaysMs?: readonly number[];
}

export const DEFAULT_RETRY_DELAYS_MS = [15_000, 60_000, 180_000, 600_000, 1_800_000] as const;

export class PlanMedia {
  private timer: TimerHandle | null = null;
  /** Bumped by every new round, so an older round's end schedules nothing. */
  private generation = 0;
  private retries = 0;
  private stopped = false;

  constructor(private readonly opts: PlanMediaOptions) {}

  /** A new plan (or the one loaded at start): pin and fetch its media, retries counted afresh. */
  planChanged(): void {
    this.retries = 0;
    void this.round('plan');
  }

  /** Back in touch with the hub: fetch what is still missing now, retries counted afresh. */
  reconnected(): void {
    this.retries = 0;
    if (this.opts.cache.state().planMissingBytes > 0) void this.round('reconnected');
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    this.timer?.cancel();
    this.timer = null;
  }

  /** One pin + prefetch round; returns when its prefetch is through (tests wait for it). */
  async round(why: string): Promise<PrefetchResult | null> {
    if (this.stopped) return null;
    const gen = ++this.generation;
    this.timer?.cancel();
    this.timer = null;
    const { cache, clock, logger } = this.opts;
    const ahead = itemsAhead(this.opts.plan(), clock.now());
    const refs = ahead.map((i) => i.media);
    // Items over by now let go of their media: LRU may evict it.
    cache.setPinned(refs);
    if (refs.length === 0) return null;
    let result: PrefetchResult | null = null;
    try {
      result = await cache.prefetch(refs);
    } catch (e) {
      logger.warn({ err: errorMessage(e), why }, "prefetching the plan's media failed");
    }
    if (gen !== this.generation || this.stopped || result?.superseded) return result;
    const missing = cache.state().planMissingBytes;
    // A plan bigger than the cap cannot fit however often it is tried (a warning says so already).
    if (missing <= 0 || cache.planOverCapBytes > 0) return result;
    const delays = this.opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    const delay = delays[this.retries];
    if (delay === undefined) {
      logger.warn(
        { planMissingBytes: missing, tries: this.retries + 1 },
        "the plan's media is still not all cached; trying again after the next plan or reconnect",
      );
      return result;
    }
    this.retries += 1;
    logger.info({ planMissingBytes: missing, retryInMs: delay, retry: this.retries }, "some of the plan's media is missing; trying again later");
    this.timer = clock.setTimeout(() => void this.round('retry'), delay);
    return result;
  }
}

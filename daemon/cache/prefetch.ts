// Fetching a plan's media ahead of time: one file at a time (several downloads over one 4G link
// finish none of them sooner), soonest first, skipping what is cached, with progress in the log.
import type { Logger } from '../../common/logger.js';
import type { MediaRef } from '../../protocol/index.js';

export interface PrefetchResult {
  fetched: number;
  /** Already in the cache (present at the announced size; their hash is checked before playing). */
  cached: number;
  failed: { mediaId: string; reason: string }[];
  /** A newer prefetch (a newer plan) took over before this one was through. */
  superseded: boolean;
}

export interface PrefetchDeps {
  logger: Logger;
  /** In the cache at its announced size (no hashing here: a plan's worth would be slow). */
  cached: (ref: MediaRef) => boolean;
  /** Fetches one file into the cache (or finds it there), within the cap. */
  fetch: (ref: MediaRef) => Promise<unknown>;
  /** True once a newer prefetch (or closing the cache) replaces this one. */
  superseded: () => boolean;
  planMissingBytes: () => number;
}

export async function prefetchMedia(refs: readonly MediaRef[], d: PrefetchDeps): Promise<PrefetchResult> {
  const log = d.logger;
  const unique = [...new Map(refs.map((r) => [r.id, r])).values()];
  const todo = unique.filter((r) => !d.cached(r));
  const result: PrefetchResult = { fetched: 0, cached: unique.length - todo.length, failed: [], superseded: false };
  let remaining = todo.reduce((sum, r) => sum + r.bytes, 0);
  log.info({ items: unique.length, cached: result.cached, toFetch: todo.length, bytes: remaining }, "prefetching the plan's media");
  for (const [i, ref] of todo.entries()) {
    if (d.superseded()) {
      result.superseded = true;
      log.info({ done: i, of: todo.length }, 'prefetch superseded by a newer one');
      return result;
    }
    if (d.cached(ref)) {
      // A play fetched it meanwhile.
      result.cached += 1;
    } else {
      log.info({ mediaId: ref.id, n: i + 1, of: todo.length, bytes: ref.bytes, remainingBytes: remaining }, 'prefetch: fetching');
      try {
        await d.fetch(ref);
        result.fetched += 1;
      } catch (e) {
        const reason = e instanceof Error ? e.message : String(e);
        result.failed.push({ mediaId: ref.id, reason });
        log.warn({ mediaId: ref.id, err: reason }, 'prefetch: could not fetch');
      }
    }
    remaining -= ref.bytes;
  }
  log.info({ fetched: result.fetched, cached: result.cached, failed: result.failed.length, planMissingBytes: d.planMissingBytes() }, 'prefetch done');
  return result;
}

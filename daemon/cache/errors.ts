// Why the media cache could not deliver a file: the two play failures the protocol names
// (media-fetch-failed, media-corrupt) and the cache's own "does not fit beside the plan".
import type { AckReason } from '../../protocol/index.js';

export type MediaFailure = Extract<AckReason, 'media-fetch-failed' | 'media-corrupt'>;

export class MediaError extends Error {
  constructor(
    readonly reason: MediaFailure,
    message: string,
  ) {
    super(message);
    this.name = 'MediaError';
  }
}

/** A prefetch that would have to evict media the plan still needs (or held for a play) to fit.
 *  Plays are never refused for this: only ahead-of-time fetching respects the cap strictly. */
export class CacheFullError extends MediaError {
  constructor(message: string) {
    super('media-fetch-failed', message);
    this.name = 'CacheFullError';
  }
}

/** A network error or an HTTP status worth trying again (5xx, 408, 429, a cut or stalled body). */
export class RetryableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetryableError';
  }
}

/** The message of an error with its cause (undici's "fetch failed" hides the reason there). */
export function causeOf(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = (e as { cause?: unknown }).cause;
  return cause instanceof Error ? `${e.message} (${cause.message})` : e.message;
}

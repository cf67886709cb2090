// The errors about a broadcast as a whole (which one, and when it plays), raised by ad-hoc plays,
// live streams and the HTTP API, defined once with their stable code and HTTP status. Each is a
// sentence of common/i18n/errors.ts, so the CLI says it in the reader's language.
import { type LoaError, sentenceError } from '../../common/errors.js';

export const BROADCAST_ERROR_CODES = {
  LOA_BROADCAST_NOT_FOUND: 404,
  LOA_START_IN_PAST: 400,
} as const;

const iso = (ms: number): string => new Date(ms).toISOString();

export const broadcastErrors = {
  notFound: (id: string): LoaError =>
    sentenceError('LOA_BROADCAST_NOT_FOUND', 'broadcast.not-found', { id }, { status: BROADCAST_ERROR_CODES.LOA_BROADCAST_NOT_FOUND }),
  /** A start time already past when the request arrived. */
  startPast: (at: number): LoaError => sentenceError('LOA_START_IN_PAST', 'start.past', { at: iso(at) }, { status: BROADCAST_ERROR_CODES.LOA_START_IN_PAST }),
  /** A live stream's end time already past when the request arrived. */
  endPast: (at: number): LoaError => sentenceError('LOA_START_IN_PAST', 'end.past', { at: iso(at) }, { status: BROADCAST_ERROR_CODES.LOA_START_IN_PAST }),
};

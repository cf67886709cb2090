// The live module's errors (which stream, what it plays), defined once with their stable code and
// HTTP status: the operator's API and the boxes' stream route say a missing stream the same way.
import { LoaError } from '../../common/errors.js';

export const LIVE_ERROR_CODES = {
  LOA_LIVE_NOT_FOUND: 404,
  LOA_LIVE_SOURCE_INVALID: 400,
} as const;

export const liveErrors = {
  notFound: (id: string): LoaError =>
    new LoaError(
      'LOA_LIVE_NOT_FOUND',
      `live stream ${id} does not exist or has ended; \`loa broadcast relay --list\` or GET /api/v1/live shows those on air.`,
      { status: LIVE_ERROR_CODES.LOA_LIVE_NOT_FOUND },
    ),
  sourceInvalid: (url: string): LoaError =>
    new LoaError('LOA_LIVE_SOURCE_INVALID', `the source ${url} is not an http:// or https:// address; give a station's stream URL.`, {
      status: LIVE_ERROR_CODES.LOA_LIVE_SOURCE_INVALID,
    }),
};

// Every error of the camera module (which camera, its picture, a camera or discovery request that
// does not hold), defined once with its stable code and HTTP status; the routes and the module's
// parts raise these instead of writing the code again.
import { badRequest, LoaError, sentenceError } from '../../common/errors.js';

export const CAMERA_ERROR_CODES = {
  LOA_CAMERA_NOT_FOUND: 404,
  LOA_CAMERA_UNAVAILABLE: 502,
  LOA_CAMERA_TIMEOUT: 504,
  LOA_CONFLICT: 409,
  LOA_LIVE_VIEW_BUSY: 503,
} as const;

export const cameraErrors = {
  /** A sentence of common/i18n/errors.ts, so the CLI says it in the reader's language. */
  notFound: (id: string): LoaError => sentenceError('LOA_CAMERA_NOT_FOUND', 'camera.not-found', { id }, { status: CAMERA_ERROR_CODES.LOA_CAMERA_NOT_FOUND }),
  unavailable: (id: string, reason: string): LoaError =>
    new LoaError('LOA_CAMERA_UNAVAILABLE', `camera ${id} did not give a picture (${reason}); check its status with \`loa cameras list\`.`, {
      status: CAMERA_ERROR_CODES.LOA_CAMERA_UNAVAILABLE,
      details: { reason },
    }),
  timedOut: (id: string, ms: number): LoaError =>
    new LoaError('LOA_CAMERA_TIMEOUT', `camera ${id} did not send a picture within ${ms} ms; it may be overloaded or its link slow.`, {
      status: CAMERA_ERROR_CODES.LOA_CAMERA_TIMEOUT,
      details: { reason: `timeout ${ms} ms` },
    }),
  /** A camera's settings or a discovery request that does not hold; `message` says which and why. */
  badRequest,
  /** Live view: `cameras.live.maxPulls` cameras are being pulled already (hub/video/). */
  liveBusy: (max: number): LoaError =>
    new LoaError(
      'LOA_LIVE_VIEW_BUSY',
      `the hub is already pulling ${max} camera streams for live view (cameras.live.maxPulls); ` +
        'close a live view, or raise the limit if the hub has CPU to spare.',
      { status: CAMERA_ERROR_CODES.LOA_LIVE_VIEW_BUSY },
    ),
  exists: (id: string): LoaError =>
    new LoaError('LOA_CONFLICT', `camera ${id} already exists; remove it first, or replace it (\`loa cameras add ${id} --replace …\`).`, {
      status: CAMERA_ERROR_CODES.LOA_CONFLICT,
    }),
};

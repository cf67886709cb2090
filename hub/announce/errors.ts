// The announcement audio's errors (the chime, joining it to the speech), defined once with their
// stable code and HTTP status; live streams that open with the chime raise them too. One code,
// three situations: the hub's own ffmpeg or setup (500), or audio it cannot join (422).
import { LoaError } from '../../common/errors.js';

export const ANNOUNCE_ERROR_CODES = {
  LOA_ANNOUNCE_AUDIO_FAILED: 500,
} as const;

const failed = (message: string, status: number = ANNOUNCE_ERROR_CODES.LOA_ANNOUNCE_AUDIO_FAILED, cause?: unknown): LoaError =>
  new LoaError('LOA_ANNOUNCE_AUDIO_FAILED', message, { status, cause });

export const announceErrors = {
  chimeFailed: (e: unknown): LoaError => failed(`could not make the announcement chime with ffmpeg: ${(e as Error).message.slice(0, 200)}`, 500, e),
  /** The audio given (a file or the speech) could not be joined to the chime: the upload's fault. */
  joinFailed: (e: unknown): LoaError => failed(`could not join the chime and the announcement: ${(e as Error).message.slice(0, 300)}`, 422, e),
  noChime: (): LoaError => failed('this hub has no announcement chime configured.'),
};

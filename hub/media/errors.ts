// Every error of the media library (an import, a name, a removal), defined once with its stable
// code and HTTP status (the fastify lib/errors.js pattern). Each message names the file or the
// item and says what to do; names.ts builds the name and removal errors.
import { LoaError, sentenceError } from '../../common/errors.js';

export const MEDIA_ERROR_CODES = {
  LOA_MEDIA_UNREADABLE: 400,
  LOA_MEDIA_EMPTY: 422,
  LOA_MEDIA_TOO_LARGE: 413,
  LOA_MEDIA_NOT_AUDIO: 422,
  LOA_MEDIA_PLAYLIST: 422,
  LOA_MEDIA_TOO_SHORT: 422,
  LOA_MEDIA_TOO_LONG: 422,
  LOA_MEDIA_ENCODE_FAILED: 422,
  LOA_MEDIA_CANCELLED: 400,
  LOA_MEDIA_STORE_FAILED: 500,
  LOA_MEDIA_ID_INVALID: 400,
  LOA_FFMPEG_FAILED: 500,
  LOA_MEDIA_NOT_FOUND: 404,
  LOA_MEDIA_NAME_TAKEN: 409,
  LOA_MEDIA_DUPLICATE: 409,
  LOA_MEDIA_IN_USE: 409,
} as const;

export type MediaErrorCode = keyof typeof MEDIA_ERROR_CODES;

export function mediaError(code: MediaErrorCode, message: string, opts: { details?: unknown; cause?: unknown } = {}): LoaError {
  return new LoaError(code, message, { ...opts, status: MEDIA_ERROR_CODES[code] });
}

const mb = (bytes: number): string => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
const hms = (seconds: number): string => {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.round(seconds % 60);
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  return m > 0 ? `${m} min ${s} s` : `${s} s`;
};

export const mediaErrors = {
  unreadable: (file: string, reason: string, cause?: unknown) =>
    mediaError('LOA_MEDIA_UNREADABLE', `${file}: cannot read the file (${reason}); check the path and that the hub may read it.`, { cause }),
  empty: (file: string) => mediaError('LOA_MEDIA_EMPTY', `${file}: the file is empty (0 bytes); choose the recording again, it may not have been saved.`),
  tooLarge: (file: string, bytes: number, max: number) =>
    mediaError(
      'LOA_MEDIA_TOO_LARGE',
      `${file}: the file is ${mb(bytes)}, more than the ${mb(max)} allowed; split it or export it at a lower bitrate (media.maxInputBytes sets the limit).`,
      {
        details: { bytes, max },
      },
    ),
  notAudio: (file: string, found: string) =>
    mediaError(
      'LOA_MEDIA_NOT_AUDIO',
      `${file}: this is not an audio file ffmpeg can play (${found}); choose a sound recording such as MP3, WAV, M4A, OGG or FLAC.`,
      {
        details: { found },
      },
    ),
  /** The upload is a list of other files (an HLS playlist, an ffconcat list): never followed. */
  playlist: (file: string, format: string) =>
    mediaError(
      'LOA_MEDIA_PLAYLIST',
      `${file}: this is a playlist (${format}) that names other files; the hub imports only the file uploaded and never opens the files a list names: upload ` +
        `the audio file itself.`,
      { details: { file, format } },
    ),
  tooShort: (file: string, durationMs: number, minMs: number) =>
    mediaError('LOA_MEDIA_TOO_SHORT', `${file}: the audio lasts ${durationMs} ms, less than the ${minMs} ms needed; check that the recording is not blank.`, {
      details: { durationMs, minMs },
    }),
  /** durationS null: ffmpeg was stopped once it passed the limit, so the full length is unknown. */
  tooLong: (file: string, durationS: number | null, maxS: number) =>
    mediaError(
      'LOA_MEDIA_TOO_LONG',
      `${file}: the audio lasts ${durationS === null ? '' : `${hms(durationS)}, `}longer than the ${hms(maxS)} allowed; split it into shorter items ` +
        `(media.maxDurationS sets the limit).`,
      {
        details: { durationS, maxS },
      },
    ),
  encodeFailed: (file: string, ffmpegSays: string, cause?: unknown) =>
    mediaError(
      'LOA_MEDIA_ENCODE_FAILED',
      `${file}: ffmpeg could not convert this audio (${ffmpegSays}); check that it plays on a computer, or export it again as WAV or MP3 and retry.`,
      {
        details: { ffmpeg: ffmpegSays },
        cause,
      },
    ),
  cancelled: (file: string) => mediaError('LOA_MEDIA_CANCELLED', `${file}: the import was cancelled before it finished; nothing was stored.`),
  storeFailed: (file: string, dir: string, reason: string, cause?: unknown) =>
    mediaError(
      'LOA_MEDIA_STORE_FAILED',
      `${file}: the converted audio could not be stored in ${dir} (${reason}); check free disk space and permissions of the data directory.`,
      { cause },
    ),
  /** A sentence of common/i18n/errors.ts: every module that takes a media id says it so (in the reader's language). */
  notFound: (id: string) => sentenceError('LOA_MEDIA_NOT_FOUND', 'media.not-in-library', { id }, { status: MEDIA_ERROR_CODES.LOA_MEDIA_NOT_FOUND }),
  /** The stored file of an item cannot be sent (a box fetching it). */
  contentUnreadable: (id: string, reason: string) => mediaError('LOA_MEDIA_NOT_FOUND', `media ${id} cannot be read: ${reason}`),
  idInvalid: (id: string) => mediaError('LOA_MEDIA_ID_INVALID', `"${id}" is not a media id; ids are the 64 hex characters \`loa media list\` shows.`),
  ffmpegFailed: (ffmpegPath: string, reason: string, cause?: unknown) =>
    mediaError('LOA_FFMPEG_FAILED', `ffmpeg at ${ffmpegPath} could not be run (${reason}); set ffmpeg.path in the hub config or install ffmpeg.`, { cause }),
};

// Which container formats an import may open. An upload is one file: formats that name other
// files (an HLS playlist, an ffconcat list, a DASH manifest, an SDP session) would let an upload
// make the hub's ffmpeg read its own disk or the network, so ffmpeg is told to open the uploaded
// path with the file protocol only and to refuse every demuxer not listed here (issue 14, item 9).

/** Demuxers of single-file audio (and audio-with-video) containers; names as `ffmpeg -demuxers`
 *  prints them. A format listed under several names (mov,mp4,m4a…) is allowed by any of them. */
export const IMPORT_DEMUXERS = [
  'aac',
  'ac3',
  'aiff',
  'amr',
  'amrnb',
  'amrwb',
  'ape',
  'asf',
  'au',
  'avi',
  'caf',
  'dts',
  'eac3',
  'flac',
  'flv',
  'matroska',
  'mov',
  'mp3',
  'mpeg',
  'mpegts',
  'ogg',
  'tta',
  'w64',
  'wav',
  'wv',
] as const;

/** ffmpeg options placed before each `-i`: the input is a local file of a listed format. */
export const IMPORT_INPUT_OPTIONS = ['-protocol_whitelist', 'file', '-format_whitelist', IMPORT_DEMUXERS.join(',')];

/** Refused formats that are lists of other files or places (the rest are simply not audio). */
const LIST_FORMATS = new Set(['hls', 'applehttp', 'concat', 'dash', 'imf', 'sdp', 'avisynth', 'vapoursynth']);

export interface RefusedFormat {
  /** The demuxer ffmpeg picked, by its first name (e.g. "hls", "image2"). */
  format: string;
  /** True when the format points at other files or network addresses. */
  list: boolean;
}

/** The refusal in ffmpeg's output ("[hls @ 0x…] Format not on whitelist '…'"), or null. */
export function refusedFormat(stderrLines: readonly string[]): RefusedFormat | null {
  for (const line of stderrLines) {
    const m = /^\[([\w,]+) @ 0x[0-9a-f]+\] Format not on whitelist/.exec(line);
    if (!m) continue;
    // Older builds name some demuxers twice ("hls,applehttp"): the first name is the one people know.
    const names = m[1]!.split(',');
    return { format: names[0]!, list: names.some((n) => LIST_FORMATS.has(n)) };
  }
  return null;
}

// Splits ffmpeg's fragmented MP4 (-movflags frag_keyframe+empty_moov+default_base_moof) into what
// a browser's Media Source Extensions take: the init segment (ftyp+moov) once, then media fragments
// (moof+mdat), each starting on a keyframe. Also reads the codec string (avc1.PPCCLL from avcC) and
// the picture size from the moov, for the viewer's SourceBuffer. ISO/IEC 14496-12 box layout.

/** What the init segment says about the video. */
export interface StreamInfo {
  /** RFC 6381 codec string, e.g. avc1.64001f; null when the track is not H.264. */
  codec: string | null;
  width: number | null;
  height: number | null;
}

export type Piece = { kind: 'init'; data: Buffer; info: StreamInfo } | { kind: 'fragment'; data: Buffer };

/** A box bigger than this is garbage, not video (a 1080p keyframe is well under it). */
export const MAX_BOX_BYTES = 32 * 1024 * 1024;

export class Fmp4Error extends Error {}

/** Incremental: push() the pipe's chunks, get whole pieces back. */
export class Fmp4Splitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private head: Buffer[] = [];
  private moof: Buffer | null = null;

  push(chunk: Buffer): Piece[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const out: Piece[] = [];
    for (;;) {
      if (this.pendingBytes < 8) return out;
      const buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
      this.pending = [buf];
      let size = buf.readUInt32BE(0);
      const type = buf.toString('latin1', 4, 8);
      if (size === 1) {
        if (buf.length < 16) return out;
        size = Number(buf.readBigUInt64BE(8));
      }
      if (size < 8 || size > MAX_BOX_BYTES) throw new Fmp4Error(`box "${printable(type)}" of ${size} bytes: not a fragmented MP4 stream`);
      if (buf.length < size) return out;
      const box = buf.subarray(0, size);
      const rest = buf.subarray(size);
      this.pending = rest.length ? [rest] : [];
      this.pendingBytes = rest.length;
      const piece = this.take(type, Buffer.from(box));
      if (piece) out.push(piece);
    }
  }

  private take(type: string, box: Buffer): Piece | null {
    switch (type) {
      case 'ftyp':
        this.head = [box];
        return null;
      case 'moov': {
        const data = Buffer.concat([...this.head, box]);
        this.head = [];
        return { kind: 'init', data, info: readInfo(box) };
      }
      case 'moof':
        this.moof = box;
        return null;
      case 'mdat': {
        if (!this.moof) return null;
        const data = Buffer.concat([this.moof, box]);
        this.moof = null;
        return { kind: 'fragment', data };
      }
      default:
        // styp, sidx, mfra, free…: nothing a MediaSource needs here.
        return null;
    }
  }
}

const printable = (s: string): string => s.replace(/[^\x20-\x7e]/g, '?');

/** The children of a box's payload, as [type, payload]. */
function* children(buf: Buffer, from: number, to: number): Generator<[string, number, number]> {
  let at = from;
  while (at + 8 <= to) {
    const size = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    if (size < 8 || at + size > to) return;
    yield [type, at + 8, at + size];
    at += size;
  }
}

function find(buf: Buffer, from: number, to: number, path: string[]): [number, number] | null {
  for (const [type, start, end] of children(buf, from, to)) {
    if (type !== path[0]) continue;
    if (path.length === 1) return [start, end];
    const found = find(buf, start, end, path.slice(1));
    if (found) return found;
  }
  return null;
}

/** The first video track's sample entry (avc1/avc3) in a moov box. */
export function readInfo(moov: Buffer): StreamInfo {
  const none: StreamInfo = { codec: null, width: null, height: null };
  for (const [type, start, end] of children(moov, 8, moov.length)) {
    if (type !== 'trak') continue;
    const stsd = find(moov, start, end, ['mdia', 'minf', 'stbl', 'stsd']);
    if (!stsd) continue;
    // stsd: version+flags (4), entry count (4), then the sample entries.
    for (const [entry, es, ee] of children(moov, stsd[0] + 8, stsd[1])) {
      if (entry !== 'avc1' && entry !== 'avc3') continue;
      // VisualSampleEntry: 6 reserved + 2 data reference index + 16 pre-defined/reserved, then width, height; 78 bytes before its boxes.
      const width = moov.readUInt16BE(es + 24);
      const height = moov.readUInt16BE(es + 26);
      const avcC = find(moov, es + 78, ee, ['avcC']);
      const codec = avcC && avcC[1] - avcC[0] >= 4 ? `${entry}.${moov.subarray(avcC[0] + 1, avcC[0] + 4).toString('hex')}` : null;
      return { codec, width, height };
    }
  }
  return none;
}

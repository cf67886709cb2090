// Splits an encoded MP3 or ADTS (AAC) byte stream into whole frames. Both formats are a run of
// self-contained frames, each with a header giving its length, so any frame boundary is a valid
// place for a listener to begin: that is how a late joiner starts at the live point.

export type LiveFormat = 'mp3' | 'aac';

export interface Frame {
  data: Buffer;
  /** How much audio the frame holds, ms. */
  durationMs: number;
}

const MP3_BITRATES_V1 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const MP3_BITRATES_V2 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const MP3_RATES: Record<number, number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };
const ADTS_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/** Length and duration of the frame whose header starts at b[i]; null when no valid header is there. */
function frameAt(format: LiveFormat, b: Buffer, i: number): { bytes: number; durationMs: number } | null {
  if (b[i] !== 0xff) return null;
  const b1 = b[i + 1]!;
  const b2 = b[i + 2]!;
  if (format === 'mp3') {
    // MPEG audio Layer III only (what the hub encodes): sync 11 bits, then version and layer.
    if ((b1 & 0xe0) !== 0xe0 || ((b1 >> 1) & 3) !== 1) return null;
    const version = (b1 >> 3) & 3;
    const rates = MP3_RATES[version];
    const rate = rates?.[(b2 >> 2) & 3];
    const kbps = (version === 3 ? MP3_BITRATES_V1 : MP3_BITRATES_V2)[b2 >> 4];
    if (!rate || !kbps) return null;
    const samples = version === 3 ? 1152 : 576;
    const bytes = Math.floor(((samples / 8) * kbps * 1000) / rate) + ((b2 >> 1) & 1);
    return { bytes, durationMs: (samples * 1000) / rate };
  }
  if ((b1 & 0xf6) !== 0xf0) return null;
  const rate = ADTS_RATES[(b2 >> 2) & 0xf];
  const bytes = ((b[i + 3]! & 3) << 11) | (b[i + 4]! << 3) | (b[i + 5]! >> 5);
  if (!rate || bytes < 7) return null;
  return { bytes, durationMs: (((b[i + 6]! & 3) + 1) * 1024 * 1000) / rate };
}

/** Feeds bytes in, gets whole frames out; bytes before the first valid header (ID3 tags, a torn
 *  frame) are skipped. */
export class FrameSplitter {
  private pending = Buffer.alloc(0);

  constructor(private readonly format: LiveFormat) {}

  push(chunk: Buffer): Frame[] {
    const b = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: Frame[] = [];
    let i = 0;
    while (b.length - i >= 7) {
      const f = frameAt(this.format, b, i);
      if (!f) {
        i += 1;
        continue;
      }
      if (b.length - i < f.bytes) break;
      out.push({ data: b.subarray(i, i + f.bytes), durationMs: f.durationMs });
      i += f.bytes;
    }
    this.pending = Buffer.from(b.subarray(i));
    return out;
  }
}

export function splitFrames(format: LiveFormat, data: Buffer): Frame[] {
  return new FrameSplitter(format).push(data);
}

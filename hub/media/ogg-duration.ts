// The playing time of an Ogg/Opus file, read from the file itself: the granule position of the
// last page (48 kHz samples) minus the pre-skip in the OpusHead header (RFC 7845 §4). This is
// exact to the sample, and needs no ffprobe.
import { open } from 'node:fs/promises';

/** An Ogg page is at most 27 + 255 + 255·255 bytes, so the last one starts within this tail. */
const MAX_PAGE = 65_307;
const CAPTURE = Buffer.from('OggS');

/** Duration in ms, or null when the file is not Ogg/Opus or has no complete page. */
export async function oggOpusDurationMs(path: string): Promise<number | null> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const head = Buffer.alloc(Math.min(size, 4096));
    await fh.read(head, 0, head.length, 0);
    const opusHead = head.indexOf('OpusHead');
    if (opusHead < 0 || opusHead + 12 > head.length) return null;
    const preSkip = head.readUInt16LE(opusHead + 10);

    const tailStart = Math.max(0, size - MAX_PAGE);
    const tail = Buffer.alloc(size - tailStart);
    await fh.read(tail, 0, tail.length, tailStart);
    // Walk back over capture patterns until one is a page header carrying a granule position.
    for (let i = tail.lastIndexOf(CAPTURE); i >= 0; i = i > 0 ? tail.lastIndexOf(CAPTURE, i - 1) : -1) {
      if (i + 14 > tail.length || tail[i + 4] !== 0) continue;
      const granule = tail.readBigInt64LE(i + 6);
      if (granule < 0n) continue; // -1: no packet ends on this page
      const samples = Number(granule) - preSkip;
      return Math.max(0, Math.round(samples / 48));
    }
    return null;
  } finally {
    await fh.close();
  }
}

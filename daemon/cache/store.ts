// What the media cache holds on disk, kept in memory: complete files and partial downloads, their
// sizes and last use, whether a file is still intact, the least recently used order for eviction. Last use is persisted as the
// file's mtime (utimes), at most once an hour per file, so the SD card sees no index file at all.
import { readdirSync, statSync } from 'node:fs';
import { stat, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../common/logger.js';
import type { MediaRef } from '../../protocol/index.js';
import { sha256OfFile } from './download.js';

export interface CachedFile {
  size: number;
  /** Last play or fetch, clock ms. */
  lastUse: number;
  /** The file's mtime as last seen or set by us; it lags lastUse by up to TOUCH_WRITE_EVERY_MS. */
  mtimeMs: number;
  /** How the file looked when its SHA-256 last matched, in this run (nothing written for it). */
  verified: { size: number; mtimeMs: number; ino: number } | null;
}

export interface PartFile {
  size: number;
  lastUse: number;
}

/** A play's last use is written to the file's mtime only if the one on disk is older than this:
 *  one inode update per file per hour at most. An LRU needs no finer grain. */
export const TOUCH_WRITE_EVERY_MS = 3_600_000;

const MEDIA_NAME = /^([0-9a-f]{64})(\.part)?$/;

export class CacheStore {
  readonly files = new Map<string, CachedFile>();
  readonly parts = new Map<string, PartFile>();

  constructor(
    readonly dir: string,
    private readonly logger: Logger,
  ) {}

  /** Reads the folder once at start (readdir + one stat per file; no file contents). Names that
   *  are not media ids are not the cache's and are left alone. */
  scan(): void {
    for (const name of readdirSync(this.dir)) {
      const m = MEDIA_NAME.exec(name);
      if (!m?.[1]) continue;
      const st = statSync(join(this.dir, name), { throwIfNoEntry: false });
      if (!st?.isFile()) continue;
      if (m[2]) this.parts.set(m[1], { size: st.size, lastUse: st.mtimeMs });
      else this.files.set(m[1], { size: st.size, lastUse: st.mtimeMs, mtimeMs: st.mtimeMs, verified: null });
    }
  }

  pathOf(id: string): string {
    return join(this.dir, id);
  }

  partOf(id: string): string {
    return join(this.dir, `${id}.part`);
  }

  /** Bytes on disk: complete files and partial downloads. */
  usedBytes(): number {
    let sum = 0;
    for (const f of this.files.values()) sum += f.size;
    for (const p of this.parts.values()) sum += p.size;
    return sum;
  }

  /** Records a use (play); writes the mtime only when the one on disk is an hour old or more. */
  async touch(id: string, now: number): Promise<void> {
    const f = this.files.get(id);
    if (!f) return;
    f.lastUse = now;
    if (now - f.mtimeMs < TOUCH_WRITE_EVERY_MS) return;
    try {
      await utimes(this.pathOf(id), now / 1000, now / 1000);
      // Read back: the filesystem rounds the time its own way.
      const { mtimeMs } = await stat(this.pathOf(id));
      // Our own change: the file is still the one that was verified.
      if (f.verified && f.verified.mtimeMs === f.mtimeMs) f.verified.mtimeMs = mtimeMs;
      f.mtimeMs = mtimeMs;
    } catch (e) {
      this.logger.warn({ mediaId: id, err: String(e) }, 'cannot record the last use of a cached file');
    }
  }

  /** Whether a cached file is still the media: its size, and its SHA-256 unless it is bigger than
   *  `verifyAlwaysBelowBytes` and unchanged (size, mtime, inode) since its last check in this run.
   *  A bad file is deleted so that it is fetched again. */
  async intact(media: MediaRef, verifyAlwaysBelowBytes: number): Promise<boolean> {
    const f = this.files.get(media.id);
    const path = this.pathOf(media.id);
    const log = this.logger.child({ mediaId: media.id });
    const st = await stat(path).catch(() => null);
    if (!f || !st) {
      this.files.delete(media.id);
      return false;
    }
    let bad: string | null = st.size === media.bytes ? null : `${st.size} bytes instead of ${media.bytes}`;
    if (!bad) {
      const v = f.verified;
      const unchanged = v !== null && v.size === st.size && v.mtimeMs === st.mtimeMs && v.ino === st.ino;
      if (unchanged && st.size > verifyAlwaysBelowBytes) return true;
      const t0 = performance.now();
      // A card that cannot read the file back is as bad as a wrong hash: fetch it again.
      const sha = await sha256OfFile(path).catch((e: unknown) => `unreadable (${String(e)})`);
      if (sha === media.id) {
        f.verified = { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
        f.mtimeMs = st.mtimeMs;
        log.debug({ bytes: st.size, ms: Math.round(performance.now() - t0) }, 'cached media verified');
        return true;
      }
      bad = `SHA-256 ${sha.slice(0, 40)}`;
    }
    log.warn({ detail: bad }, 'cached media is corrupt; deleting it and fetching it again');
    await this.remove(media.id, 'file');
    return false;
  }

  setPart(id: string, size: number, now: number): void {
    if (size > 0) this.parts.set(id, { size, lastUse: now });
    else this.parts.delete(id);
  }

  /** Removes a complete file (evicted or corrupt) or a partial one from disk and from the books. */
  async remove(id: string, which: 'file' | 'part'): Promise<void> {
    const path = which === 'file' ? this.pathOf(id) : this.partOf(id);
    await unlink(path).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
    if (which === 'file') this.files.delete(id);
    else this.parts.delete(id);
  }

  /**
   * Deletes least recently used files and parts that `keep` does not protect until `needBytes`
   * more fit under `capBytes` beside `committedBytes` (downloads under way). Returns the bytes
   * still missing (0 when they fit).
   */
  async evict(o: { needBytes: number; capBytes: number; committedBytes: number; keep: (id: string) => boolean }): Promise<number> {
    const over = () => this.usedBytes() + o.committedBytes + o.needBytes - o.capBytes;
    if (over() <= 0) return 0;
    const candidates = [
      ...[...this.files].map(([id, f]) => ({ id, which: 'file' as const, size: f.size, lastUse: f.lastUse })),
      ...[...this.parts].map(([id, p]) => ({ id, which: 'part' as const, size: p.size, lastUse: p.lastUse })),
    ]
      .filter((c) => !o.keep(c.id))
      .sort((a, b) => a.lastUse - b.lastUse || a.id.localeCompare(b.id));
    for (const c of candidates) {
      if (over() <= 0) break;
      try {
        await this.remove(c.id, c.which);
        this.logger.info({ mediaId: c.id, kind: c.which, bytes: c.size, lastUse: new Date(c.lastUse).toISOString() }, 'evicted from the media cache');
      } catch (e) {
        this.logger.warn({ mediaId: c.id, err: String(e) }, 'cannot evict a cached file');
      }
    }
    return Math.max(0, over());
  }
}

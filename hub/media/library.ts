// The media library on disk: imports an audio file (check, transcode, hash, store under its
// SHA-256), removes a stored file, and says where one lives. No SQL and no HTTP here: the hub's
// media service records what importMedia returns.
//
// Layout: <mediaDir>/<sha256>.ogg, plus <mediaDir>/.tmp/import-*/ while an import runs. The temp
// directory is inside mediaDir so the final rename stays on one filesystem and is atomic.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { isLoaError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { mediaErrors } from './errors.js';
import type { MediaSettings } from './settings.js';
import { transcode, type DELIVERY_FORMAT, type ProgressCallback } from './transcode.js';

export interface ImportMediaOptions {
  ffmpegPath: string;
  inputPath: string;
  mediaDir: string;
  settings: MediaSettings;
  /** Percent of the import (0–100, never decreasing) and which pass is running. */
  onProgress?: ProgressCallback;
  logger: Logger;
  signal?: AbortSignal;
  /** How the file is named in errors and logs (an upload's original name); defaults to inputPath. */
  displayName?: string;
  /** Encodes into the delivery format itself instead of the measured transcode (an
   *  announcement whose level is known: speech.ts encodeLevelled). */
  encode?: (outputPath: string) => Promise<{ durationMs: number; bytes: number; format: typeof DELIVERY_FORMAT }>;
}

export interface ImportedMedia {
  /** SHA-256 (hex) of the stored delivery file. */
  id: string;
  bytes: number;
  durationMs: number;
  format: typeof DELIVERY_FORMAT;
  /** Absolute path of the stored file. */
  path: string;
}

const ID_RE = /^[0-9a-f]{64}$/;
const TMP = '.tmp';

export function isMediaId(id: string): boolean {
  return ID_RE.test(id);
}

/** Where the delivery file of a media id lives; refuses anything that is not a SHA-256 hex id. */
export function mediaFilePath(mediaDir: string, sha: string): string {
  if (!isMediaId(sha)) throw mediaErrors.idInvalid(sha);
  return join(mediaDir, `${sha}.ogg`);
}

/** Deletes a stored delivery file; false when it was not there. */
export async function removeMediaFile(mediaDir: string, sha: string): Promise<boolean> {
  try {
    await unlink(mediaFilePath(mediaDir, sha));
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/** Removes what imports cut short by a crash left in <mediaDir>/.tmp; call once at start-up. */
export async function sweepMediaTemp(mediaDir: string): Promise<number> {
  const dir = join(mediaDir, TMP);
  const entries = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(entries.map((e) => rm(join(dir, e), { recursive: true, force: true })));
  return entries.length;
}

const errnoText: Record<string, string> = {
  ENOENT: 'there is no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a folder',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the path is too long',
};

async function checkInput(path: string, name: string, maxBytes: number): Promise<void> {
  let size: number;
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw mediaErrors.unreadable(name, 'it is a folder, not a file');
    if (!st.isFile()) throw mediaErrors.unreadable(name, 'it is not a regular file');
    // stat succeeds on files we may not read; opening is the real test.
    await (await open(path, 'r')).close();
    size = st.size;
  } catch (e) {
    if (isLoaError(e)) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? '';
    throw mediaErrors.unreadable(name, errnoText[code] ?? (code || String(e)), e);
  }
  if (size === 0) throw mediaErrors.empty(name);
  if (size > maxBytes) throw mediaErrors.tooLarge(name, size, maxBytes);
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** Flushes a file (or directory entry) to disk, so a power cut cannot leave a named, empty file. */
async function fsyncPath(path: string, flags: 'r' | 'r+'): Promise<void> {
  const fh = await open(path, flags);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Moves the finished file to <mediaDir>/<id>.ogg. An existing file with that name is kept when
 * its bytes really hash to the id (the same audio imported before); a damaged one is replaced.
 */
async function place(tmpFile: string, mediaDir: string, id: string, logger: Logger): Promise<{ path: string; existed: boolean }> {
  const path = mediaFilePath(mediaDir, id);
  const existing = await stat(path).catch(() => null);
  if (existing?.isFile()) {
    if ((await sha256File(path).catch(() => '')) === id) return { path, existed: true };
    logger.warn({ mediaId: id }, 'stored media file did not match its hash; replacing it');
  }
  await fsyncPath(tmpFile, 'r+');
  await rename(tmpFile, path);
  // Some filesystems refuse fsync on a directory; the rename has happened either way.
  await fsyncPath(mediaDir, 'r').catch(() => undefined);
  return { path, existed: false };
}

export async function importMedia(opts: ImportMediaOptions): Promise<ImportedMedia> {
  const { inputPath, mediaDir, settings, logger } = opts;
  const name = opts.displayName ?? inputPath;
  await checkInput(inputPath, name, settings.maxInputBytes);

  let work: string;
  try {
    await mkdir(join(mediaDir, TMP), { recursive: true });
    work = await mkdtemp(join(mediaDir, TMP, 'import-'));
  } catch (e) {
    throw mediaErrors.storeFailed(name, mediaDir, (e as NodeJS.ErrnoException).code ?? String(e), e);
  }
  try {
    const tmpFile = join(work, 'out.ogg');
    const result = opts.encode
      ? { ...(await opts.encode(tmpFile)), loudness: null }
      : await transcode({
          ffmpegPath: opts.ffmpegPath,
          inputPath,
          outputPath: tmpFile,
          displayName: name,
          settings,
          logger,
          ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
          ...(opts.signal ? { signal: opts.signal } : {}),
        });
    if (opts.signal?.aborted) throw mediaErrors.cancelled(name);
    let id: string;
    let stored: { path: string; existed: boolean };
    try {
      id = await sha256File(tmpFile);
      stored = await place(tmpFile, mediaDir, id, logger);
    } catch (e) {
      throw mediaErrors.storeFailed(name, mediaDir, (e as NodeJS.ErrnoException).code ?? String(e), e);
    }
    logger.info(
      {
        file: name,
        mediaId: id,
        bytes: result.bytes,
        durationMs: result.durationMs,
        gainDb: result.loudness?.gainDb,
        limited: result.loudness?.limited,
        existed: stored.existed,
      },
      stored.existed ? 'media already in the library' : 'media stored',
    );
    return { id, bytes: result.bytes, durationMs: result.durationMs, format: result.format, path: stored.path };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

// Makes a file that must never be overwritten (a key the hub made at first start): written to a
// temporary file, fsync'd and linked into place, so a crash never leaves half a key and two
// starts racing keep the first one.
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, linkSync, openSync, rmSync, writeSync, type Stats } from 'node:fs';
import type { Logger } from './logger.js';

/** Creates `path` with `text` (mode 0600) unless it exists; true when this call made it. */
export function createFileOnce(path: string, text: () => string): boolean {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, text());
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** A key file readable by others (copied by hand, restored from a backup) is set back to 0600,
 *  with a warning naming it (`what`, e.g. "the hub signing key"). */
export function keepOwnerOnly(path: string, stat: Stats, logger: Logger, what: string): void {
  const mode = stat.mode & 0o777;
  if (!(mode & 0o077)) return;
  chmodSync(path, 0o600);
  logger.warn({ path, mode: mode.toString(8) }, `${what} was readable by others; set to mode 0600`);
}

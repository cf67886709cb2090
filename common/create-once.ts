// Makes a file that must never be overwritten (a key the hub made at first start): written to a
// temporary file, fsync'd and linked into place, so a crash never leaves half a key and two
// starts racing keep the first one.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, rmSync, writeSync } from 'node:fs';

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

// Small durable writes: a whole-file replace that a power cut (or a reader, such as Mosquitto
// reloading the hub's password file) sees old or new, never half, and an fsync'd append of one
// line. The daemon keeps its files on the SD card this way (state.json, plan.json, playlog.jsonl).
import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Writes `path` atomically: a temporary file, fsync, rename over, then fsync the folder so the
 *  rename itself survives a power cut. */
export async function writeFileAtomic(path: string, text: string, mode = 0o600): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeSynced(tmp, 'w', text, mode);
  await rename(tmp, path);
  await syncDir(dirname(path));
}

/** Appends text (whole lines) to `path` and fsyncs it before resolving. */
export function appendDurable(path: string, text: string, mode = 0o600): Promise<void> {
  return writeSynced(path, 'a', text, mode);
}

async function writeSynced(path: string, flags: 'w' | 'a', text: string, mode: number): Promise<void> {
  const fh = await open(path, flags, mode);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  // Some filesystems refuse to fsync a directory; the rename is then as durable as they make it.
  const fh = await open(dir, 'r').catch(() => null);
  if (!fh) return;
  try {
    await fh.sync();
  } catch {
    // EINVAL/EISDIR on such filesystems
  } finally {
    await fh.close();
  }
}

// The media library as the rest of the hub sees it (HTTP routes, announcements, the scheduler's
// speech): imports, replacing, removing, and where a stored delivery file is.
import type { ImportMediaOptions } from './library.js';
import type { MediaUsage } from './names.js';
import type { MediaRow } from '../store/index.js';

export interface ImportInput {
  inputPath: string;
  name: string;
  originalName: string;
  onProgress?: (percent: number, phase: string) => void;
  /** Encode it this way instead of the measured transcode (hub/media/library.ts ImportMediaOptions). */
  encode?: ImportMediaOptions['encode'];
}

/** An operator's import: the item, the one it replaced (--replace), or unchanged (the same audio
 *  was already there under that name). `oldOnAir`: broadcasts of the replaced audio on air or due,
 *  which play it to their end. */
export interface AddResult {
  media: MediaRow;
  replaced: MediaRow | null;
  unchanged: boolean;
  oldOnAir: MediaUsage['broadcasts'];
}

export interface RemoveResult {
  removed: string;
  name: string;
  /** Removed although in use (--force): `usage` says by what, `stopped` which clusters stopped. */
  forced: boolean;
  usage: MediaUsage;
  stopped: { broadcastId: string; clusterId: string }[];
}

export interface MediaService {
  /** The hub's own imports (announcements, speech): the same audio gives the item already there;
   *  a name in use gets " (2)", " (3)", … */
  import(input: ImportInput): Promise<MediaRow>;
  /** An operator's import: the name must be free, or with `replace` an item's (hub/media/names.ts). */
  add(input: ImportInput & { replace: boolean }): Promise<AddResult>;
  /** Throws what add() would about the name, before any upload is read. */
  checkName(name: string, replace: boolean): void;
  /** What uses an item (schedule in force, broadcasts, emergencies). */
  usage(id: string): MediaUsage;
  /** Refused while in use; `force` removes it anyway (never while an emergency plays it). */
  remove(id: string, opts?: { force?: boolean }): Promise<RemoveResult>;
  /** Absolute path of a stored delivery file, or undefined when it is not in the library (a
   *  replaced item's file stays while a broadcast of it is on air). */
  filePath(id: string): string | undefined;
  /** Deletes the files of replaced items no longer on air (called when broadcasts change). */
  releaseHeld(): Promise<void>;
  /** Where uploads are written before import. */
  uploadDir: string;
}

// The hub's item the box is playing, kept in <dataDir>/playing.json from its start to its final
// ack, so a daemon killed mid-item (kill -9, the OOM killer, a crash) joins it again
// where the broadcast is when it starts, and the hub hears the item's end (its target would stay
// `started` otherwise). Items the box plays from its plan while offline are not kept: the offline
// player joins those by itself.
import { readFileSync } from 'node:fs';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { errorMessage } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { decodePayload, type PlayCommand } from '../protocol/index.js';

/** Where the item stood when it first started, and how many times the daemon joined it again. */
export interface PlayingNow {
  cmd: PlayCommand;
  startedAt: number;
  seekMs: number;
  resumes: number;
}

const savedSchema = z.object({
  cmd: z.unknown(),
  startedAt: z.number().int().nonnegative(),
  seekMs: z.number().int().nonnegative(),
  resumes: z.number().int().nonnegative().max(1000),
});

export class PlayingFile {
  readonly path: string;
  private held: string | null = null;
  /** Writes are chained so a quick start and end land in that order. */
  private writing: Promise<void> = Promise.resolve();

  constructor(dataDir: string, private readonly log: Logger) {
    this.path = join(dataDir, 'playing.json');
  }

  /** The item a killed daemon left, if any (read once, at start). */
  take(): PlayingNow | null {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return null;
    }
    try {
      const saved = savedSchema.parse(JSON.parse(text));
      const cmd = decodePayload('cmd', Buffer.from(JSON.stringify(saved.cmd)));
      if (!cmd.ok || cmd.value.type !== 'play') throw new Error(cmd.ok ? 'not a play' : cmd.reason);
      this.held = cmd.value.id;
      return { ...saved, cmd: cmd.value };
    } catch (e) {
      this.log.error({ err: errorMessage(e), file: this.path }, 'the file of the item playing is damaged; not resuming it');
      this.chain(() => unlink(this.path));
      return null;
    }
  }

  /** An item of the hub's started playing (or was joined again). */
  save(now: PlayingNow): void {
    if (now.cmd.seq === 0) return; // the offline player's own items (seq 0) are not the hub's
    this.held = now.cmd.id;
    const text = `${JSON.stringify(now)}\n`;
    // A temp file and a rename, without fsync: a killed process leaves the page cache intact, and
    // an fsync at every item's start stalls the file system's journal under ffmpeg's first writes.
    // After a power cut the file may be missing or damaged: nothing is joined then.
    this.chain(async () => {
      await writeFile(`${this.path}.tmp`, text, { mode: 0o600 });
      await rename(`${this.path}.tmp`, this.path);
    });
  }

  /** An item ended (its final ack went out): forget it, if it is the one kept. */
  clear(cmdId: string): void {
    if (this.held !== cmdId) return;
    this.held = null;
    this.chain(() => unlink(this.path));
  }

  /** Resolves once the writes asked for so far are done (the daemon waits for it on stop, so a
   *  clean stop is never joined again). */
  flushed(): Promise<void> {
    return this.writing;
  }

  private chain(write: () => Promise<void>): void {
    this.writing = this.writing.then(write).catch((e: unknown) => {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.log.error({ err: errorMessage(e), file: this.path }, 'cannot write the file of the item playing');
    });
  }
}

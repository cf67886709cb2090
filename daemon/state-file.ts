// One small JSON file of the box's state in its data directory (state.json, plan.json,
// playing.json): read once at start, with a log line that names the file and says what the box
// does instead when it is unreadable or damaged; replaced atomically and durably (temp file, fsync,
// rename, fsync the folder: common/atomic-file.ts), one write after the other so a quick start and
// end land in that order. A power cut leaves the old file or the new one, never half of one.
import { readFileSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../common/atomic-file.js';
import { errorMessage } from '../common/errors.js';
import type { Logger } from '../common/logger.js';

export interface StateFileOptions {
  dataDir: string;
  /** The file's name in the data directory, e.g. "plan.json". */
  name: string;
  /** What it is in a log line: "the plan file". */
  what: string;
  log: Logger;
  /** Said after "cannot write <what>" when a write fails, e.g. "; it is kept in memory only". */
  ifWriteFails?: string;
}

export class JsonStateFile {
  readonly path: string;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly o: StateFileOptions) {
    this.path = join(o.dataDir, o.name);
  }

  /**
   * The file checked by `parse` (given the text; it throws on anything it refuses). Null when there
   * is no file (nothing logged: a first start), or when it cannot be read or is damaged: then one
   * error line names the file, the reason and `instead` (what the box does about it).
   */
  read<T>(parse: (text: string) => T, instead: string): T | null {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.o.log.error({ err: errorMessage(e), file: this.path }, `cannot read ${this.o.what}; ${instead}`);
      return null;
    }
    try {
      return parse(text);
    } catch (e) {
      this.o.log.error({ err: errorMessage(e), file: this.path }, `${this.o.what} is damaged; ${instead}`);
      return null;
    }
  }

  /** Replaces the file with `value` as JSON; resolves once it is on disk (or the failure logged). */
  write(value: unknown): Promise<void> {
    const text = `${JSON.stringify(value)}\n`;
    return this.chain(() => writeFileAtomic(this.path, text));
  }

  /** Removes the file (none there is fine). */
  remove(): Promise<void> {
    return this.chain(() =>
      unlink(this.path).catch((e: unknown) => {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }),
    );
  }

  /** Resolves once the writes asked for so far are done. */
  flushed(): Promise<void> {
    return this.writing;
  }

  private chain(op: () => Promise<void>): Promise<void> {
    this.writing = this.writing.then(op).catch((e: unknown) => {
      this.o.log.error({ err: errorMessage(e), file: this.path }, `cannot write ${this.o.what}${this.o.ifWriteFails ?? ''}`);
    });
    return this.writing;
  }
}

// What the box must remember across restarts and power cuts: the highest command sequence it has
// accepted (so a replay is refused after a reboot too) and its volume. Kept in <dataDir>/state.json,
// written atomically (temp file, fsync, rename) so a power cut leaves the old or the new file,
// never half of one.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../common/logger.js';
import { writeFileAtomic } from '../common/atomic-file.js';

/** Volume before the hub sets one: the hub's default for a new cluster. */
export const DEFAULT_VOLUME = 80;

const persistedSchema = z.object({
  lastSeq: z.number().int().nonnegative(),
  volume: z.number().int().min(0).max(100),
});
export type PersistedState = z.infer<typeof persistedSchema>;

export class DeviceStateFile {
  readonly path: string;
  private current: PersistedState;
  /** Writes are chained so two quick changes cannot land out of order. */
  private writing: Promise<void> = Promise.resolve();

  constructor(dataDir: string, private readonly log: Logger) {
    mkdirSync(dataDir, { recursive: true });
    this.path = join(dataDir, 'state.json');
    this.current = this.load();
  }

  get value(): PersistedState {
    return this.current;
  }

  /** Updates the state and resolves once it is on disk. */
  update(patch: Partial<PersistedState>): Promise<void> {
    this.current = { ...this.current, ...patch };
    const snapshot = JSON.stringify(this.current) + '\n';
    this.writing = this.writing.then(() => this.write(snapshot)).catch((e: unknown) => {
      this.log.error({ err: String(e), file: this.path }, 'cannot write the state file');
    });
    return this.writing;
  }

  private load(): PersistedState {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.log.error({ err: String(e), file: this.path }, 'cannot read the state file; starting fresh');
      return { lastSeq: 0, volume: DEFAULT_VOLUME };
    }
    try {
      return persistedSchema.parse(JSON.parse(text));
    } catch (e) {
      // Starting is better than a silent box; the hub's sequence numbers keep growing anyway.
      this.log.error({ err: String(e), file: this.path }, 'the state file is damaged; starting fresh');
      return { lastSeq: 0, volume: DEFAULT_VOLUME };
    }
  }

  private write(text: string): Promise<void> {
    return writeFileAtomic(this.path, text);
  }
}

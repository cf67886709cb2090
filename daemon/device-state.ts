// What the box must remember across restarts and power cuts: the highest command sequence it has
// accepted (so a replay is refused after a reboot too) and its volume. Kept in <dataDir>/state.json,
// written atomically (state-file.ts) so a power cut leaves the old or the new file, never half of one.
import { mkdirSync } from 'node:fs';
import { z } from 'zod';
import type { Logger } from '../common/logger.js';
import { JsonStateFile } from './state-file.js';

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
  private readonly file: JsonStateFile;

  constructor(dataDir: string, log: Logger) {
    mkdirSync(dataDir, { recursive: true });
    this.file = new JsonStateFile({ dataDir, name: 'state.json', what: 'the state file', log });
    this.path = this.file.path;
    // Starting is better than a silent box; the hub's sequence numbers keep growing anyway.
    this.current = this.file.read((text) => persistedSchema.parse(JSON.parse(text)), 'starting fresh') ?? { lastSeq: 0, volume: DEFAULT_VOLUME };
  }

  get value(): PersistedState {
    return this.current;
  }

  /** Updates the state and resolves once it is on disk. */
  update(patch: Partial<PersistedState>): Promise<void> {
    this.current = { ...this.current, ...patch };
    return this.file.write(this.current);
  }
}

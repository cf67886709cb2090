// The hub's item the box is playing, kept in <dataDir>/playing.json from its start to its final
// ack, so a daemon killed mid-item (kill -9, the OOM killer, a crash) joins it again
// where the broadcast is when it starts, and the hub hears the item's end (its target would stay
// `started` otherwise). Items the box plays from its plan while offline are not kept: the offline
// player joins those by itself. Written like every state file of the box (state-file.ts): fsync'd,
// so after a power cut mid-item the box joins it again too, instead of leaving its target `started`.
import { z } from 'zod';
import type { Logger } from '../../common/logger.js';
import { decodePayload, type PlayCommand } from '../../protocol/index.js';
import { JsonStateFile } from '../state-file.js';

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
  private readonly file: JsonStateFile;

  constructor(dataDir: string, log: Logger) {
    this.file = new JsonStateFile({ dataDir, name: 'playing.json', what: 'the file of the item playing', log });
    this.path = this.file.path;
  }

  /** The item a killed daemon left, if any (read once, at start). */
  take(): PlayingNow | null {
    const now = this.file.read((text) => {
      const saved = savedSchema.parse(JSON.parse(text));
      const cmd = decodePayload('cmd', Buffer.from(JSON.stringify(saved.cmd)));
      if (!cmd.ok || cmd.value.type !== 'play') throw new Error(cmd.ok ? 'not a play' : cmd.reason);
      return { ...saved, cmd: cmd.value };
    }, 'not resuming it');
    // A damaged file goes, so the next start does not say so again (none there: nothing to do).
    if (!now) void this.file.remove();
    else this.held = now.cmd.id;
    return now;
  }

  /** An item of the hub's started playing (or was joined again). */
  save(now: PlayingNow): void {
    if (now.cmd.seq === 0) return; // the offline player's own items (seq 0) are not the hub's
    this.held = now.cmd.id;
    void this.file.write(now);
  }

  /** An item ended (its final ack went out): forget it, if it is the one kept. */
  clear(cmdId: string): void {
    if (this.held !== cmdId) return;
    this.held = null;
    void this.file.remove();
  }

  /** Resolves once the writes asked for so far are done (the daemon waits for it on stop, so a
   *  clean stop is never joined again). */
  flushed(): Promise<void> {
    return this.file.flushed();
  }
}

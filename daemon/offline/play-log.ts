// What the box played on its own while it could not reach the hub (protocol: Offline play log),
// kept at <dataDir>/playlog.jsonl so it survives a restart or power cut: one fsync'd line appended
// per item. Once connected it goes to the hub on `playlog` (QoS 1, at most 200 entries a message,
// oldest first); entries leave the file only after the broker's PUBACK for the message that
// carried them. The hub ignores an entry it already has, so a resend after a cut does no harm.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { playLogEntrySchema, PROTOCOL_VERSION, type PlayLog, type PlayLogEntry } from '../../protocol/index.js';
import { appendDurable, writeFileAtomic } from '../../common/atomic-file.js';

export const PLAYLOG_BATCH = 200;

/** Sends one message and resolves on its PUBACK; rejects when it cannot be sent or confirmed. */
export type ConfirmedSend = (log: PlayLog) => Promise<void>;

export class PlayLogFile {
  readonly path: string;
  private entries: PlayLogEntry[] = [];
  /** Appends and rewrites in order: a rewrite must not drop a line appended just before it. */
  private writing: Promise<void> = Promise.resolve();
  private sending: Promise<void> | null = null;
  private again = false;

  constructor(
    dataDir: string,
    private readonly log: Logger,
  ) {
    mkdirSync(dataDir, { recursive: true });
    this.path = join(dataDir, 'playlog.jsonl');
    this.load();
  }

  /** Entries not yet confirmed by the hub, oldest first. */
  get pending(): readonly PlayLogEntry[] {
    return this.entries;
  }

  /** Records one item; resolves once its line is on disk. */
  append(entry: PlayLogEntry): Promise<void> {
    const checked = playLogEntrySchema.safeParse(entry);
    if (!checked.success) {
      // Our own bug: a line the hub would drop must not block the ones after it.
      this.log.error({ entry, issues: checked.error.issues.slice(0, 3) }, 'built an invalid play log entry; not kept');
      return this.writing;
    }
    this.entries.push(checked.data);
    this.log.info({ ...checked.data }, 'offline play logged');
    const line = `${JSON.stringify(checked.data)}\n`;
    return this.queue(() => appendDurable(this.path, line));
  }

  /** Resolves once every write asked for so far is done. */
  idle(): Promise<void> {
    return this.writing;
  }

  /**
   * Sends what is pending, batch after batch, each removed once confirmed. One run at a time; a
   * call during a run makes it go round again. Stops at the first failure (the link went down):
   * the next call after reconnecting starts over from the oldest unconfirmed entry.
   */
  send(send: ConfirmedSend): Promise<void> {
    if (this.sending) {
      this.again = true;
      return this.sending;
    }
    this.sending = this.sendAll(send).finally(() => (this.sending = null));
    return this.sending;
  }

  private async sendAll(send: ConfirmedSend): Promise<void> {
    do {
      this.again = false;
      while (this.entries.length > 0) {
        const batch = this.entries.slice(0, PLAYLOG_BATCH);
        try {
          await send({ v: PROTOCOL_VERSION, entries: batch });
        } catch (e) {
          this.log.info({ pending: this.entries.length, err: errorMessage(e) }, 'play log not confirmed; it goes again after reconnecting');
          return;
        }
        const sent = new Set(batch);
        this.entries = this.entries.filter((x) => !sent.has(x));
        this.log.info({ sent: batch.length, pending: this.entries.length }, 'play log delivered to the hub');
        await this.rewrite();
      }
    } while (this.again);
  }

  private rewrite(): Promise<void> {
    // The text is taken now, in queue order: an entry appended before this holds its line in the
    // text (its append runs first and is replaced), one appended after is appended after it.
    const text = this.entries.map((x) => `${JSON.stringify(x)}\n`).join('');
    return this.queue(() => writeFileAtomic(this.path, text));
  }

  private queue(write: () => Promise<void>): Promise<void> {
    this.writing = this.writing.then(write).catch((e: unknown) => this.log.error({ err: errorMessage(e), file: this.path }, 'cannot write the play log'));
    return this.writing;
  }

  private load(): void {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.log.error({ err: errorMessage(e), file: this.path }, 'cannot read the play log');
      return;
    }
    let bad = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        this.entries.push(playLogEntrySchema.parse(JSON.parse(line)));
      } catch {
        bad += 1;
      }
    }
    // A power cut mid-append leaves a torn last line; the next append would glue onto it and be
    // lost too. Rewrite the file with the good lines first.
    if (bad > 0 || (text.length > 0 && !text.endsWith('\n'))) {
      this.log.warn({ dropped: bad, kept: this.entries.length }, 'the play log had damaged lines; rewrote it without them');
      void this.rewrite();
    }
    if (this.entries.length > 0) this.log.info({ pending: this.entries.length }, 'offline play log loaded; it goes to the hub once connected');
  }
}

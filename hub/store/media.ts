// The media library's records; the files themselves live under <dataDir>/media (hub/media).
// A name belongs to one item not removed at a time (a partial unique index, migration 9); removed
// rows keep theirs for the broadcast log.
import type { Db } from './db.js';

export interface MediaRow {
  id: string;
  name: string;
  originalName: string;
  durationMs: number;
  bytes: number;
  format: string;
  createdAt: number;
  removedAt?: number | null;
}

interface RawMedia {
  id: string;
  name: string;
  original_name: string;
  duration_ms: number;
  bytes: number;
  format: string;
  created_at: number;
  removed_at: number | null;
}

const toRow = (r: RawMedia): MediaRow => ({
  id: r.id,
  name: r.name,
  originalName: r.original_name,
  durationMs: r.duration_ms,
  bytes: r.bytes,
  format: r.format,
  createdAt: r.created_at,
  removedAt: r.removed_at,
});

export class MediaStore {
  constructor(private readonly db: Db) {}

  /** Inserts, or returns the existing row when the same delivery file was imported before. */
  upsert(m: Omit<MediaRow, 'removedAt'>): MediaRow {
    this.db
      .prepare(
        `INSERT INTO media (id, name, original_name, duration_ms, bytes, format, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET removed_at = NULL,
           name = CASE WHEN media.removed_at IS NULL THEN media.name ELSE excluded.name END`,
      )
      .run(m.id, m.name, m.originalName, m.durationMs, m.bytes, m.format, m.createdAt);
    return this.get(m.id)!;
  }

  /** A media row, also one removed from the library (the log still names it). */
  get(id: string): MediaRow | undefined {
    const r = this.db.prepare('SELECT * FROM media WHERE id = ?').get(id) as RawMedia | undefined;
    return r && toRow(r);
  }

  /** Every media row, also removed ones (the schedule in force may still name them). */
  all(): MediaRow[] {
    return (this.db.prepare('SELECT * FROM media ORDER BY created_at').all() as RawMedia[]).map(toRow);
  }

  /** The item (not removed) of this name, if any. */
  byName(name: string): MediaRow | undefined {
    const r = this.db.prepare('SELECT * FROM media WHERE name = ? AND removed_at IS NULL').get(name) as RawMedia | undefined;
    return r && toRow(r);
  }

  /**
   * Records an import under its name in one transaction: `replaces` (the item that had the name)
   * is marked removed first, so the name passes from one item to the other at once. A removed
   * row of the same audio comes back under the new name.
   */
  put(m: Omit<MediaRow, 'removedAt'>, replaces: string | null, at: number): MediaRow {
    return this.db.transaction(() => {
      if (replaces) this.remove(replaces, at);
      this.db
        .prepare(
          `INSERT INTO media (id, name, original_name, duration_ms, bytes, format, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET removed_at = NULL, name = excluded.name, original_name = excluded.original_name`,
        )
        .run(m.id, m.name, m.originalName, m.durationMs, m.bytes, m.format, m.createdAt);
      return this.get(m.id)!;
    })();
  }

  /** Ids of removed items (their files are deleted, or kept while a broadcast still plays them). */
  removedIds(): string[] {
    return (this.db.prepare('SELECT id FROM media WHERE removed_at IS NOT NULL').all() as { id: string }[]).map((r) => r.id);
  }

  list(): MediaRow[] {
    return (this.db.prepare('SELECT * FROM media WHERE removed_at IS NULL ORDER BY created_at DESC, name').all() as RawMedia[]).map(toRow);
  }

  /** Marks media removed; the row stays so the broadcast log keeps its name. */
  remove(id: string, at: number): boolean {
    return this.db.prepare('UPDATE media SET removed_at = ? WHERE id = ? AND removed_at IS NULL').run(at, id).changes > 0;
  }
}

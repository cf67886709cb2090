// The migration that makes media names unique (issue 13, item 1): a store written by an older hub
// with two items of the same name keeps every row; the newest keeps the name (the one schedules
// played), older ones are renamed "<name> (<id start>)", removed rows keep theirs for the log; and
// from then on the database itself refuses a second item under a name.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../hub/store/db.js';
import { MediaStore } from '../hub/store/media.js';
import { MIGRATIONS } from '../hub/store/migrations.js';
import { makeTempDir } from './helpers/tmp.js';

let tmp: ReturnType<typeof makeTempDir> | null = null;
afterEach(() => {
  tmp?.remove();
  tmp = null;
});

const id = (c: string): string => c.repeat(64);
const UNIQUE = MIGRATIONS.findIndex((m) => m.includes('media_name_unique'));

describe('unique media names migration', () => {
  it('renames older duplicates, keeps every row and its broadcasts, and enforces the name from then on', () => {
    expect(UNIQUE).toBeGreaterThan(6);
    tmp = makeTempDir('media-names-');
    const file = join(tmp.path, 'loa.db');
    const old = new Database(file);
    old.pragma('foreign_keys = ON');
    for (let v = 0; v < UNIQUE; v++) old.exec(MIGRATIONS[v]!);
    old.pragma(`user_version = ${UNIQUE}`);
    const put = old.prepare(
      'INSERT INTO media (id, name, original_name, duration_ms, bytes, format, created_at, removed_at) VALUES (?, ?, ?, 1000, 10, ?, ?, ?)',
    );
    put.run(id('a'), 'tin-xa', 'a.mp3', 'ogg/opus', 1, null);
    put.run(id('b'), 'tin-xa', 'b.mp3', 'ogg/opus', 3, null);
    put.run(id('c'), 'tin-xa', 'c.mp3', 'ogg/opus', 2, null);
    put.run(id('d'), 'tin-xa', 'd.mp3', 'ogg/opus', 4, 5); // removed: keeps its name
    put.run(id('e'), 'quoc-ca', 'e.mp3', 'ogg/opus', 1, 2);
    put.run(id('f'), 'quoc-ca', 'f.mp3', 'ogg/opus', 3, null);
    old.prepare("INSERT INTO broadcasts (id, media_id, start_at, created_at) VALUES ('b1', ?, 1, 1)").run(id('a'));
    old.close();

    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    const media = new MediaStore(db);
    const names = Object.fromEntries(media.all().map((m) => [m.id[0], [m.name, m.removedAt ?? null]]));
    expect(names).toEqual({
      a: [`tin-xa (${'a'.repeat(12)})`, null],
      b: ['tin-xa', null], // the newest item not removed keeps the name
      c: [`tin-xa (${'c'.repeat(12)})`, null],
      d: ['tin-xa', 5],
      e: ['quoc-ca', 2],
      f: ['quoc-ca', null],
    });
    expect(media.byName('tin-xa')?.id).toBe(id('b'));
    expect(db.prepare('SELECT media_id FROM broadcasts').all()).toEqual([{ media_id: id('a') }]);

    // The database refuses a second item under a name in use, also if a caller forgot to check.
    const row = { id: id('9'), name: 'tin-xa', originalName: 'x.mp3', durationMs: 1, bytes: 1, format: 'ogg/opus', createdAt: 9 };
    expect(() => media.upsert(row)).toThrow(/UNIQUE/);
    // Replacing hands the name over in one step; a removed row of the same audio comes back renamed.
    expect(media.put(row, id('b'), 10)).toMatchObject({ id: id('9'), name: 'tin-xa', removedAt: null });
    expect(media.get(id('b'))?.removedAt).toBe(10);
    expect(media.put({ ...row, id: id('e'), name: 'quoc-ca cũ' }, null, 11)).toMatchObject({ name: 'quoc-ca cũ', removedAt: null });
    expect(
      media
        .list()
        .map((m) => m.name)
        .sort(),
    ).toEqual(['quoc-ca', 'quoc-ca cũ', 'tin-xa', `tin-xa (${'a'.repeat(12)})`, `tin-xa (${'c'.repeat(12)})`]);
    db.close();
  });
});

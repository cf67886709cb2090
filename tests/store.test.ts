// The SQLite store: WAL, migrations recorded in user_version, a newer database refused, health
// samples written in batches.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Clock, TimerHandle } from '../common/clock.js';
import { closeDatabase, commitSoon, openDatabase, schemaVersion } from '../hub/store/db.js';
import { MIGRATIONS } from '../hub/store/migrations.js';
import { defaultHealthSettings, HealthStore, openStore } from '../hub/store/index.js';
import { makeTempDir } from './helpers/tmp.js';

const tmp = makeTempDir();
afterAll(() => tmp.remove());

/** A clock whose timers run only when the test says so. */
function manualClock(): Clock & { fire(): void } {
  const timers: (() => void)[] = [];
  return {
    now: () => 1_000,
    setTimeout: (fn): TimerHandle => {
      timers.push(fn);
      return { cancel: () => timers.splice(timers.indexOf(fn), 1) };
    },
    fire: () => {
      for (const f of timers.splice(0)) f();
    },
  };
}

describe('store', () => {
  it('opens in WAL mode at the latest schema version', () => {
    const db = openDatabase(join(tmp.path, 'a.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    db.close();
  });

  it('refuses a database from a newer loa-hub and leaves it untouched', () => {
    const file = join(tmp.path, 'newer.db');
    const raw = new Database(file);
    raw.pragma(`user_version = ${MIGRATIONS.length + 5}`);
    raw.close();
    expect(() => openDatabase(file)).toThrow(/LOA_STORE_TOO_NEW|schema version/);
    const again = new Database(file);
    expect(again.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 5);
    again.close();
  });

  it('writes health samples in batches: on the timer or when the batch is full', () => {
    const db = openDatabase(join(tmp.path, 'h.db'));
    const clock = manualClock();
    // No rate limit here: these samples all arrive at one instant (tests/security/health-flood.test.ts has it).
    const h = new HealthStore(db, clock, { flushEveryMs: 1000, maxBatch: 3, settings: { ...defaultHealthSettings(), minIntervalSec: 0 } });
    const sample = (clusterId: string, load1: number) => ({
      v: 1 as const,
      at: 1,
      uptimeS: 1,
      cpuTempC: null,
      load1,
      memFreeMb: 1,
      memTotalMb: 2,
      diskFreeMb: null,
      player: 'idle' as const,
      lastError: null,
      agent: 't',
      clusterId,
      receivedAt: 1,
    });
    h.add(sample('a', 0.1));
    h.add(sample('b', 0.2));
    expect(h.count()).toBe(0);
    expect(h.latest('a')?.load1).toBe(0.1);
    clock.fire();
    expect(h.count()).toBe(2);
    h.add(sample('a', 0.3));
    h.add(sample('a', 0.4));
    h.add(sample('a', 0.5));
    expect(h.count()).toBe(5);
    db.close();
  });

  it('keeps a removed media item for the log but not in the library', () => {
    const s = openStore(join(tmp.path, 'm'), manualClock());
    const m = { id: 'a'.repeat(64), name: 'tin', originalName: 'tin.mp3', durationMs: 1000, bytes: 10, format: 'ogg/opus', createdAt: 1 };
    s.media.upsert(m);
    expect(s.media.remove(m.id, 2)).toBe(true);
    expect(s.media.list()).toEqual([]);
    expect(s.media.get(m.id)?.name).toBe('tin');
    s.media.upsert({ ...m, name: 'tin moi' });
    expect(s.media.list().map((x) => x.name)).toEqual(['tin moi']);
    s.close();
  });

  it('group commit: writes of one turn are seen at once here, by another connection after the turn, and kept by a close', async () => {
    const file = join(tmp.path, 'group.db');
    const db = openDatabase(file);
    db.exec('CREATE TABLE t (x INTEGER)');
    const other = new Database(file, { readonly: true });
    const count = (d: Database.Database) => (d.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n;
    const errors: unknown[] = [];
    commitSoon(db, (e) => errors.push(e));
    db.prepare('INSERT INTO t VALUES (1)').run();
    commitSoon(db, (e) => errors.push(e)); // a second call in the same turn joins the first
    db.transaction(() => db.prepare('INSERT INTO t VALUES (2)').run())(); // a savepoint inside
    expect(() =>
      db.transaction(() => {
        db.prepare('INSERT INTO t VALUES (3)').run();
        throw new Error('no');
      })(),
    ).toThrow('no');
    expect(count(db)).toBe(2);
    expect(count(other)).toBe(0); // not committed yet
    await new Promise((r) => setImmediate(r));
    expect(count(other)).toBe(2);
    expect(db.inTransaction).toBe(false);
    // A close before the turn ends commits what is open.
    commitSoon(db, (e) => errors.push(e));
    db.prepare('INSERT INTO t VALUES (4)').run();
    closeDatabase(db);
    expect(count(other)).toBe(3);
    await new Promise((r) => setImmediate(r)); // the pending commit finds the database closed and does nothing
    expect(errors).toEqual([]);
    other.close();
  });
});

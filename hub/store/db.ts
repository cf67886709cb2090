// Opens the hub's SQLite database (better-sqlite3, WAL) and brings its schema up to date with
// versioned migrations recorded in PRAGMA user_version.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { LoaError } from '../../common/errors.js';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

const statements = new WeakMap<Db, Map<string, Database.Statement>>();

/**
 * A prepared statement for this SQL, prepared once per database: preparing costs more than running
 * these small queries, and presence, acks and health call them per cluster (10,000 clusters: bench
 * ingest and fanout, docs/benchmarks.md). Only for fixed SQL text; none of the stores changes a
 * statement's mode (pluck/raw), which would leak to the next caller.
 */
export function prepared(db: Db, sql: string): Database.Statement {
  let cache = statements.get(db);
  if (!cache) {
    cache = new Map();
    statements.set(db, cache);
  }
  let stmt = cache.get(sql);
  if (!stmt) {
    stmt = db.prepare(sql);
    cache.set(sql, stmt);
  }
  return stmt;
}

/**
 * Group commit: the writes made from here to the end of this turn of the event loop share one
 * transaction, committed by setImmediate. A burst of 10,000 acknowledgements (bench fanout) then
 * costs a few commits instead of one WAL append each. Every reader shares this one connection, so
 * the writes are seen at once; a `db.transaction()` inside becomes a savepoint. What the hub
 * would lose in a crash is the last few milliseconds of such writes, as with any commit not yet
 * made. `closeDatabase` commits what is open.
 */
export function commitSoon(db: Db, onError: (err: unknown) => void): void {
  if (db.inTransaction) return;
  db.exec('BEGIN');
  setImmediate(() => {
    if (!db.open || !db.inTransaction) return;
    try {
      db.exec('COMMIT');
    } catch (err) {
      // A full disk or an I/O error (then every other write fails too): what was written in this
      // turn is lost, an API change made in it included; sequence numbers taken in it are not
      // handed out again, as they follow the clock (clusters.ts takeSeq). Said in the log rather
      // than thrown where nobody catches it.
      try {
        if (db.inTransaction) db.exec('ROLLBACK');
      } catch {
        // SQLite rolls back by itself when it cannot; nothing more to do here
      }
      onError(err);
    }
  });
}

/** Commits a group commit still open, then closes. */
export function closeDatabase(db: Db): void {
  if (db.open && db.inTransaction) db.exec('COMMIT');
  db.close();
}

export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the last commits.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: Db): void {
  const current = schemaVersion(db);
  if (current > MIGRATIONS.length) {
    throw new LoaError(
      'LOA_STORE_TOO_NEW',
      `the database is at schema version ${current} but this loa-hub knows only ${MIGRATIONS.length}; run a newer loa-hub or restore a backup.`,
    );
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    const step = db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    });
    step();
  }
}

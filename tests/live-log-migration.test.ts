// Migration 6 (relays in the broadcast log): a database written before it keeps its broadcasts,
// their outcomes and its foreign keys, and afterwards takes relay broadcasts (no media, a stream
// address) that the log names "relay URL".
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../hub/store/db.js';
import { MIGRATIONS } from '../hub/store/migrations.js';
import { BroadcastStore } from '../hub/store/broadcasts.js';
import { makeTempDir } from './helpers/tmp.js';

let tmp: ReturnType<typeof makeTempDir> | null = null;
afterEach(() => {
  tmp?.remove();
  tmp = null;
});

describe('broadcast log migration for relays', () => {
  it('keeps old rows and foreign keys, and accepts relay rows', () => {
    tmp = makeTempDir('live-log-');
    const file = join(tmp.path, 'hub.db');
    // The database as a hub before migration 6 left it, with one played media broadcast.
    const old = new Database(file);
    old.pragma('foreign_keys = ON');
    for (let v = 0; v < 5; v++) old.exec(MIGRATIONS[v]!);
    old.pragma('user_version = 5');
    old
      .prepare(
        "INSERT INTO media (id, name, original_name, duration_ms, bytes, format, created_at) VALUES ('m1', 'quoc-ca', 'q.mp3', 60000, 100, 'ogg/opus', 1)",
      )
      .run();
    old
      .prepare(
        "INSERT INTO broadcasts (id, media_id, start_at, created_at, kind, priority, planned_end) VALUES ('b1', 'm1', 1000, 1, 'schedule', 'normal', 61000)",
      )
      .run();
    old
      .prepare(
        "INSERT INTO broadcast_targets (broadcast_id, cluster_id, status, updated_at, started_at, finished_at, segments) VALUES ('b1', 'c1', 'finished', 2, " +
          '1000, 61000, 1)',
      )
      .run();
    old.close();

    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    const store = new BroadcastStore(db);
    expect(store.log({ from: 0, to: 10_000 })).toMatchObject([
      { broadcastId: 'b1', clusterId: 'c1', mediaName: 'quoc-ca', streamUrl: null, outcome: 'played' },
    ]);
    expect(store.durationMs('b1')).toBe(60_000);

    store.ensure({
      id: 'r1',
      mediaId: null,
      streamUrl: 'http://vov.vn/vov1.mp3',
      startAt: 2000,
      plannedEnd: 92_000,
      createdAt: 1,
      createdBy: 'schedule',
      volume: null,
      kind: 'schedule',
      priority: 'normal',
      programmeId: 'p',
      programmeName: 'p',
    });
    store.ensureTarget('r1', 'c1', 2000);
    expect(store.get('r1')).toMatchObject({ mediaId: '', mediaName: 'relay http://vov.vn/vov1.mp3', streamUrl: 'http://vov.vn/vov1.mp3', durationMs: 90_000 });
    expect(store.durationMs('r1')).toBe(90_000);
    // Still enforced after the rebuild: targets need their broadcast, broadcasts their media, and a
    // broadcast names exactly one of a media file or a stream.
    expect(() => store.ensureTarget('nope', 'c1', 1)).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare("INSERT INTO broadcasts (id, media_id, start_at, created_at) VALUES ('b2', 'gone', 1, 1)").run()).toThrow(/FOREIGN KEY/);
    expect(() => db.prepare("INSERT INTO broadcasts (id, start_at, created_at) VALUES ('b3', 1, 1)").run()).toThrow(/CHECK/);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    db.close();
  });
});

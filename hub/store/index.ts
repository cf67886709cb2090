// The hub's store: one SQLite file in the data directory, one repository per kind of record.
import { join } from 'node:path';
import type { Clock } from '../../common/clock.js';
import { AlarmStore } from './alarms.js';
import { BroadcastStore } from './broadcasts.js';
import { CameraStore } from './cameras.js';
import { ClusterStore } from './clusters.js';
import { closeDatabase, openDatabase, type Db } from './db.js';
import { HealthStore } from './health.js';
import type { HealthSettings } from './health-settings.js';
import { MediaStore } from './media.js';
import { ScheduleStore } from './schedules.js';
import { TokenStore } from './tokens.js';

export * from './alarms.js';
export * from './broadcasts.js';
export * from './cameras.js';
export * from './clusters.js';
export * from './health.js';
export * from './health-settings.js';
export * from './media.js';
export * from './schedules.js';
export * from './tokens.js';

export interface Store {
  db: Db;
  clusters: ClusterStore;
  media: MediaStore;
  broadcasts: BroadcastStore;
  health: HealthStore;
  tokens: TokenStore;
  schedules: ScheduleStore;
  alarms: AlarmStore;
  cameras: CameraStore;
  close(): void;
}

export function openStore(dataDir: string, clock: Clock, opts: { health?: HealthSettings } = {}): Store {
  const db = openDatabase(join(dataDir, 'loa.db'));
  const health = new HealthStore(db, clock, opts.health ? { settings: opts.health } : {});
  return {
    db,
    clusters: new ClusterStore(db),
    media: new MediaStore(db),
    broadcasts: new BroadcastStore(db),
    health,
    tokens: new TokenStore(db),
    schedules: new ScheduleStore(db),
    alarms: new AlarmStore(db),
    // The key is created beside the database on first use (docs/cameras.md says what it protects).
    cameras: new CameraStore(db, join(dataDir, 'camera-secrets.key')),
    close() {
      health.flush();
      health.stop();
      closeDatabase(db);
    },
  };
}

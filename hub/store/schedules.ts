// Schedule versions (every applied file, with who and when), emergencies, and the little state
// the scheduler keeps across restarts.
import { prepared, type Db } from './db.js';

export interface ScheduleVersionRow {
  version: number;
  file: string;
  text: string;
  appliedBy: string;
  appliedAt: number;
}

export interface EmergencyRow {
  id: string;
  mediaId: string;
  clusters: string[];
  zones: string[];
  repeat: boolean;
  volume: number | null;
  startedAt: number;
  startedBy: string;
  stoppedAt: number | null;
  stoppedBy: string | null;
}

interface RawEmergency {
  id: string;
  media_id: string;
  clusters: string;
  zones: string;
  repeat: number;
  volume: number | null;
  started_at: number;
  started_by: string;
  stopped_at: number | null;
  stopped_by: string | null;
}

const toEmergency = (r: RawEmergency): EmergencyRow => ({
  id: r.id,
  mediaId: r.media_id,
  clusters: JSON.parse(r.clusters) as string[],
  zones: JSON.parse(r.zones) as string[],
  repeat: r.repeat === 1,
  volume: r.volume,
  startedAt: r.started_at,
  startedBy: r.started_by,
  stoppedAt: r.stopped_at,
  stoppedBy: r.stopped_by,
});

export class ScheduleStore {
  constructor(private readonly db: Db) {}

  addVersion(v: Omit<ScheduleVersionRow, 'version'>): ScheduleVersionRow {
    const r = prepared(this.db, 'INSERT INTO schedule_versions (file, text, applied_by, applied_at) VALUES (?, ?, ?, ?) RETURNING version').get(
      v.file,
      v.text,
      v.appliedBy,
      v.appliedAt,
    ) as { version: number };
    return { ...v, version: r.version };
  }

  current(): ScheduleVersionRow | undefined {
    const r = prepared(this.db, 'SELECT * FROM schedule_versions ORDER BY version DESC LIMIT 1').get() as
      | { version: number; file: string; text: string; applied_by: string; applied_at: number }
      | undefined;
    return r && { version: r.version, file: r.file, text: r.text, appliedBy: r.applied_by, appliedAt: r.applied_at };
  }

  versions(): Omit<ScheduleVersionRow, 'text'>[] {
    return (
      prepared(this.db, 'SELECT version, file, applied_by, applied_at FROM schedule_versions ORDER BY version DESC').all() as {
        version: number;
        file: string;
        applied_by: string;
        applied_at: number;
      }[]
    ).map((r) => ({ version: r.version, file: r.file, appliedBy: r.applied_by, appliedAt: r.applied_at }));
  }

  startEmergency(e: Omit<EmergencyRow, 'stoppedAt' | 'stoppedBy'>): EmergencyRow {
    prepared(this.db, 'INSERT INTO emergencies (id, media_id, clusters, zones, repeat, volume, started_at, started_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
      e.id,
      e.mediaId,
      JSON.stringify(e.clusters),
      JSON.stringify(e.zones),
      e.repeat ? 1 : 0,
      e.volume,
      e.startedAt,
      e.startedBy,
    );
    return { ...e, stoppedAt: null, stoppedBy: null };
  }

  activeEmergencies(): EmergencyRow[] {
    return (prepared(this.db, 'SELECT * FROM emergencies WHERE stopped_at IS NULL ORDER BY started_at').all() as RawEmergency[]).map(toEmergency);
  }

  /** Ends every active emergency (or one); returns those it ended. */
  stopEmergencies(at: number, by: string, id?: string): EmergencyRow[] {
    const active = this.activeEmergencies().filter((e) => !id || e.id === id);
    const stmt = prepared(this.db, 'UPDATE emergencies SET stopped_at = ?, stopped_by = ? WHERE id = ?');
    this.db.transaction(() => {
      for (const e of active) stmt.run(at, by, e.id);
    })();
    return active.map((e) => ({ ...e, stoppedAt: at, stoppedBy: by }));
  }

  emergencies(from: number, to: number): EmergencyRow[] {
    return (prepared(this.db, 'SELECT * FROM emergencies WHERE started_at >= ? AND started_at <= ? ORDER BY started_at').all(from, to) as RawEmergency[]).map(
      toEmergency,
    );
  }

  getState(key: string): string | undefined {
    return (prepared(this.db, 'SELECT value FROM hub_state WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  setState(key: string, value: string): void {
    prepared(this.db, 'INSERT INTO hub_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }
}

// Alarms and the events feed. An alarm is one episode of a condition on a subject (raised once,
// cleared once); every raise and clear is also an event row whose increasing id is the cursor of
// the feeds (`/api/v1/alarms/events`, the police `/api/v1/events`).
import type { Params } from '../../common/i18n/catalogue.js';
import { english } from '../../common/i18n/reasons.js';
import type { Alarm, AlarmDetail, AlarmRaise, AlarmSeverity, AlarmSubject, FeedEvent, FeedEventType, SubjectType } from './alarm-types.js';
import type { Db } from './db.js';

interface RawAlarm {
  id: number;
  kind: string;
  severity: AlarmSeverity;
  subject_type: SubjectType;
  subject_id: string;
  detail: string;
  raised_at: number;
  cleared_at: number | null;
  clear_detail: string | null;
  detail_code: string | null;
  detail_params: string | null;
  detail_extra: string | null;
  clear_code: string | null;
  clear_params: string | null;
  clear_extra: string | null;
}

interface RawEvent {
  id: number;
  at: number;
  type: FeedEventType;
  alarm_id: number | null;
  kind: string;
  subject_type: SubjectType;
  subject_id: string;
  severity: AlarmSeverity;
  detail: string;
  detail_code: string | null;
  detail_params: string | null;
  detail_extra: string | null;
}

/** Parameters as stored (JSON); anything unreadable reads as none. */
function params(json: string | null): Params {
  if (!json) return {};
  try {
    const v: unknown = JSON.parse(json);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Params) : {};
  } catch {
    return {};
  }
}

/** The English text stored in `detail`: the sentence, then the operator's extra in brackets. */
export const detailOf = (d: AlarmDetail): string => (d.extra ? `${english(d.reason)} (${d.extra})` : english(d.reason));

/** The columns of a coded detail: code, parameters as JSON, extra. */
const coded = (d: AlarmDetail): [string, string, string | null] => [d.reason.code, JSON.stringify(d.reason.params), d.extra ?? null];

const toAlarm = (r: RawAlarm): Alarm => ({
  id: r.id,
  kind: r.kind,
  severity: r.severity,
  subjectType: r.subject_type,
  subjectId: r.subject_id,
  detail: r.detail,
  detailCode: r.detail_code,
  detailParams: params(r.detail_params),
  detailExtra: r.detail_extra,
  raisedAt: r.raised_at,
  clearedAt: r.cleared_at,
  clearDetail: r.clear_detail,
  clearCode: r.clear_code,
  clearParams: params(r.clear_params),
  clearExtra: r.clear_extra,
});

const toEvent = (r: RawEvent): FeedEvent => ({
  id: r.id,
  at: r.at,
  type: r.type,
  alarmId: r.alarm_id,
  kind: r.kind,
  subjectType: r.subject_type,
  subjectId: r.subject_id,
  severity: r.severity,
  detail: r.detail,
  detailCode: r.detail_code,
  detailParams: params(r.detail_params),
  detailExtra: r.detail_extra,
});

/** A raise or clear that happened: the alarm as it now is and the event it added to the feed. */
export interface AlarmChange {
  alarm: Alarm;
  event: FeedEvent;
}

export class AlarmStore {
  private readonly findOpen;
  private readonly insertAlarm;
  private readonly closeAlarm;
  private readonly insertEvent;
  private readonly byId;

  constructor(private readonly db: Db) {
    this.findOpen = db.prepare('SELECT * FROM alarms WHERE kind = ? AND subject_type = ? AND subject_id = ? AND cleared_at IS NULL');
    this.insertAlarm = db.prepare(
      `INSERT INTO alarms (kind, severity, subject_type, subject_id, detail, raised_at, detail_code, detail_params, detail_extra)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    );
    this.closeAlarm = db.prepare(
      'UPDATE alarms SET cleared_at = ?, clear_detail = ?, clear_code = ?, clear_params = ?, clear_extra = ? WHERE id = ? RETURNING *',
    );
    this.insertEvent = db.prepare(
      `INSERT INTO events (at, type, alarm_id, kind, subject_type, subject_id, severity, detail, detail_code, detail_params, detail_extra)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    );
    this.byId = db.prepare('SELECT * FROM alarms WHERE id = ?');
  }

  /** Opens an alarm unless one of that kind is already open on the subject (then null). */
  raise(r: AlarmRaise, at: number): AlarmChange | null {
    return this.db.transaction((): AlarmChange | null => {
      if (this.findOpen.get(r.kind, r.subjectType, r.subjectId)) return null;
      const text = detailOf(r);
      const alarm = toAlarm(this.insertAlarm.get(r.kind, r.severity, r.subjectType, r.subjectId, text, at, ...coded(r)) as RawAlarm);
      const event = toEvent(this.insertEvent.get(at, 'alarm-raised', alarm.id, r.kind, r.subjectType, r.subjectId, r.severity, text, ...coded(r)) as RawEvent);
      return { alarm, event };
    })();
  }

  /** Closes the open alarm of that kind on the subject, if there is one. */
  clear(kind: string, subject: AlarmSubject, at: number, detail: AlarmDetail): AlarmChange | null {
    return this.db.transaction((): AlarmChange | null => {
      const open = this.findOpen.get(kind, subject.subjectType, subject.subjectId) as RawAlarm | undefined;
      if (!open) return null;
      const text = detailOf(detail);
      const alarm = toAlarm(this.closeAlarm.get(at, text, ...coded(detail), open.id) as RawAlarm);
      const event = toEvent(
        this.insertEvent.get(at, 'alarm-cleared', alarm.id, kind, subject.subjectType, subject.subjectId, alarm.severity, text, ...coded(detail)) as RawEvent,
      );
      return { alarm, event };
    })();
  }

  get(id: number): Alarm | undefined {
    const r = this.byId.get(id) as RawAlarm | undefined;
    return r && toAlarm(r);
  }

  /** Open alarms, newest first; only those of one subject when given. */
  open(subject?: AlarmSubject): Alarm[] {
    const rows = subject
      ? this.db
          .prepare('SELECT * FROM alarms WHERE cleared_at IS NULL AND subject_type = ? AND subject_id = ? ORDER BY raised_at DESC, id DESC')
          .all(subject.subjectType, subject.subjectId)
      : this.db.prepare('SELECT * FROM alarms WHERE cleared_at IS NULL ORDER BY raised_at DESC, id DESC').all();
    return (rows as RawAlarm[]).map(toAlarm);
  }

  /** Open and cleared alarms, newest first. */
  list(limit: number): Alarm[] {
    return (this.db.prepare('SELECT * FROM alarms ORDER BY raised_at DESC, id DESC LIMIT ?').all(limit) as RawAlarm[]).map(toAlarm);
  }

  /** Feed events after the cursor, oldest first. */
  events(after: number, limit: number): FeedEvent[] {
    return (this.db.prepare('SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?').all(after, limit) as RawEvent[]).map(toEvent);
  }

  /** The newest event's id (0 when the feed is empty): where a new reader starts to follow. */
  lastEventId(): number {
    return (this.db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM events').get() as { id: number }).id;
  }
}

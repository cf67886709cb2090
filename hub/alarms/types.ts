// What an alarm and an entry of the events feed look like, for the store, the HTTP API and the bus.
// Kinds are open strings in the store so the cameras (issue 5) can add theirs; the cluster kinds
// raised by this module are listed here.

export const CLUSTER_ALARM_KINDS = ['cluster-offline', 'temperature', 'throttled', 'play-failed', 'cache-insufficient'] as const;
export type ClusterAlarmKind = (typeof CLUSTER_ALARM_KINDS)[number];

export const ALARM_SEVERITIES = ['warning', 'critical'] as const;
export type AlarmSeverity = (typeof ALARM_SEVERITIES)[number];

/** What an alarm is about: a cluster now, a camera once the police issue lands. */
export type SubjectType = 'cluster' | 'camera';

export interface AlarmSubject {
  subjectType: SubjectType;
  subjectId: string;
}

export interface Alarm extends AlarmSubject {
  id: number;
  kind: string;
  severity: AlarmSeverity;
  /** Short, language-neutral facts (a reason code, a reading and its limit), not a sentence. */
  detail: string;
  raisedAt: number;
  /** Null while open. */
  clearedAt: number | null;
  /** What ended it, e.g. "online", "68.0 °C", "cluster removed". */
  clearDetail: string | null;
}

export type FeedEventType = 'alarm-raised' | 'alarm-cleared';

/** One row of the events feed; `id` increases and is the cursor (`after=`). */
export interface FeedEvent extends AlarmSubject {
  id: number;
  at: number;
  type: FeedEventType;
  alarmId: number | null;
  kind: string;
  severity: AlarmSeverity;
  detail: string;
}

/** What a module asks to raise. */
export interface AlarmRaise extends AlarmSubject {
  kind: string;
  severity: AlarmSeverity;
  detail: string;
}

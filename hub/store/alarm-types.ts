// What an alarm and an entry of the events feed look like as stored, and what a module asks to
// raise; hub/alarms/ re-exports them. Details are coded (common/i18n/reasons.ts): readers
// translate the code and parameters; `detail` is the English text for clients that do not.
import type { Params } from '../../common/i18n/catalogue.js';
import type { Reason } from '../../common/i18n/reasons.js';

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
  /** English: the coded sentence, then the operator's extra in brackets, e.g. "the player failed (b-9: …)". */
  detail: string;
  /** Null on alarms stored before details were coded (their `detail` is all there is). */
  detailCode: string | null;
  detailParams: Params;
  /** Technical words for operators only (the broadcast, what the box said); never sent to the police. */
  detailExtra: string | null;
  raisedAt: number;
  /** Null while open. */
  clearedAt: number | null;
  /** What ended it, e.g. "online again", "68.0 °C", "cluster removed"; coded like the detail. */
  clearDetail: string | null;
  clearCode: string | null;
  clearParams: Params;
  clearExtra: string | null;
}

export type FeedEventType = 'alarm-raised' | 'alarm-cleared';

/** One row of the events feed; `id` increases and is the cursor (`after=`). Its kind, severity and
 *  detail are its alarm's. */
export interface FeedEvent extends AlarmSubject, Pick<Alarm, 'kind' | 'severity' | 'detail' | 'detailCode' | 'detailParams' | 'detailExtra'> {
  id: number;
  at: number;
  type: FeedEventType;
  alarmId: number | null;
}

/** A detail as a module gives it: the coded sentence, and technical words for operators only. */
export interface AlarmDetail {
  reason: Reason;
  /** E.g. the broadcast and the box's own error line: never shown to the police. */
  extra?: string | null;
}

/** What a module asks to raise. */
export interface AlarmRaise extends AlarmSubject, AlarmDetail {
  kind: string;
  severity: AlarmSeverity;
}

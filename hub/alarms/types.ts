// The alarm kinds this module raises on clusters, and (re-exported from the store, which keeps
// them) what an alarm and an entry of the events feed look like. Kinds are open strings in the
// store so the cameras can add theirs. Details are coded (common/i18n/reasons.ts): readers
// translate the code and parameters; `detail` is the English text for clients that do not.

export const CLUSTER_ALARM_KINDS = ['cluster-offline', 'temperature', 'throttled', 'play-failed', 'cache-insufficient', 'hub-key-refused'] as const;
export type ClusterAlarmKind = (typeof CLUSTER_ALARM_KINDS)[number];

// The shapes themselves are the store's rows (hub/store/alarm-types.ts): the store sits below
// this module and must not import from it.
export {
  ALARM_SEVERITIES,
  type AlarmSeverity,
  type SubjectType,
  type AlarmSubject,
  type Alarm,
  type FeedEventType,
  type FeedEvent,
  type AlarmDetail,
  type AlarmRaise,
} from '../store/alarm-types.js';

// Compile-time only: the records the routes send whole (store rows, module views) have exactly the
// fields the declared API (api.ts) names. A route's return type catches a missing or mistyped
// field; this catches one added to a row, which a spread (`...row`) would send undeclared.
import type { CameraView } from '../cameras/types.js';
import type { LiveInfo } from '../live/service.js';
import type { Alarm as AlarmRow, FeedEvent as FeedEventRow } from '../alarms/types.js';
import type { ScheduleProblem as ProblemRow, TimelineEntry as TimelineRow } from '../schedule/model.js';
import type { BroadcastRow, ClusterRow, EmergencyRow, LogEntry as LogRow, MediaRow, TokenRow } from '../store/index.js';
import type * as api from './api.js';

/** true when A and B have the same field names, else a type error naming the first one. */
type SameFields<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never]
  ? true
  : { onlyInRow: Exclude<keyof A, keyof B>; onlyInApi: Exclude<keyof B, keyof A> };

export type RowsMatchApi = [
  SameFields<ClusterRow, api.Cluster>,
  SameFields<MediaRow, api.Media>,
  SameFields<Omit<BroadcastRow, 'targets'> & { status: unknown; targets: unknown }, api.Broadcast>,
  SameFields<LogRow, api.LogEntry>,
  SameFields<EmergencyRow, api.Emergency>,
  SameFields<TokenRow, api.Token>,
  SameFields<AlarmRow, api.Alarm>,
  SameFields<FeedEventRow, api.FeedEvent>,
  SameFields<CameraView, api.Camera>,
  SameFields<ProblemRow, api.ScheduleProblem>,
  SameFields<TimelineRow, api.TimelineEntry>,
  SameFields<LiveInfo, api.LiveInfo>,
];
const matches: RowsMatchApi = [true, true, true, true, true, true, true, true, true, true, true, true];
void matches;

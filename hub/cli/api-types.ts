// The hub's HTTP API bodies as the CLI reads them (docs/api.md is the contract; times are epoch ms).
import type { CameraView, DiscoveredCamera } from '../cameras/types.js';
import type { ReportRow } from '../http/routes/report.js';
import type { ClusterRow, EmergencyRow, MediaRow, TargetStatus } from '../store/index.js';

// Where the hub's own record is the body, its type is used, so the two cannot drift apart.
export type Cluster = ClusterRow;

export interface ClusterHealth {
  at: number;
  uptimeS: number;
  cpuTempC: number | null;
  load1: number | null;
  memFreeMb: number | null;
  memTotalMb: number | null;
  diskFreeMb: number | null;
  player: string | null;
  lastError: string | null;
  agent: string | null;
}

export interface ClusterStatus extends Cluster {
  playing: { broadcastId: string; mediaId: string; mediaName: string; startedAt: number | null } | null;
  health: ClusterHealth | null;
}

export type Media = Omit<MediaRow, 'removedAt'>;

export type { TargetStatus };

export type BroadcastStatus = 'scheduled' | 'running' | 'done' | 'stopped';

export interface Target {
  clusterId: string;
  status: TargetStatus;
  reason: string | null;
  detail: string | null;
  acceptedAt: number | null;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface Broadcast {
  id: string;
  mediaId: string;
  mediaName: string;
  durationMs: number;
  createdAt: number;
  startAt: number;
  status: BroadcastStatus;
  targets: Target[];
}

export interface LogEntry {
  broadcastId: string;
  clusterId: string;
  mediaId: string;
  mediaName: string;
  plannedStart: number;
  status: TargetStatus;
  reason: string | null;
  detail: string | null;
  acceptedAt: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  playedMs: number | null;
  // Since the schedules issue; absent from older hubs, so optional here.
  kind?: 'adhoc' | 'schedule' | 'emergency' | string;
  priority?: string;
  programmeId?: string | null;
  programmeName?: string | null;
  plannedEnd?: number | null;
  outcome?: Outcome;
}

export type Outcome = 'played' | 'partial' | 'preempted' | 'missed-offline' | 'missed' | 'failed' | 'stopped' | 'pending';

export type Role = 'operator' | 'police' | 'viewer';
export const ROLES: readonly Role[] = ['operator', 'police', 'viewer'];

export interface Token {
  id: string;
  name: string;
  role: Role;
  createdAt: number;
}

export interface HubStatus {
  hub: { version: string; startedAt: number; ffmpeg?: { path: string; source: string } };
  clusters: ClusterStatus[];
}

/** One line of an NDJSON media upload answer. */
export type UploadEvent =
  | { event: 'progress'; phase: string; percent: number }
  | { event: 'done'; media: Media; replaced?: Media | null; unchanged?: boolean; oldOnAir?: { id: string }[] }
  | { event: 'error'; error: { code: string; message: string; details?: unknown } };

export type Priority = 'emergency' | 'live' | 'priority' | 'normal' | 'filler';

/** One finding of the schedule validator (codes in docs/schedules.md). */
export interface ScheduleProblem {
  severity: 'error' | 'warning';
  code: string;
  file: string;
  line: number;
  col: number;
  message: string;
}

export interface ValidateAnswer {
  ok: boolean;
  problems: ScheduleProblem[];
  programmes: number;
}

export interface ScheduleChanges {
  added: string[];
  removed: string[];
  changed: string[];
  unchanged: string[];
}

export interface ApplyAnswer {
  version: number | null;
  dryRun: boolean;
  problems: ScheduleProblem[];
  changes: ScheduleChanges;
}

export interface ScheduleVersion {
  version: number;
  file: string;
  appliedBy: string;
  appliedAt: number;
}

export interface ProgrammeSummary {
  id: string;
  name: string;
  oneOff: boolean;
  priority: Priority;
  /** How many clusters and items. */
  clusters: number;
  items: number;
  /** "05:00" or "slot sang". */
  when: string;
}

export interface CurrentSchedule extends ScheduleVersion {
  text: string;
  /** The hub's site (its config's, else this schedule's): files for another site are refused. */
  site: string | null;
  timezone: string;
  programmes: ProgrammeSummary[];
}

/** `media` for a media item, `durationMs` for silence; relay and tts come later. */
export interface PlanItem {
  kind: 'media' | 'silence' | string;
  media?: string;
  durationMs?: number;
}

export interface TimelineEntry {
  key: string;
  programmeId: string;
  programmeName: string;
  clusterId: string;
  priority: Priority;
  startAt: number;
  endAt: number;
  item: PlanItem;
  mediaId: string | null;
  volume: number | null;
  localDate: string;
}

export interface PlanAnswer {
  date: string;
  timezone: string;
  entries: TimelineEntry[];
}

export type Emergency = EmergencyRow;

export type { ReportRow };

export interface ReportAnswer {
  month: string;
  timezone: string;
  from: number;
  to: number;
  clusters: ReportRow[];
  total: ReportRow;
}

// Cameras (issue 5): the hub's own view types, which carry no credentials.
export type Camera = CameraView;
export type { DiscoveredCamera };

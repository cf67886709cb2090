// The hub's HTTP API bodies as the CLI reads them (docs/api.md is the contract; times are epoch ms).

export interface Cluster {
  id: string;
  name: string;
  village: string;
  volume: number;
  createdAt: number;
  online: boolean;
  lastSeenAt: number | null;
}

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

export interface Media {
  id: string;
  name: string;
  originalName: string;
  durationMs: number;
  bytes: number;
  format: string;
  createdAt: number;
}

export type TargetStatus =
  | 'pending' | 'sent' | 'accepted' | 'started' | 'finished'
  | 'stopped' | 'failed' | 'refused' | 'offline' | 'expired';

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
}

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
  | { event: 'done'; media: Media }
  | { event: 'error'; error: { code: string; message: string } };

// A camera as the hub keeps and shows it: configuration without credentials, plus the last poll's
// findings. hub/cameras/types.ts re-exports these for the module's users.
import type { Reason } from '../../common/i18n/reasons.js';

export const CAMERA_STATUSES = ['unknown', 'online', 'degraded', 'unauthorised', 'offline'] as const;
/** unknown: not checked yet since it was added or the hub started. */
export type CameraStatus = (typeof CAMERA_STATUSES)[number];

export interface CameraDeviceInfo {
  manufacturer: string;
  model: string;
  firmwareVersion: string;
  serialNumber: string;
  hardwareId: string;
}

export interface CameraProfile {
  token: string;
  name: string;
  encoding: string | null;
  width: number | null;
  height: number | null;
}

/** A camera as the API shows it: configuration without credentials, plus the last poll's findings. */
export interface CameraView {
  id: string;
  name: string;
  village: string | null;
  host: string;
  port: number;
  path: string;
  /** 'config' when it comes from a config file (the file wins at each start), 'operator' when added by CLI/API. */
  source: 'config' | 'operator';
  createdAt: number;
  status: CameraStatus;
  /** Why it has this status, coded for readers to translate (common/i18n/reasons.ts), e.g.
   *  { code: 'camera.clock-skew', params: { s: 95 } }; several for a degraded camera, none when fine. */
  reasons: Reason[];
  /** The same in English, joined with "; ", e.g. "clock skew 95 s; slow answer (1800 ms)"; null when none. */
  reason: string | null;
  /** Since when it has had this status. */
  statusSince: number | null;
  /** Last time it answered at all (any status but offline/unknown). */
  lastSeenAt: number | null;
  lastCheckedAt: number | null;
  /** Camera clock minus hub clock, ms (from GetSystemDateAndTime). */
  clockSkewMs: number | null;
  /** Round trip of the poll's first request, ms. */
  latencyMs: number | null;
  device: CameraDeviceInfo | null;
  profiles: CameraProfile[];
  /** RTSP address of the main profile, as the camera gives it (without credentials). */
  streamUri: string | null;
  /** The hub's proxy address for a fresh picture (relative to the hub's URL). */
  snapshotUrl: string;
  /** Kinds of alarms open on this camera now. */
  openAlarms: string[];
}

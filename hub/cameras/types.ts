// The cameras module's contract: what a camera is, what the poller found out about it, and the
// service the HTTP routes, the CLI and the monitor page use. Credentials appear only in
// CameraInput (going in); nothing coming out of this module carries them.
import type { AlarmSeverity } from '../alarms/types.js';
import type { CameraView } from '../store/camera-types.js';

// What a camera is and what the poller found: the store's rows (hub/store/camera-types.ts), which
// sits below this module and must not import from it.
export { CAMERA_STATUSES, type CameraStatus, type CameraDeviceInfo, type CameraProfile, type CameraView } from '../store/camera-types.js';

/** Alarm kinds raised on cameras (subjectType 'camera'), through the AlarmService. */
export const CAMERA_ALARM_KINDS = ['camera-offline', 'camera-unauthorised', 'camera-motion'] as const;
export type CameraAlarmKind = (typeof CAMERA_ALARM_KINDS)[number];
export const CAMERA_ALARM_SEVERITY: Record<CameraAlarmKind, AlarmSeverity> = {
  'camera-offline': 'critical',
  'camera-unauthorised': 'warning',
  'camera-motion': 'warning',
};

/** What an operator gives to add a camera (CLI, API, or a config file). */
export interface CameraInput {
  id: string;
  host: string;
  /** ONVIF HTTP port; default 80. */
  port?: number;
  /** Device service path; default /onvif/device_service. */
  path?: string;
  user: string;
  password: string;
  name?: string;
  village?: string;
}

/** What a viewer token (a public screen) gets: which cameras work, nothing about where they are
 *  on the network or what they film. */
export type CameraStatusView = Pick<CameraView, 'id' | 'name' | 'village' | 'status' | 'reasons' | 'reason' | 'statusSince' | 'lastSeenAt'>;

export interface DiscoveredCamera {
  /** The device service address it announced (XAddrs), e.g. http://192.168.1.64/onvif/device_service. */
  xaddr: string;
  host: string;
  port: number;
  path: string;
  /** WS-Discovery endpoint reference (urn:uuid:…), stable per device. */
  endpoint: string | null;
  /** From its scopes: onvif://www.onvif.org/name/…, …/location/…, …/hardware/… */
  name: string | null;
  location: string | null;
  hardware: string | null;
  /** The id of an already configured camera at that address, if any. */
  knownAs: string | null;
}

export interface DiscoverOptions {
  /** How long to listen for answers, ms; default 3000. */
  timeoutMs?: number;
  /** Also send a unicast Probe to each address of these ranges, e.g. "192.168.1.10-192.168.1.60" or "10.0.0.0/28". */
  ranges?: string[];
  /** Send the multicast probe to 239.255.255.250:3702; default true. */
  multicast?: boolean;
  /** UDP port probes are sent to (default 3702); tests use another. */
  port?: number;
}

export interface Snapshot {
  jpeg: Buffer;
  /** When the hub got it from the camera. */
  takenAt: number;
  /** True when served from the proxy's cache. */
  cached: boolean;
  /** True when it is the last picture of a camera that cannot give a new one (asked with fallback 'last'). */
  stale: boolean;
}

/** The cameras module as the rest of the hub sees it (HTTP routes, CLI through them, monitor page). */
export interface CameraService {
  list(): CameraView[];
  get(id: string): CameraView | undefined;
  /** Adds or replaces (same id) a camera; throws LoaError LOA_BAD_REQUEST/LOA_CONFLICT with what is wrong. Polls it at once. */
  add(input: CameraInput, opts?: { replace?: boolean }): CameraView;
  remove(id: string): boolean;
  /** Changes each time any camera's view changes, timestamps of a routine poll included. */
  readonly version: number;
  /** Changes when a view changes in more than a routine poll's timestamps and measurements
   *  (lastCheckedAt, lastSeenAt, latencyMs, clockSkewMs): status, reason, details, alarms, settings.
   *  The list's weak ETag is made from it, so a police client polling every few seconds gets 304s. */
  readonly stateVersion: number;
  /** Resolves once every camera has been polled at least once since the call (tests, CLI `--wait`). */
  pollAll(): Promise<void>;
  /** A fresh picture through the proxy cache; throws LoaError (LOA_CAMERA_NOT_FOUND 404, LOA_CAMERA_UNAVAILABLE 502, LOA_CAMERA_TIMEOUT 504) when it cannot.
   *  With fallback 'last', the last picture the hub got (stale: true) instead of those 502/504s, when it has one. */
  snapshot(id: string, opts?: { fallback?: 'last' }): Promise<Snapshot>;
  discover(opts?: DiscoverOptions): Promise<DiscoveredCamera[]>;
}

// Turning stored cameras into the views the API shows, and checking what an operator gives.
import { HOST_PATTERN, USER_PATTERN } from '../../common/camera-input.js';
import { cameraErrors } from './errors.js';
import { english, type Reason } from '../../common/i18n/reasons.js';
import { CLUSTER_ID_PATTERN } from '../../protocol/index.js';
import type { CameraRow, CameraSettingsRow } from '../store/cameras.js';
import type { CameraInput, CameraStatusView, CameraView } from './types.js';

/** The cluster id rule: 1–63 lowercase letters, digits and dashes, starting with a letter or digit. */
export const CAMERA_ID_PATTERN = CLUSTER_ID_PATTERN;
export const DEFAULT_ONVIF_PORT = 80;
export const DEFAULT_DEVICE_PATH = '/onvif/device_service';

// Shared with the `loa` CLI, which checks what an operator types before sending it.
export { HOST_PATTERN, USER_PATTERN };

export const snapshotUrlOf = (id: string): string => `/api/v1/cameras/${id}/snapshot`;

export function toView(row: CameraRow, openAlarms: string[]): CameraView {
  const f = row.findings;
  return {
    id: row.id,
    name: row.name,
    village: row.village,
    host: row.host,
    port: row.port,
    path: row.path,
    source: row.source,
    createdAt: row.createdAt,
    status: f.status,
    reasons: f.reasons,
    reason: reasonText(f.reasons),
    statusSince: f.statusSince,
    lastSeenAt: f.lastSeenAt,
    lastCheckedAt: f.lastCheckedAt,
    clockSkewMs: f.clockSkewMs,
    latencyMs: f.latencyMs,
    device: f.device,
    profiles: f.profiles,
    streamUri: f.streamUri,
    snapshotUrl: snapshotUrlOf(row.id),
    openAlarms,
  };
}

/** Reasons in English as the API's `reason` gives them; null when there are none. */
export const reasonText = (reasons: readonly Reason[]): string | null => (reasons.length > 0 ? reasons.map(english).join('; ') : null);

/**
 * The viewer's view: status only. A reason may quote what the camera or the network said, so any
 * mention of the camera's address in it is blanked out too.
 */
export function statusView(v: CameraView): CameraStatusView {
  const hide = (text: string): string => text.split(v.host).join('…');
  const reasons = v.reasons.map((r) => ({
    code: r.code,
    params: Object.fromEntries(Object.entries(r.params).map(([k, p]) => [k, typeof p === 'string' ? hide(p) : p])),
  }));
  return {
    id: v.id,
    name: v.name,
    village: v.village,
    status: v.status,
    reasons,
    reason: v.reason === null ? null : hide(v.reason),
    statusSince: v.statusSince,
    lastSeenAt: v.lastSeenAt,
  };
}

/** A camera's settings once checked. */
export type CheckedInput = CameraSettingsRow;

const bad = cameraErrors.badRequest;

function text(v: unknown, what: string, max: number, required: boolean): string {
  if (v === undefined || v === null || v === '') {
    if (required) throw bad(`camera ${what} is missing; give it (e.g. --${what} …).`);
    return '';
  }
  if (typeof v !== 'string') throw bad(`camera ${what} must be text.`);
  if (v.length > max) throw bad(`camera ${what} is longer than ${max} characters.`);
  // Control characters would end up in logs and SOAP headers.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters in untrusted text is the point
  if (/[\u0000-\u001f\u007f]/.test(v)) throw bad(`camera ${what} contains control characters.`);
  return v;
}

/** Validates and fills defaults; throws LOA_BAD_REQUEST naming the field. */
export function checkInput(input: CameraInput): CheckedInput {
  if (typeof input.id !== 'string' || !CAMERA_ID_PATTERN.test(input.id)) {
    throw bad(
      `"${String(input.id)}" is not a valid camera id: use 1-63 lowercase letters, digits and dashes, starting with a letter or digit (e.g. cam-ban-muong-1).`,
    );
  }
  const host = text(input.host, 'host', 253, true);
  if (!HOST_PATTERN.test(host)) throw bad(`camera host "${host}" is not a host name or IP address.`);
  const port = input.port ?? DEFAULT_ONVIF_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad(`camera port must be a whole number from 1 to 65535, not ${String(port)}.`);
  const path = text(input.path, 'path', 256, false) || DEFAULT_DEVICE_PATH;
  if (!path.startsWith('/') || /[\s?#]/.test(path)) throw bad(`camera path "${path}" must start with / and hold no spaces, ? or #.`);
  const user = text(input.user, 'user', 128, true);
  if (!USER_PATTERN.test(user))
    throw bad('camera user may not contain ":" (HTTP Digest cannot carry it) nor < > & " (the ONVIF request carries it as XML text).');
  const password = text(input.password, 'password', 256, true);
  return {
    id: input.id,
    host: host.replace(/^\[|\]$/g, ''),
    port,
    path,
    user,
    password,
    name: text(input.name, 'name', 200, false) || input.id,
    village: text(input.village, 'village', 200, false) || null,
  };
}

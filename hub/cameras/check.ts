// One poll of one camera: what it answers, in order, and the status that follows.
//   cheap: GetSystemDateAndTime (reachable, latency, clock skew) + GetDeviceInformation (credentials)
//   full:  the same, then services, profiles, and the main profile's stream and snapshot addresses
import type { Clock } from '../../common/clock.js';
import { reason, type Reason } from '../../common/i18n/reasons.js';
import type { CameraConnection } from '../store/cameras.js';
import { CameraCallError, type OnvifSession } from './onvif-client.js';
import { mainProfile, parseDeviceInfo, parseProfiles, safeUri } from './replies.js';
import type { CameraDeviceInfo, CameraProfile, CameraStatus } from './types.js';

export interface CheckLimits {
  slowMs: number;
  maxClockSkewMs: number;
}

export interface CheckResult {
  status: Exclude<CameraStatus, 'unknown'>;
  /** Why, coded; empty when online. */
  reasons: Reason[];
  /** It answered at all (lastSeenAt moves). */
  reachable: boolean;
  latencyMs: number | null;
  clockSkewMs: number | null;
  /** Present after a successful call; absent means "keep what was known". */
  device?: CameraDeviceInfo;
  /** Present after a full poll that got this far. */
  media?: { profiles: CameraProfile[]; streamUri: string | null; snapshotUri: string | null };
}

const offline = (e: CameraCallError): CheckResult => ({ status: 'offline', reasons: [e.reason], reachable: false, latencyMs: null, clockSkewMs: null });

/**
 * A snapshot address naming another host is pointed back at the configured host and port, as the
 * ONVIF calls are (preserveAddress): a camera behind NAT announces its inside address, and the hub
 * must not send credentials to wherever a camera's reply says.
 */
export function pinToCamera(uri: string, target: Pick<CameraConnection, 'host' | 'port'>): string {
  const u = new URL(uri);
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  if (u.hostname !== host) {
    u.hostname = host;
    u.port = String(target.port);
  }
  return u.toString();
}

export async function checkCamera(session: OnvifSession, full: boolean, clock: Clock, limits: CheckLimits): Promise<CheckResult> {
  const { cam } = session;
  const issues: Reason[] = [];
  let reachable = false;

  // 1. Date and time: answered without credentials (ONVIF Core 5.9.1), so it measures reachability alone.
  let latencyMs: number | null = null;
  let clockSkewMs: number | null = null;
  cam.timeShift = undefined; // the package keeps the first value; the camera's clock may have moved
  const sentAt = clock.now();
  try {
    const { data } = await session.call<Date>('GetSystemDateAndTime', (cb) => cam.getSystemDateAndTime(cb));
    const receivedAt = clock.now();
    reachable = true;
    latencyMs = receivedAt - sentAt;
    const t = data instanceof Date ? data.getTime() : NaN;
    // The camera states whole seconds, so its time is on average half a second later than it says;
    // compare that with the middle of the round trip.
    if (Number.isFinite(t)) clockSkewMs = t + (t % 1000 === 0 ? 500 : 0) - Math.round((sentAt + receivedAt) / 2);
    else issues.push(reason('camera.no-date'));
  } catch (e) {
    const err = e as CameraCallError;
    if (err.kind === 'offline') return offline(err);
    if (err.kind === 'unauthorised')
      return { status: 'unauthorised', reasons: [err.reason], reachable: true, latencyMs: clock.now() - sentAt, clockSkewMs: null };
    reachable = true;
    latencyMs = clock.now() - sentAt;
    issues.push(err.reason);
  }

  // 2. Device information: the first call that needs the credentials.
  let device: CameraDeviceInfo | undefined;
  try {
    const { xml } = await session.call<unknown>('GetDeviceInformation', (cb) => cam.getDeviceInformation(cb));
    const info = parseDeviceInfo(xml);
    if (info) device = info;
    else issues.push(reason('camera.no-device-info'));
  } catch (e) {
    const err = e as CameraCallError;
    if (err.kind === 'offline') return offline(err);
    if (err.kind === 'unauthorised') return { status: 'unauthorised', reasons: [err.reason], reachable: true, latencyMs, clockSkewMs };
    issues.push(err.reason);
  }

  let media: CheckResult['media'];
  if (full) {
    try {
      media = await readMedia(session, issues);
    } catch (e) {
      const err = e as CameraCallError;
      if (err.kind === 'offline') return offline(err);
      if (err.kind === 'unauthorised')
        return { status: 'unauthorised', reasons: [err.reason], reachable: true, latencyMs, clockSkewMs, ...(device ? { device } : {}) };
      issues.push(err.reason);
      media = { profiles: [], streamUri: null, snapshotUri: null };
    }
  }

  if (clockSkewMs !== null && Math.abs(clockSkewMs) > limits.maxClockSkewMs) issues.unshift(reason('camera.clock-skew', { s: Math.round(clockSkewMs / 1000) }));
  if (latencyMs !== null && latencyMs > limits.slowMs) issues.unshift(reason('camera.slow', { ms: latencyMs }));
  return {
    status: issues.length > 0 ? 'degraded' : 'online',
    reasons: issues,
    reachable,
    latencyMs,
    clockSkewMs,
    ...(device ? { device } : {}),
    ...(media ? { media } : {}),
  };
}

/** Services, profiles, and the main profile's addresses; problems that leave it usable go to `issues`. */
async function readMedia(session: OnvifSession, issues: Reason[]): Promise<NonNullable<CheckResult['media']>> {
  const { cam } = session;
  const empty = { profiles: [], streamUri: null, snapshotUri: null };
  await session.readServices();
  if (!cam.uri?.media && !(cam.media2Support && cam.uri?.media2)) {
    issues.push(reason('camera.no-media-service'));
    return empty;
  }
  const { data } = await session.call<unknown>('GetProfiles', (cb) => cam.getProfiles(cb));
  const profiles = parseProfiles(data);
  const main = mainProfile(profiles);
  if (!main) {
    issues.push(reason('camera.no-profiles'));
    return { ...empty, profiles };
  }
  let streamUri: string | null = null;
  let snapshotUri: string | null = null;
  try {
    const r = await session.call<unknown>('GetStreamUri', (cb) => cam.getStreamUri({ protocol: 'RTSP', profileToken: main.token }, cb));
    streamUri = safeUri(r.data, ['rtsp:', 'rtsps:']);
  } catch (e) {
    if ((e as CameraCallError).kind !== 'bad-reply') throw e;
  }
  if (!streamUri) issues.push(reason('camera.no-stream-address'));
  try {
    const r = await session.call<unknown>('GetSnapshotUri', (cb) => cam.getSnapshotUri({ profileToken: main.token }, cb));
    const uri = safeUri(r.data, ['http:', 'https:']);
    snapshotUri = uri && pinToCamera(uri, session.target);
  } catch (e) {
    if ((e as CameraCallError).kind !== 'bad-reply') throw e;
  }
  if (!snapshotUri) issues.push(reason('camera.no-snapshot-address'));
  return { profiles, streamUri, snapshotUri };
}

export { CameraCallError };

// Where a camera's profile streams, with the credentials ffmpeg needs: the main profile's RTSP
// address from the last poll, the sub profile's asked of the camera (GetStreamUri) when a pull
// starts. The credentials go into the address handed to ffmpeg only; redact() takes them out of
// anything ffmpeg says back.
import type { Clock } from '../../common/clock.js';
import { CameraCallError, OnvifSession } from '../cameras/onvif-client.js';
import { mainProfile, safeUri } from '../cameras/replies.js';
import type { CameraProfile } from '../cameras/types.js';
import type { Store } from '../store/index.js';

export const LIVE_PROFILES = ['main', 'sub'] as const;
export type LiveProfile = (typeof LIVE_PROFILES)[number];

export interface StreamSource {
  /** The address with user:password in it: for ffmpeg's command line only. */
  url: string;
  /** The same without credentials, for logs and viewers. */
  shown: string;
  secrets: string[];
}

/** The smallest profile is the sub stream (a camera with one profile serves it for both). */
export function pickProfile(profiles: CameraProfile[], profile: LiveProfile): CameraProfile | undefined {
  if (profile === 'main') return mainProfile(profiles);
  return [...profiles].sort((a, b) => (a.width ?? 0) * (a.height ?? 0) - (b.width ?? 0) * (b.height ?? 0))[0];
}

/** Thrown when a camera cannot say where it streams; `message` is safe to show. */
export class SourceError extends Error {}

export async function streamSource(deps: { store: Store; clock: Clock; timeoutMs: number }, id: string, profile: LiveProfile): Promise<StreamSource> {
  const row = deps.store.cameras.get(id);
  const conn = deps.store.cameras.connection(id);
  if (!row || !conn) throw new SourceError(`camera ${id} is not configured`);
  const chosen = pickProfile(row.findings.profiles, profile);
  let uri = profile === 'main' || chosen?.token === mainProfile(row.findings.profiles)?.token ? row.findings.streamUri : null;
  if (!uri) {
    if (!chosen) throw new SourceError(`camera ${id} has told no media profiles yet (is it online?)`);
    const session = new OnvifSession(conn, { clock: deps.clock, timeoutMs: deps.timeoutMs });
    try {
      await session.readServices();
      const r = await session.call<unknown>('GetStreamUri', (cb) => session.cam.getStreamUri({ protocol: 'RTSP', profileToken: chosen.token }, cb));
      uri = safeUri(r.data, ['rtsp:', 'rtsps:']);
    } catch (e) {
      throw new SourceError(e instanceof CameraCallError ? `GetStreamUri: ${e.message}` : `GetStreamUri failed`);
    } finally {
      session.close();
    }
    if (!uri) throw new SourceError(`camera ${id} gave no RTSP address for its ${profile} profile`);
  }
  const u = new URL(uri);
  // As for snapshots: credentials go only to the host the hub was given, not wherever a reply says.
  u.hostname = conn.host.includes(':') ? `[${conn.host}]` : conn.host;
  const shown = u.toString();
  u.username = encodeURIComponent(conn.user);
  u.password = encodeURIComponent(conn.password);
  const secrets = [conn.password, encodeURIComponent(conn.password)].filter((s) => s.length > 0);
  return { url: u.toString(), shown, secrets };
}

/** Text from ffmpeg with the credentials cut out (it echoes the address it was given). */
export function redact(text: string, secrets: string[]): string {
  let out = text.replace(/(rtsps?:\/\/)[^@/\s]*@/gi, '$1');
  for (const s of secrets) out = out.split(s).join('***');
  return out;
}

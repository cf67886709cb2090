// A test hub with simulated ONVIF cameras registered through the API and the tokens the police
// tests use (police, viewer): short poll intervals so statuses change within a second.
import { silentLogger, type Logger } from '../../common/logger.js';
import { startCameras, type CameraFarm } from '../../firmware-sim/cameras/index.js';
import type { CameraView } from '../../hub/cameras/types.js';
import type { HubConfigInput } from '../../hub/config.js';
import { startTestHub, waitFor, type TestHub } from './hub.js';

export interface PoliceRig {
  t: TestHub;
  farm: CameraFarm;
  /** Camera ids in the farm's order: cam-1, cam-2, … */
  ids: string[];
  police: string;
  viewer: string;
  /** One camera's view as the operator sees it. */
  camera(id: string): Promise<CameraView>;
  /** Waits until camera `id` has `status` (polls the API). */
  waitStatus(id: string, status: CameraView['status'], timeoutMs?: number): Promise<CameraView>;
  stop(): Promise<void>;
}

// Distinctive, so a test can search every answer for them.
export const CAMERA_USER = 'opr-cam-7q';
export const CAMERA_PASSWORD = 'pw-Xk29-never-shown';

/** Fast camera settings for tests: a poll every 300 ms, short timeouts, alarms without delay. */
export const FAST_CAMERAS: NonNullable<HubConfigInput['cameras']> = {
  pollIntervalSec: 0.3,
  timeoutMs: 800,
  offlineAlarmAfterSec: 0,
  backoffMaxSec: 0.6,
  snapshotCacheMs: 200,
};

export async function makeToken(t: TestHub, role: 'operator' | 'police' | 'viewer', name = `${role} test`): Promise<string> {
  const r = await t.api<{ secret: string }>('POST', '/api/v1/tokens', { role, name });
  if (r.status !== 201) throw new Error(`making a ${role} token: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.secret;
}

export async function startPoliceRig(opts: {
  firstHost: string;
  count: number;
  /** Register the cameras with the hub (default true). */
  register?: boolean;
  villages?: string[];
  discoveryPort?: number | null;
  cameras?: HubConfigInput['cameras'];
  /** Cluster alarm settings (a short offlineMinutes for tests that need a cluster-offline alarm). */
  alarms?: HubConfigInput['alarms'];
  /** The hub's logger (default silent); tests that read the log pass one with a destination. */
  logger?: Logger;
}): Promise<PoliceRig> {
  const farm = await startCameras({
    count: opts.count,
    port: 0,
    firstHost: opts.firstHost,
    logger: silentLogger(),
    user: CAMERA_USER,
    password: CAMERA_PASSWORD,
    ...(opts.villages ? { villages: opts.villages } : {}),
    ...(opts.discoveryPort !== undefined ? { discoveryPort: opts.discoveryPort } : {}),
  });
  let t: TestHub;
  try {
    t = await startTestHub({
      config: { cameras: { ...FAST_CAMERAS, ...opts.cameras }, ...(opts.alarms ? { alarms: opts.alarms } : {}) },
      ...(opts.logger ? { logger: opts.logger } : {}),
    });
  } catch (e) {
    await farm.stop();
    throw e;
  }
  const ids = farm.cameras.map((_, i) => `cam-${i + 1}`);
  const rig: PoliceRig = {
    t,
    farm,
    ids,
    police: await makeToken(t, 'police'),
    viewer: await makeToken(t, 'viewer'),
    async camera(id) {
      const r = await t.api<{ camera: CameraView }>('GET', `/api/v1/cameras/${id}`);
      if (r.status !== 200) throw new Error(`camera ${id}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.camera;
    },
    waitStatus(id, status, timeoutMs = 8000) {
      return waitFor(
        async () => {
          const c = await rig.camera(id);
          return c.status === status ? c : null;
        },
        { timeoutMs, intervalMs: 100, what: `camera ${id} ${status}` },
      );
    },
    async stop() {
      await t.stop();
      await farm.stop();
    },
  };
  if (opts.register !== false) {
    for (const [i, cam] of farm.cameras.entries()) {
      const r = await t.api('POST', '/api/v1/cameras', {
        id: ids[i],
        host: cam.host,
        port: cam.port,
        user: CAMERA_USER,
        password: CAMERA_PASSWORD,
        name: `Camera ${i + 1}`,
        ...(opts.villages?.[i] ? { village: opts.villages[i] } : {}),
      });
      if (r.status !== 201) throw new Error(`adding camera ${ids[i]}: ${r.status} ${JSON.stringify(r.body)}`);
    }
  }
  return rig;
}

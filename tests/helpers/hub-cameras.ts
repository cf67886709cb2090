// A real hub with short camera intervals and a farm of simulated ONVIF cameras (firmware-sim) on
// their own loopback addresses, each test file with its own firstHost so files never collide.
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Logger } from '../../common/logger.js';
import { silentLogger } from '../../common/logger.js';
import { startCameras, type CameraFarm, type CameraFarmOptions } from '../../firmware-sim/cameras/index.js';
import type { HubConfigInput } from '../../hub/config.js';
import type { CameraView } from '../../hub/cameras/types.js';
import { startTestHub, waitFor, type TestHub } from './hub.js';

export const CAMERA_TEST_SETTINGS = {
  pollIntervalSec: 0.3,
  timeoutMs: 1000,
  concurrency: 16,
  offlineAlarmAfterSec: 1.5,
  maxClockSkewSec: 30,
  slowMs: 400,
  snapshotCacheMs: 3000,
  backoffMaxSec: 0.6,
  motion: false,
} satisfies HubConfigInput['cameras'];

export interface CameraHub {
  hub: TestHub;
  farm: CameraFarm;
  /** Camera ids as added to the hub: cam-1 … cam-N, in farm order. */
  ids: string[];
  view(id: string): CameraView;
  /** Waits until the camera's view satisfies the test. */
  waitView(id: string, test: (v: CameraView) => boolean, what: string, timeoutMs?: number): Promise<CameraView>;
  stop(): Promise<void>;
}

/** A pino logger writing JSON lines into `lines`, to check what the hub logs. */
export function capturingLogger(lines: string[]): Logger {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return pino({ level: 'trace' }, sink) as unknown as Logger;
}

export async function startCameraHub(opts: {
  count: number;
  firstHost: string;
  cameras?: Partial<NonNullable<HubConfigInput['cameras']>>;
  logger?: Logger;
  discoveryPort?: number | null;
  addCameras?: boolean;
  /** The cameras' password (default admin), also given to the hub. */
  password?: string;
  dataDir?: string;
  /** Real RTSP video from the cameras (firmware-sim/cameras/index.ts). */
  video?: CameraFarmOptions['video'];
}): Promise<CameraHub> {
  const password = opts.password ?? 'admin';
  const farm = await startCameras({
    count: opts.count,
    port: 0,
    logger: silentLogger(),
    firstHost: opts.firstHost,
    discoveryPort: opts.discoveryPort ?? null,
    password,
    ...(opts.video ? { video: opts.video } : {}),
  });
  let hub: TestHub;
  try {
    hub = await startTestHub({
      config: { cameras: { ...CAMERA_TEST_SETTINGS, ...opts.cameras } },
      ...(opts.logger ? { logger: opts.logger } : {}),
      ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    });
  } catch (e) {
    await farm.stop();
    throw e;
  }
  const ids = farm.cameras.map((_, i) => `cam-${i + 1}`);
  if (opts.addCameras ?? true) {
    for (const [i, cam] of farm.cameras.entries())
      hub.hub.cameras.add({ id: ids[i]!, host: cam.host, port: cam.port, user: 'admin', password, name: cam.name });
  }
  const view = (id: string): CameraView => {
    const v = hub.hub.cameras.get(id);
    if (!v) throw new Error(`no camera ${id}`);
    return v;
  };
  return {
    hub,
    farm,
    ids,
    view,
    waitView: (id, test, what, timeoutMs = 5000) => waitFor(() => (test(view(id)) ? view(id) : null), { timeoutMs, what: `${id}: ${what}`, intervalMs: 20 }),
    async stop() {
      await hub.stop();
      await farm.stop();
    },
  };
}

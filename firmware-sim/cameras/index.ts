// A set of simulated ONVIF cameras on consecutive loopback addresses (127.0.1.1, 127.0.1.2, …),
// for loa-sim --cameras, tests and benchmarks.
import { systemClock, type Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { SimCamera, type CameraFaults } from './camera.js';
import { WSD_MULTICAST, WSD_PORT } from './discovery.js';
import { makeSnapshot } from './snapshot.js';
import { startRtspServer, type RtspServerProcess } from './rtsp-process.js';
import { ensureLoops } from './video-loop.js';

export { DEFAULT_MOTION_MS, SimCamera } from './camera.js';
export { MOTION_TOPIC, MOTION_SOURCE } from './event-replies.js';
export { DEFAULT_TERMINATION_MS, MAX_PULL_TIMEOUT_MS, MAX_SUBSCRIPTIONS, QUEUE_LIMIT } from './events-service.js';
export type { CameraFaults, SimCameraOptions } from './camera.js';
export { makeSnapshot } from './snapshot.js';
export { buildControlApp, cameraControlView, startControlServer, type CameraControlView, type ControlServer } from './control.js';
export { faultsPatchSchema, parseFaultSpec } from './fault-spec.js';
export { WSD_MULTICAST, WSD_PORT, parseProbe, probeMatch, scopes } from './discovery.js';
export { DEFAULT_RTSP_PORT, findPython, type RtspServerProcess } from './rtsp-process.js';
export { DEFAULT_LOOP_SECONDS, defaultVideoCacheDir } from './video-loop.js';

/** ONVIF's standard HTTP port, as real cameras use; binding it needs root or CAP_NET_BIND_SERVICE. */
export const DEFAULT_CAMERA_PORT = 80;
export const DEFAULT_CAMERA_USER = 'admin';
export const DEFAULT_CAMERA_PASSWORD = 'admin';

export interface CameraFarmOptions {
  count: number;
  logger: Logger;
  /** Same port on every camera's address; 0 gives each a free port (tests). Default 80. */
  port?: number;
  user?: string;
  password?: string;
  clock?: Clock;
  ffmpegPath?: string;
  /** First address; default 127.0.1.1. */
  firstHost?: string;
  /** UDP port of each camera's unicast WS-Discovery responder; default 3702, or none (null) when port is 0, so parallel tests do not collide. */
  discoveryPort?: number | null;
  /** Camera i's village (WS-Discovery location scope). */
  villages?: (string | undefined)[];
  /** Faults camera i has from the start (before it answers anything). */
  faults?: (Partial<CameraFaults> | undefined)[];
  /** Also join 239.255.255.250:3702 on this local interface address and answer multicast probes for every camera. */
  multicastInterface?: string;
  /** Real H.264 over RTSP (docs/simulator.md); without it GetStreamUri names port 554 where nothing listens. */
  video?: CameraVideoOptions;
}

export interface CameraVideoOptions {
  /** Where the pre-encoded loops are kept and reused (defaultVideoCacheDir() for loa-sim). */
  cacheDir: string;
  /** RTSP port on every camera's address; 0 gives each a free one (tests). */
  rtspPort: number;
  /** The streams ask for the cameras' user and password (HTTP Digest), as real cameras do; default false. */
  auth?: boolean;
  /** Length of the loop in seconds; default 10. */
  loopSeconds?: number;
  /** A python3 with python3-gi and gir1.2-gst-rtsp-server-1.0; default: found by findPython(). */
  python?: string;
}

/** The i-th camera's address (0-based): 127.0.1.1 … 127.0.1.254, then 127.0.2.1 …; the whole of 127/8 is loopback on Linux. */
export function cameraHost(i: number, first = '127.0.1.1'): string {
  const [a, b, c, d] = first.split('.').map(Number) as [number, number, number, number];
  const n = (c - 1) * 254 + (d - 1) + i;
  return `${a}.${b}.${1 + Math.floor(n / 254)}.${1 + (n % 254)}`;
}

export interface CameraFarm {
  readonly cameras: SimCamera[];
  /** The RTSP server process when the farm has video, else null. */
  readonly rtsp: RtspServerProcess | null;
  /** Camera i (0-based); throws a RangeError naming the valid range otherwise. */
  camera(index: number): SimCamera;
  setFaults(index: number, faults: Partial<CameraFaults>): void;
  /** Motion on camera i now, ending after durationMs (default 5 s). */
  triggerMotion(index: number, durationMs?: number): void;
  /** Reboots camera i: same address and port, every subscription forgotten. */
  restart(index: number): Promise<void>;
  stop(): Promise<void>;
}

// ffmpeg runs once per camera; a few at a time keeps a 600-camera start from forking 600 processes.
const SNAPSHOT_CONCURRENCY = 4;

export async function startCameras(opts: CameraFarmOptions): Promise<CameraFarm> {
  const clock = opts.clock ?? systemClock;
  const cameras: SimCamera[] = [];
  const names = Array.from({ length: opts.count }, (_, i) => `cam-${String(i + 1).padStart(3, '0')}`);
  // The video (loops and RTSP server) gets ready while ffmpeg draws the snapshots.
  const video = opts.video ? startVideo(opts.video, names, opts) : Promise.resolve(null);
  const jpegs: Buffer[] = new Array<Buffer>(opts.count);
  let next = 0;
  const snapshots = Promise.all(
    Array.from({ length: Math.min(SNAPSHOT_CONCURRENCY, opts.count) }, async () => {
      for (let i = next++; i < opts.count; i = next++) jpegs[i] = await makeSnapshot(`${names[i]} ${cameraHost(i, opts.firstHost)}`, opts.ffmpegPath);
    }),
  );
  const [started, drawn] = await Promise.allSettled([video, snapshots]);
  const rtsp = started.status === 'fulfilled' ? started.value : null;
  if (started.status === 'rejected' || drawn.status === 'rejected') {
    await rtsp?.stop();
    throw started.status === 'rejected' ? started.reason : (drawn as PromiseRejectedResult).reason;
  }
  try {
    for (let i = 0; i < opts.count; i++) {
      const cam = new SimCamera({
        name: names[i]!,
        host: cameraHost(i, opts.firstHost),
        port: opts.port ?? DEFAULT_CAMERA_PORT,
        user: opts.user ?? DEFAULT_CAMERA_USER,
        password: opts.password ?? DEFAULT_CAMERA_PASSWORD,
        jpeg: jpegs[i]!,
        clock,
        logger: opts.logger,
        village: opts.villages?.[i],
        discoveryPort: opts.discoveryPort !== undefined ? opts.discoveryPort : opts.port === 0 ? null : WSD_PORT,
        rtspPort: rtsp?.ports.get(names[i]!),
      });
      const faults = opts.faults?.[i];
      if (faults) cam.setFaults(faults);
      await cam.start();
      cameras.push(cam);
    }
  } catch (e) {
    await Promise.all([...cameras.map((c) => c.stop()), rtsp?.stop()]);
    throw e;
  }
  let mcast: UdpSocket | null = null;
  if (opts.multicastInterface) {
    try {
      mcast = await joinMulticast(opts.multicastInterface, cameras, opts.logger);
    } catch (e) {
      await Promise.all([...cameras.map((c) => c.stop()), rtsp?.stop()]);
      throw e;
    }
  }
  const camera = (index: number): SimCamera => {
    const cam = Number.isInteger(index) ? cameras[index] : undefined;
    if (!cam) throw new RangeError(`no camera ${index}; there are ${cameras.length} (0-${cameras.length - 1})`);
    return cam;
  };
  return {
    cameras,
    rtsp,
    camera,
    setFaults: (index, faults) => camera(index).setFaults(faults),
    triggerMotion: (index, durationMs) => camera(index).triggerMotion(durationMs),
    restart: (index) => camera(index).restart(),
    async stop() {
      const m = mcast;
      mcast = null;
      if (m) await new Promise<void>((resolve) => m.close(() => resolve()));
      await Promise.all([...cameras.map((c) => c.stop()), rtsp?.stop()]);
    },
  };
}

// The RTSP password is the one the camera starts with: a wrong-password fault changes only its ONVIF side.
function rtspAuth(video: CameraVideoOptions, opts: CameraFarmOptions): { user: string; password: string } | undefined {
  return video.auth ? { user: opts.user ?? DEFAULT_CAMERA_USER, password: opts.password ?? DEFAULT_CAMERA_PASSWORD } : undefined;
}

// The loops are encoded (or found in the cache) before the server starts, so it only copies H.264.
async function startVideo(video: CameraVideoOptions, names: string[], opts: CameraFarmOptions): Promise<RtspServerProcess> {
  const loops = await ensureLoops({ cameras: names, cacheDir: video.cacheDir, loopSeconds: video.loopSeconds, ffmpegPath: opts.ffmpegPath });
  return startRtspServer({
    cameras: names.map((name, i) => ({ name, host: cameraHost(i, opts.firstHost), port: video.rtspPort, auth: rtspAuth(video, opts), loops: loops[i]! })),
    python: video.python,
    logger: opts.logger,
  });
}

// One multicast listener for the whole farm: a multicast Probe reaches one socket per group member,
// so it answers for every camera, each reply naming that camera's own XAddrs.
async function joinMulticast(iface: string, cameras: SimCamera[], logger: Logger): Promise<UdpSocket> {
  const udp = createSocket({ type: 'udp4', reuseAddr: true });
  udp.on('message', (msg, rinfo) => {
    for (const cam of cameras) {
      const reply = cam.answerProbe(msg);
      if (reply) udp.send(reply, rinfo.port, rinfo.address);
    }
  });
  udp.on('error', (err) => logger.warn({ err }, 'multicast discovery socket error'));
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(WSD_PORT, () => {
      udp.off('error', reject);
      resolve();
    });
  });
  udp.addMembership(WSD_MULTICAST, iface);
  return udp;
}

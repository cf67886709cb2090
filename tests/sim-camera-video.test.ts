// The simulated cameras' real video: GetStreamUri (asked through the `onvif` npm client) names an
// RTSP address that GStreamer's RTSP server streams H.264 on, read by ffprobe (clients nobody here
// wrote): the profile's size, frames for longer than the loop with increasing times, two readers
// at once, each camera's name in the picture, and no server left after stop.
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onvif from 'onvif';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import { startCameras, type CameraFarm } from '../firmware-sim/cameras/index.js';
import { PROFILES } from '../firmware-sim/cameras/onvif-replies.js';
import { loopFileName } from '../firmware-sim/cameras/video-loop.js';
import { CAMERA_TEST_SETTINGS } from './helpers/hub-cameras.js';
import { startTestHub } from './helpers/hub.js';
import { probeRtsp, readRtsp } from './helpers/rtsp-client.js';
import { requireGstRtsp, requireTool } from './helpers/tools.js';

// Kept between runs (the cache's purpose): only the first run encodes.
const CACHE = join(tmpdir(), 'loa-sim-video-test-cache');
const LOOP_S = 2;
const [MAIN, SUB] = PROFILES;
const haveAll = requireTool('ffprobe') && requireGstRtsp();

function streamUri(host: string, port: number, profileToken: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const cam = new onvif.Cam({ hostname: host, port, username: 'admin', password: 'admin', autoconnect: false } as any) as any;
    cam.connect((err: Error | null) => {
      if (err) return reject(err);
      cam.getStreamUri({ protocol: 'RTSP', profileToken }, (e: Error | null, d: { uri: string }) => (e ? reject(e) : resolve(d.uri)));
    });
  });
}

/** The top-left corner (where the name is drawn) of the loop's first frame, as 8-bit grey pixels. */
function titleCorner(camera: string): Buffer {
  const file = join(CACHE, loopFileName(camera, MAIN, LOOP_S));
  const vf = 'crop=480:60:0:0,format=gray';
  return execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-frames:v', '1', '-vf', vf, '-f', 'rawvideo', 'pipe:1'], { maxBuffer: 1 << 20 });
}

describe.skipIf(!haveAll)('simulated cameras with RTSP video', () => {
  let farm: CameraFarm;

  beforeAll(async () => {
    farm = await startCameras({
      count: 2,
      port: 0,
      firstHost: '127.0.9.1',
      logger: silentLogger(),
      video: { cacheDir: CACHE, rtspPort: 0, loopSeconds: LOOP_S },
    });
  }, 60_000);

  afterAll(async () => {
    await farm?.stop();
  });

  it('GetStreamUri names an RTSP address streaming H.264 at the profile size, main and sub', async () => {
    const cam = farm.cameras[0]!;
    const main = await streamUri(cam.host, cam.port, MAIN.token);
    const sub = await streamUri(cam.host, cam.port, SUB.token);
    expect(main).toBe(cam.rtspUrl('profile_main'));
    expect(main).toMatch(/^rtsp:\/\/127\.0\.9\.1:\d+\/profile_main$/);
    expect(main).not.toContain(':554/');
    expect(await probeRtsp(main)).toEqual({ codec: 'h264', width: 1280, height: 720 });
    expect(await probeRtsp(sub)).toEqual({ codec: 'h264', width: 640, height: 360 });
  }, 40_000);

  it("the hub's ONVIF poll finds the stream address, and it plays", async () => {
    const cam = farm.cameras[1]!;
    const hub = await startTestHub({ config: { cameras: { ...CAMERA_TEST_SETTINGS } } });
    try {
      hub.hub.cameras.add({ id: 'cam-video', host: cam.host, port: cam.port, user: 'admin', password: 'admin', name: cam.name });
      await hub.hub.cameras.pollAll();
      const view = hub.hub.cameras.get('cam-video')!;
      expect(view.status).toBe('online');
      expect(view.streamUri).toBe(cam.rtspUrl('profile_main'));
      expect(await probeRtsp(view.streamUri!)).toEqual({ codec: 'h264', width: 1280, height: 720 });
    } finally {
      await hub.stop();
    }
  }, 40_000);

  it('keeps sending frames past the loop point, in real time, with increasing timestamps', async () => {
    const seconds = LOOP_S + 1.5;
    const r = await readRtsp(farm.cameras[1]!.rtspUrl('profile_main'), seconds);
    expect(r.pts.length).toBeGreaterThanOrEqual(Math.floor(MAIN.fps * seconds * 0.8));
    expect(r.pts.length).toBeLessThanOrEqual(Math.ceil(MAIN.fps * seconds * 1.2));
    for (let i = 1; i < r.pts.length; i++) expect(r.pts[i]!).toBeGreaterThan(r.pts[i - 1]!);
    expect(r.pts.at(-1)! - r.pts[0]!).toBeGreaterThan(LOOP_S + 1);
    // A keyframe every second, so the loop point is crossed on one as well.
    expect(r.keyframes).toBeGreaterThanOrEqual(LOOP_S + 1);
    // Paced by the server's clock: a file pushed as fast as it can would be read in a blink.
    expect(r.wallMs).toBeGreaterThan((seconds - 1) * 1000);
  }, 40_000);

  it('serves two readers of one camera at once', async () => {
    const url = farm.cameras[0]!.rtspUrl('profile_sub');
    const [a, b] = await Promise.all([readRtsp(url, 2), readRtsp(url, 2)]);
    for (const r of [a, b]) expect(r.pts.length).toBeGreaterThanOrEqual(Math.floor(SUB.fps * 2 * 0.7));
  }, 40_000);

  it("draws each camera's name: the first frames differ where the name is", () => {
    const [one, two] = [titleCorner('cam-001'), titleCorner('cam-002')];
    expect(one.length).toBe(480 * 60);
    let diff = 0;
    for (let i = 0; i < one.length; i++) diff += Math.abs(one[i]! - two[i]!);
    // Same pattern, same time: only the name's few glyphs differ (about 1 % of the corner's pixels, strongly).
    expect(diff / one.length).toBeGreaterThan(0.5);
    expect(titleCorner('cam-001').equals(one)).toBe(true);
  });

  it("with auth, a stream asks for the camera's user and password (Digest)", async () => {
    const locked = await startCameras({
      count: 1,
      port: 0,
      firstHost: '127.0.9.11',
      password: 's3cret',
      logger: silentLogger(),
      video: { cacheDir: CACHE, rtspPort: 0, loopSeconds: LOOP_S, auth: true },
    });
    try {
      const url = locked.cameras[0]!.rtspUrl('profile_sub');
      await expect(probeRtsp(url)).rejects.toThrow(/401/);
      await expect(probeRtsp(url.replace('rtsp://', 'rtsp://admin:wrong@'))).rejects.toThrow(/401/);
      expect(await probeRtsp(url.replace('rtsp://', 'rtsp://admin:s3cret@'))).toEqual({ codec: 'h264', width: 640, height: 360 });
    } finally {
      await locked.stop();
    }
  }, 40_000);

  it('stops the RTSP server with the farm', async () => {
    const pid = farm.rtsp!.pid;
    expect(() => process.kill(pid, 0)).not.toThrow();
    await farm.stop();
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
  });
});

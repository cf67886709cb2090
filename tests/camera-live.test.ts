// Live view end to end with real parts: simulated cameras streaming H.264 over RTSP (GStreamer,
// with Digest auth), the real hub pulling them with ffmpeg, and the `ws` package as the viewer.
// What a viewer gets plays (ffprobe reads it), viewers share one pull, only police and operators
// may watch, at most maxPulls cameras at once, the password shows nowhere, a camera that stops
// streaming is "lost" then "live" again, and a viewer that never reads does not hold up another.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturingLogger, startCameraHub, type CameraHub } from './helpers/hub-cameras.js';
import { waitFor } from './helpers/hub.js';
import { openLiveViewer, type LiveViewer } from './helpers/live-viewer.js';
import { makeToken } from './helpers/police-rig.js';
import { makeTempDir } from './helpers/tmp.js';
import { requireGstRtsp, requireTool } from './helpers/tools.js';

// Shared with tests/sim-camera-video.test.ts: only the first run on a machine encodes the loops.
const CACHE = join(tmpdir(), 'loa-sim-video-test-cache');
const PASSWORD = 'Live-s3cret!pw';
const haveAll = requireTool('ffprobe') && requireGstRtsp();

/** A metric's value from the hub's /metrics, 0 when absent. */
async function metric(rig: CameraHub, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${rig.hub.addresses.httpUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** The init segment and the fragments after it, as one file, read by ffprobe. */
function probeViewed(binaries: Buffer[]): { codec_name: string; width: number; height: number } {
  const file = join(tmpdir(), `loa-live-${process.pid}-${Date.now()}.mp4`);
  writeFileSync(file, Buffer.concat(binaries));
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height', '-of', 'json', file]);
  return (JSON.parse(out.toString('utf8')) as { streams: { codec_name: string; width: number; height: number }[] }).streams[0]!;
}

const live = (v: LiveViewer): boolean => v.statuses().at(-1)?.state === 'live';
/** Binary messages after the last "live" status: the init segment, then fragments. */
function sinceLive(v: LiveViewer): Buffer[] {
  const i = v.messages.findLastIndex((m) => m.kind === 'status' && m.status.state === 'live');
  return v.messages.slice(i + 1).flatMap((m) => (m.kind === 'binary' ? [m.data] : []));
}

describe.skipIf(!haveAll)('camera live view over a WebSocket', () => {
  let rig: CameraHub;
  let police: string;
  let viewerToken: string;
  const lines: string[] = [];
  const open: LiveViewer[] = [];
  const watch = async (...args: Parameters<typeof openLiveViewer> extends [string, ...infer R] ? R : never): Promise<LiveViewer> => {
    const v = await openLiveViewer(rig.hub.addresses.httpUrl, ...args);
    open.push(v);
    return v;
  };

  beforeAll(async () => {
    rig = await startCameraHub({
      count: 3,
      firstHost: '127.0.16.1',
      password: PASSWORD,
      logger: capturingLogger(lines),
      dataDir: makeTempDir('loa-live-').path,
      video: { cacheDir: CACHE, rtspPort: 0, loopSeconds: 2, auth: true },
      cameras: { live: { lingerSec: 1, connectTimeoutSec: 3, retryMaxSec: 1, viewerBufferBytes: 64 * 1024, slowViewerCloseSec: 2, maxPulls: 2 } },
    });
    police = await makeToken(rig.hub, 'police');
    viewerToken = await makeToken(rig.hub, 'viewer');
    await rig.hub.hub.cameras.pollAll();
    for (const id of rig.ids) await rig.waitView(id, (v) => v.status === 'online' && v.streamUri !== null, 'online with a stream address');
  }, 90_000);

  afterAll(async () => {
    await Promise.all(open.map((v) => v.close()));
    await rig?.stop();
  });

  it("gives the init segment, then fragments that play as H.264 at the profile's size (main and sub)", async () => {
    const main = await watch('cam-1', police);
    const sub = await watch('cam-1', police, { profile: 'sub' });
    for (const v of [main, sub]) await v.until((x) => live(x) && sinceLive(x).length >= 3, 'live with two fragments');
    expect(main.statuses()[0]!.state).toBe('connecting');
    expect(main.statuses().at(-1)).toMatchObject({ state: 'live', camera: 'cam-1', profile: 'main', width: 1280, height: 720, reasons: [], reason: null });
    expect(main.statuses().at(-1)!.codec).toMatch(/^avc1\.[0-9a-f]{6}$/);
    expect(sub.statuses().at(-1)).toMatchObject({ state: 'live', profile: 'sub', width: 640, height: 360 });
    // The first binary message is the init segment (ftyp…moov), the next a fragment (moof…mdat).
    const [init, first] = sinceLive(main);
    expect(init!.toString('latin1', 4, 8)).toBe('ftyp');
    expect(first!.toString('latin1', 4, 8)).toBe('moof');
    expect(probeViewed(sinceLive(main))).toEqual({ codec_name: 'h264', width: 1280, height: 720 });
    expect(probeViewed(sinceLive(sub))).toEqual({ codec_name: 'h264', width: 640, height: 360 });
    // maxPulls 2: a third camera is refused before the handshake; a viewer of a running pull is not.
    await expect(watch('cam-2', police)).rejects.toMatchObject({ status: 503, body: expect.stringContaining('LOA_LIVE_VIEW_BUSY') });
    const joiner = await watch('cam-1', police);
    await joiner.until((x) => live(x), 'joined a running pull');
    await Promise.all([main.close(), sub.close(), joiner.close()]);
    await waitFor(() => (rig.hub.hub.cameraLive.list().length === 0 ? true : null), { timeoutMs: 5000, what: 'pulls closed' });
  }, 40_000);

  it('serves two viewers from one pull, closed a moment after both leave', async () => {
    const started = await metric(rig, 'loa_camera_live_pulls_started_total');
    const a = await watch('cam-2', police);
    await a.until((x) => live(x) && sinceLive(x).length >= 2, 'first viewer live');
    const b = await watch('cam-2', police);
    await b.until((x) => x.statuses().length > 0, 'a status');
    // The second joins a running pull: "live" and the init segment at once, then fragments.
    expect(b.statuses()[0]!.state).toBe('live');
    await b.until((x) => sinceLive(x).length >= 3, 'second viewer fragments');
    expect(await metric(rig, 'loa_camera_live_pulls', 'camera="cam-2",profile="main"')).toBe(1);
    expect(await metric(rig, 'loa_camera_live_viewers', 'camera="cam-2",profile="main"')).toBe(2);
    expect(await metric(rig, 'loa_camera_live_pulls_started_total')).toBe(started + 1);
    expect(await metric(rig, 'loa_camera_live_bytes_total', 'camera="cam-2",profile="main"')).toBeGreaterThan(10_000);
    await a.close();
    await b.close();
    // Still open just after (linger 1 s), closed soon after.
    expect(rig.hub.hub.cameraLive.list().filter((c) => c.camera === 'cam-2')).toHaveLength(1);
    await waitFor(() => (rig.hub.hub.cameraLive.list().some((c) => c.camera === 'cam-2') ? null : true), { timeoutMs: 5000, what: 'pull closed' });
    expect(await metric(rig, 'loa_camera_live_pulls', 'camera="cam-2",profile="main"')).toBe(0);
  }, 40_000);

  it('lets police and operators watch; a viewer token gets 403, no token 401, a missing camera 404', async () => {
    await expect(watch('cam-1', null)).rejects.toMatchObject({ status: 401 });
    await expect(watch('cam-1', 'loa_not-a-token')).rejects.toMatchObject({ status: 401 });
    await expect(watch('cam-1', viewerToken)).rejects.toMatchObject({ status: 403, body: expect.stringContaining('LOA_FORBIDDEN') });
    await expect(watch('no-such', police)).rejects.toMatchObject({ status: 404, body: expect.stringContaining('LOA_CAMERA_NOT_FOUND') });
    await expect(watch('cam-1', police, { profile: 'huge' })).rejects.toMatchObject({ status: 400 });
    const operator = await watch('cam-1', rig.hub.token, { profile: 'sub' });
    await operator.until((x) => live(x), 'operator live');
    // Without an Upgrade: how to watch, and what is open.
    const info = await rig.hub.api<{ protocol: string; profiles: { profile: string; viewers: number }[] }>('GET', '/api/v1/cameras/cam-1/live', undefined, {
      token: police,
    });
    expect(info.status).toBe(200);
    expect(info.body.protocol).toBe('loa-live.v1');
    expect(info.body.profiles.find((p) => p.profile === 'sub')!.viewers).toBe(1);
    expect((await rig.hub.api('GET', '/api/v1/cameras/cam-1/live', undefined, { token: viewerToken })).status).toBe(403);
    await operator.close();
  }, 40_000);

  it('never shows the camera password: not in answers, statuses or the log', async () => {
    const everything = [
      JSON.stringify((await rig.hub.api('GET', '/api/v1/cameras', undefined, { token: police })).body),
      JSON.stringify((await rig.hub.api('GET', '/api/v1/cameras/cam-1/live', undefined, { token: police })).body),
      ...open.flatMap((v) => v.statuses().map((s) => JSON.stringify(s))),
      ...lines,
    ].join('\n');
    expect(lines.some((l) => l.includes('live pull opened'))).toBe(true);
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain(encodeURIComponent(PASSWORD));
    expect(everything).not.toContain(police);
  });

  it('says "lost" when the camera stops streaming, and "live" with fragments again when it is back', async () => {
    const v = await watch('cam-3', police, { profile: 'sub' });
    await v.until((x) => live(x) && sinceLive(x).length >= 2, 'live');
    rig.farm.rtsp!.setStreaming(rig.farm.cameras[2]!.name, false);
    await v.until((x) => x.statuses().at(-1)?.state === 'lost', 'lost', 10_000);
    const lost = v.statuses().at(-1)!;
    expect(lost.reasons[0]?.code).toMatch(/^live\./);
    expect(lost.reason).toBeTruthy();
    expect(lost.reason).not.toContain(PASSWORD);
    const before = v.messages.length;
    rig.farm.rtsp!.setStreaming(rig.farm.cameras[2]!.name, true);
    await v.until((x) => live(x) && x.messages.length > before && sinceLive(x).length >= 3, 'live again', 15_000);
    expect(sinceLive(v)[0]!.toString('latin1', 4, 8)).toBe('ftyp');
    expect(probeViewed(sinceLive(v))).toEqual({ codec_name: 'h264', width: 640, height: 360 });
    await v.close();
  }, 40_000);

  it('drops fragments for a viewer that never reads, and closes it, while another gets them all along', async () => {
    const droppedBefore = await metric(rig, 'loa_camera_live_fragments_dropped_total');
    const stuck = await watch('cam-1', police, { paused: true });
    const reader = await watch('cam-1', police);
    await reader.until((x) => live(x) && sinceLive(x).length >= 2, 'reader live');
    await waitFor(async () => ((await metric(rig, 'loa_camera_live_fragments_dropped_total')) > droppedBefore ? true : null), {
      timeoutMs: 20_000,
      what: 'fragments dropped for the stuck viewer',
    });
    // The stuck viewer is closed after slowViewerCloseSec behind; the reader goes on.
    await waitFor(async () => ((await metric(rig, 'loa_camera_live_viewers', 'camera="cam-1",profile="main"')) === 1 ? true : null), {
      timeoutMs: 10_000,
      what: 'the stuck viewer closed',
    });
    const got = sinceLive(reader).length;
    await reader.until((x) => sinceLive(x).length >= got + 2, 'reader still getting fragments', 5000);
    expect(lines.some((l) => l.includes('live viewer closed: too slow'))).toBe(true);
    await Promise.all([stuck.close(), reader.close()]);
  }, 40_000);

  // Last: it removes cam-3.
  it('closes the viewers of a camera removed while they watch', async () => {
    const v = await watch('cam-3', police);
    await v.until((x) => live(x) && sinceLive(x).length >= 1, 'live');
    expect((await rig.hub.api('DELETE', '/api/v1/cameras/cam-3')).status).toBe(200);
    await v.until((x) => x.closed !== null, 'closed', 5000);
    expect(v.statuses().at(-1)).toMatchObject({ state: 'lost', reasons: [{ code: 'live.removed' }], reason: 'the camera was removed or changed' });
    expect(v.closed).toEqual({ code: 4004, reason: 'the camera was removed or changed' });
    expect(rig.hub.hub.cameraLive.list().some((c) => c.camera === 'cam-3')).toBe(false);
  }, 20_000);
});

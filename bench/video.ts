// video: one simulated camera (real RTSP, H.264 main 1280x720) watched live through the hub by 1, 10
// and 50 viewers (issue 16 item 4, first part). The hub runs as its own process; the camera and
// the viewers (the `ws` client, as tests/helpers/live-viewer.ts) run here. Reports the upstream
// pulls the hub opened (the target: 1 however many watch), the hub's CPU per viewer, and the time
// from opening the WebSocket to the first media fragment (cold: the pull starts; warm: joining it).
import { mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { silentLogger } from '../common/logger.js';
import { startCameras } from '../firmware-sim/cameras/index.js';
import { startHubProcess } from '../harness/hub-process.js';
import { percentile, processUsage, round2 } from './env.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Viewer {
  ws: WebSocket;
  openedAt: number;
  firstFragmentMs: number | null;
  bytes: number;
}

/** Opens a viewer; the first binary message is the init segment, the second the first fragment. */
function openViewer(url: string, token: string): Viewer {
  const ws = new WebSocket(url, ['loa-live.v1', `loa.bearer.${token}`]);
  const v: Viewer = { ws, openedAt: Date.now(), firstFragmentMs: null, bytes: 0 };
  let binaries = 0;
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary) return;
    binaries += 1;
    v.bytes += data.length;
    if (binaries === 2 && v.firstFragmentMs === null) v.firstFragmentMs = Date.now() - v.openedAt;
  });
  ws.on('error', () => {});
  return v;
}

/** The value of one series in the hub's Prometheus text (`labels` as written there), 0 when absent. */
function metric(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => (l.startsWith(`${name}{`) && l.includes(labels)) || (!labels && l.startsWith(`${name} `)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/** CPU seconds of a process and its running children (the hub and its ffmpeg pulls). */
function treeCpu(pid: number): number {
  let kids: number[] = [];
  try {
    kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    // no children file on this kernel: the hub alone
  }
  return processUsage(pid).cpuS + kids.reduce((s, k) => s + treeCpu(k), 0);
}

export async function video(args: { viewers: number[]; seconds: number }): Promise<Record<string, unknown>> {
  const log = (s: string) => process.stderr.write(`[video] ${s}\n`);
  const cacheDir = join(homedir(), '.cache', 'loa-sim', 'video');
  mkdirSync(cacheDir, { recursive: true });
  const farm = await startCameras({ count: 1, port: 0, logger: silentLogger(), discoveryPort: null, video: { cacheDir, rtspPort: 0 } });
  const hub = await startHubProcess({ cameras: { pollIntervalSec: 5, live: { lingerSec: 2 } } });
  const runs: Record<string, unknown>[] = [];
  try {
    const cam = farm.cameras[0]!;
    await hub.api('POST', '/api/v1/cameras', { id: 'cam-1', host: cam.host, port: cam.port, user: 'admin', password: 'admin', name: 'cam-1' });
    for (let i = 0; i < 100; i++) {
      const v = await hub.api<{ camera: { streamUri: string | null } }>('GET', '/api/v1/cameras/cam-1');
      if (v.camera.streamUri) break;
      await sleep(200);
    }
    const url = `${hub.httpUrl.replace(/^http/, 'ws')}/api/v1/cameras/cam-1/live?profile=main`;
    const metrics = async () => (await fetch(`${hub.httpUrl}/metrics`)).text();
    for (const n of args.viewers) {
      const started0 = metric(await metrics(), 'loa_camera_live_pulls_started_total', '');
      // The first viewer starts the pull (cold); the others join it once it is live (warm).
      const first = openViewer(url, hub.token);
      for (let i = 0; i < 300 && first.firstFragmentMs === null; i++) await sleep(20);
      const rest = Array.from({ length: n - 1 }, () => openViewer(url, hub.token));
      for (let i = 0; i < 300 && rest.some((v) => v.firstFragmentMs === null); i++) await sleep(20);
      const all = [first, ...rest];
      const cpu0 = treeCpu(hub.pid);
      const bytes0 = all.reduce((s, v) => s + v.bytes, 0);
      await sleep(args.seconds * 1000);
      const cpuS = treeCpu(hub.pid) - cpu0;
      const text = await metrics();
      const pulls = metric(text, 'loa_camera_live_pulls', 'camera="cam-1",profile="main"');
      const pullsStarted = metric(text, 'loa_camera_live_pulls_started_total', '') - started0;
      const mbitPerViewer = ((all.reduce((s, v) => s + v.bytes, 0) - bytes0) * 8) / 1e6 / args.seconds / n;
      const warm = rest
        .map((v) => v.firstFragmentMs ?? Number.NaN)
        .filter((x) => !Number.isNaN(x))
        .sort((a, b) => a - b);
      const run = {
        viewers: n,
        upstreamPulls: pulls,
        pullsStarted,
        hubCpuShare: round2(cpuS / args.seconds),
        hubCpuSharePerViewer: round2(cpuS / args.seconds / n),
        mbitPerViewer: round2(mbitPerViewer),
        coldFirstFragmentMs: first.firstFragmentMs,
        warmFirstFragmentMs: warm.length > 0 ? { p50: percentile(warm, 50), max: Math.max(...warm) } : null,
        viewersWithVideo: all.filter((v) => v.firstFragmentMs !== null).length,
      };
      log(JSON.stringify(run));
      runs.push(run);
      for (const v of all) v.ws.terminate();
      // Past the linger, so the next run starts a cold pull.
      await sleep(3500);
    }
  } finally {
    await hub.stop();
    await farm.stop();
  }
  return {
    bench: 'video',
    camera: 'one simulated camera, main profile 1280x720 25 fps H.264 (~2 Mbit/s), real RTSP (GStreamer)',
    seconds: args.seconds,
    runs,
    targets: { upstreamPulls: 1, firstFrameMs: 1500 },
    notYetMeasured: ['delay from camera to viewer (drawn clock or RTP time)', 'first frame in Chromium', 'continuous recording of 32 cameras'],
  };
}

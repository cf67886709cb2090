// The monitor page's live player in real headless Chromium: a click on a camera's picture opens
// its main profile through the hub's WebSocket and Media Source Extensions; the <video> plays
// (currentTime advances, videoWidth 1280), and the camera dying mid-view shows "lost", then plays
// again by itself; a second tab shares the one pull. Real hub, simulated cameras with GStreamer RTSP video, real ffmpeg.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeChromium, launchChromium } from './helpers/chromium.js';
import { startCameraHub, type CameraHub } from './helpers/hub-cameras.js';
import { makeToken } from './helpers/police-rig.js';
import { requireGstRtsp, requireTool } from './helpers/tools.js';

// Shared with the other video tests: only the first run on a machine encodes the loops.
const CACHE = join(tmpdir(), 'loa-sim-video-test-cache');
const ready = requireTool('chromium') && requireTool('ffprobe') && requireGstRtsp();

describe.skipIf(!ready)('monitor page: live video', () => {
  let rig: CameraHub;
  let browser: Browser | undefined;
  let police: string;

  beforeAll(async () => {
    rig = await startCameraHub({
      count: 1,
      firstHost: '127.0.16.21',
      password: 'Live-page-pw',
      video: { cacheDir: CACHE, rtspPort: 0, loopSeconds: 2, auth: true },
      cameras: { live: { lingerSec: 1, connectTimeoutSec: 3, retryMaxSec: 1 } },
    });
    police = await makeToken(rig.hub, 'police');
    await rig.waitView('cam-1', (v) => v.status === 'online' && v.streamUri !== null, 'online');
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await closeChromium(browser);
    await rig?.stop();
  });

  const video = (page: Page) =>
    page.$eval('#live-video', (v) => {
      const el = v as HTMLVideoElement;
      return { t: el.currentTime, w: el.videoWidth, h: el.videoHeight };
    });

  it('plays a camera clicked in the grid, and comes back by itself after the camera dies', async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${rig.hub.addresses.httpUrl}/monitor?refresh=0.5#token=${encodeURIComponent(police)}`);
    await page.click('li.camera[data-camera-id="cam-1"] figure');
    await page.waitForFunction(() => (document.querySelector('#live-video') as HTMLVideoElement).currentTime > 0.5, null, { timeout: 15_000 });
    const first = await video(page);
    await page.waitForFunction((t) => (document.querySelector('#live-video') as HTMLVideoElement).currentTime > t + 1, first.t, { timeout: 10_000 });
    expect(await video(page)).toMatchObject({ w: 1280, h: 720 });
    expect(await page.textContent('#live-status')).toContain('1280×720');
    expect(rig.hub.hub.cameraLive.list()).toEqual([{ camera: 'cam-1', profile: 'main', state: 'live', viewers: 1 }]);

    rig.farm.rtsp!.setStreaming(rig.farm.cameras[0]!.name, false);
    await page.waitForFunction(() => document.querySelector('#live-status')!.textContent!.includes('Mất tín hiệu'), null, { timeout: 10_000 });
    // The reason in Vietnamese too, from the shared catalogue (live.*).
    expect(await page.textContent('#live-status')).toMatch(/luồng video|camera đã đóng|không nhận được hình|camera không gửi hình|ffmpeg không đọc/);
    rig.farm.rtsp!.setStreaming(rig.farm.cameras[0]!.name, true);
    await page.waitForFunction(() => document.querySelector('#live-status')!.textContent!.startsWith('Trực tiếp'), null, { timeout: 15_000 });
    const back = await video(page);
    await page.waitForFunction((t) => (document.querySelector('#live-video') as HTMLVideoElement).currentTime > t + 1, back.t, { timeout: 10_000 });

    // A second tab watching the same camera shares the pull.
    const tab = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    await tab.goto(`${rig.hub.addresses.httpUrl}/monitor?refresh=0.5#token=${encodeURIComponent(police)}`);
    await tab.click('li.camera[data-camera-id="cam-1"] figure');
    await tab.waitForFunction(() => (document.querySelector('#live-video') as HTMLVideoElement).currentTime > 0.5, null, { timeout: 15_000 });
    expect(rig.hub.hub.cameraLive.list()).toEqual([{ camera: 'cam-1', profile: 'main', state: 'live', viewers: 2 }]);
    const metrics = await (await fetch(`${rig.hub.addresses.httpUrl}/metrics`)).text();
    expect(metrics).toContain('loa_camera_live_pulls{camera="cam-1",profile="main"} 1');
    expect(metrics).toContain('loa_camera_live_pulls_started_total 1');
    await tab.close();

    // Closing the dialog ends the viewer; the pull closes after its linger.
    await page.click('#live-close');
    await expect.poll(() => rig.hub.hub.cameraLive.list().length, { timeout: 5000 }).toBe(0);
    await page.close();
  }, 60_000);
});

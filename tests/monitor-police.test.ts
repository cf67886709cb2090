// The monitor page as the police post and a viewer screen use it (issue 13, items 13-18), in real
// headless Chromium against a real hub, simulated cameras and a real MQTT box: open alarms above
// the history, a dark camera's last picture kept across a reload, the motion marker and the camera
// id on each card, a loudspeaker failure as a short sentence, reasons and details in Vietnamese
// from the catalogue the CLI uses, and a viewer's status-only page that says "no pictures" once.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../common/clock.js';
import { REASONS } from '../common/i18n/reasons.js';
import { connectAlarmsBox, type AlarmsBox } from './helpers/alarms-box.js';
import { waitFor } from './helpers/hub.js';
import { CAMERA_PASSWORD, CAMERA_USER, startPoliceRig, type PoliceRig } from './helpers/police-rig.js';
import { closeChromium, launchChromium } from './helpers/chromium.js';
import { requireTool } from './helpers/tools.js';

const hasChromium = requireTool('chromium');
const SHOTS = process.env.LOA_MONITOR_SHOTS; // a folder: screenshots of the police and viewer pages

let rig: PoliceRig;
let box: AlarmsBox;
let browser: Browser | undefined;

beforeAll(async () => {
  // A cluster offline for 60 ms raises cluster-offline: the page shows a loudspeaker alarm too.
  rig = await startPoliceRig({ firstHost: '127.0.7.51', count: 3, villages: ['Tà Lùng', 'Bản Hon', 'Nà Pồng'], alarms: { offlineMinutes: 0.001 } });
  // A second camera with the same name on the same simulated device: only the id tells them apart.
  const cam = rig.farm.cameras[0]!;
  const twin = await rig.t.api('POST', '/api/v1/cameras', {
    id: 'cam-1b',
    host: cam.host,
    port: cam.port,
    user: CAMERA_USER,
    password: CAMERA_PASSWORD,
    name: 'Camera 1',
  });
  if (twin.status !== 201) throw new Error(`adding cam-1b: ${twin.status}`);
  for (const id of [...rig.ids, 'cam-1b']) await rig.waitStatus(id, 'online');
  const { secret } = await rig.t.addCluster('ban-hon');
  box = await connectAlarmsBox(rig.t.hub, rig.t.addresses.mqttUrl, 'ban-hon', secret, systemClock);
  if (hasChromium) browser = await launchChromium();
});

afterAll(async () => {
  await closeChromium(browser);
  box?.client.end(true);
  await rig?.stop();
});

const pageUrl = (token: string): string => `${rig.t.addresses.httpUrl}/monitor?refresh=0.5#token=${encodeURIComponent(token)}`;
const card = (id: string): string => `li.camera[data-camera-id="${id}"]`;

async function openPage(token: string): Promise<Page> {
  const page = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(pageUrl(token));
  return page;
}

/** Runs in the page: whether n pictures are shown and decoded. */
const picturesLoaded = (n: number): boolean => {
  const imgs = [...document.querySelectorAll<HTMLImageElement>('li.camera img')];
  return imgs.filter((i) => !i.hidden && i.complete && i.naturalWidth > 0).length === n;
};

describe.skipIf(!hasChromium)('monitor page for the police post', () => {
  let page: Page;

  it('tells cameras of the same name apart by their id, and marks the ones seeing motion', async () => {
    page = await openPage(rig.police);
    await page.waitForFunction(picturesLoaded, 4, { timeout: 15_000 });
    expect(await page.textContent(`${card('cam-1')} h3`)).toBe('Camera 1');
    expect(await page.textContent(`${card('cam-1b')} h3`)).toBe('Camera 1');
    expect(await page.textContent(`${card('cam-1')} .camera-id`)).toBe('cam-1');
    expect(await page.textContent(`${card('cam-1b')} .camera-id`)).toBe('cam-1b');
    expect(await page.isHidden(`${card('cam-2')} .motion`)).toBe(true);

    rig.farm.triggerMotion(1, 60_000);
    await page.waitForSelector(`${card('cam-2')} .motion:not([hidden])`, { timeout: 8000 });
    expect(await page.textContent(`${card('cam-2')} .motion`)).toBe('Có chuyển động');
    expect(await page.getAttribute(card('cam-2'), 'class')).toContain('moving');
    expect(await page.isHidden(`${card('cam-1')} .motion`)).toBe(true);
  });

  it('lists the open alarms above the history, however many newer entries come, and drops them when cleared', async () => {
    rig.farm.setFaults(2, { dead: true });
    await page.waitForSelector('#open-alarms li[data-kind="camera-offline"][data-subject="cam-3"]', { timeout: 8000 });
    // Newer entries in the history: several motions on another camera.
    for (let i = 0; i < 3; i++) {
      const mark = rig.t.hub.store.alarms.lastEventId();
      rig.farm.triggerMotion(0, 150);
      const over = () =>
        rig.t.hub.store.alarms.events(mark, 100).some((e) => e.type === 'alarm-cleared' && e.kind === 'camera-motion' && e.subjectId === 'cam-1');
      await waitFor(over, { what: 'a motion on cam-1, over', timeoutMs: 5000 });
    }
    await page.waitForFunction(() => document.querySelectorAll('#alarms li[data-kind="camera-motion"][data-subject="cam-1"]').length >= 6);
    const open = await page.$$eval('#open-alarms li', (lis) => lis.map((li) => `${li.getAttribute('data-kind')} ${li.getAttribute('data-subject')}`));
    expect(open).toContain('camera-offline cam-3');
    expect(open).toContain('camera-motion cam-2');
    expect(open).not.toContain('camera-motion cam-1');
    // Open first, then the history, in the page's order.
    const order = await page.$$eval('#open-alarms, #alarms', (els) => els.map((e) => e.id));
    expect(order).toEqual(['open-alarms', 'alarms']);
    expect(await page.textContent('#open-alarms-title')).toContain('Đang mở (2)');
  });

  it('shows why a camera is offline, and the alarm details, in Vietnamese from the shared catalogue', async () => {
    const v = await rig.waitStatus('cam-3', 'offline');
    const reason = await page.textContent(`${card('cam-3')} .reason`);
    const code = v.reasons[0]!.code;
    expect(reason).toBe(code === 'camera.reset' ? 'kết nối bị ngắt giữa chừng (ECONNRESET)' : `không trả lời trong ${v.reasons[0]!.params.ms} ms`);
    const offline = await page.textContent('#open-alarms li[data-kind="camera-offline"]');
    expect(offline).toContain('camera mất kết nối');
    expect(offline).toContain('Camera 3 (cam-3)');
    expect(offline).toContain(reason!);
  });

  it("keeps a dark camera's last picture across a reload, greyed", async () => {
    await page.reload();
    await page.waitForSelector(`${card('cam-3')} .badge[data-status="offline"]`);
    await page.waitForFunction(
      () => {
        const img = document.querySelector<HTMLImageElement>('li.camera[data-camera-id="cam-3"] img');
        return img !== null && !img.hidden && img.complete && img.naturalWidth > 0;
      },
      undefined,
      { timeout: 8000 },
    );
    expect(await page.getAttribute(card('cam-3'), 'class')).toContain('stale');
    expect(await page.$eval(`${card('cam-3')} img`, (img) => getComputedStyle(img).filter)).toContain('grayscale');
    expect(await page.getAttribute(`${card('cam-3')} img`, 'alt')).toContain('(ảnh cũ)');
    expect(await page.isHidden(`${card('cam-3')} .placeholder`)).toBe(true);
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/monitor-police-dark.png`, fullPage: true });
    // The open alarm is still listed first after the reload (read from /api/v1/alarms).
    await page.waitForSelector('#open-alarms li[data-kind="camera-offline"][data-subject="cam-3"]');
    rig.farm.setFaults(2, { dead: false });
    await page.waitForSelector(`${card('cam-3')} .badge[data-status="online"]`, { timeout: 8000 });
    await page.waitForSelector('#open-alarms li[data-kind="camera-offline"]', { state: 'detached', timeout: 8000 });
    expect(await page.textContent('#alarms')).toContain('hoạt động trở lại');
  });

  it("shows a loudspeaker failure as a short sentence, without the player's text, and cluster words the CLI uses", async () => {
    await box.ack('failed', {
      reason: 'player-error',
      broadcastId: 'b-3',
      detail: 'http://10.8.0.1:8080/api/v1/media/3f9a/content: Invalid data found when processing input',
    });
    const failed = '#open-alarms li[data-kind="play-failed"][data-subject="ban-hon"]';
    await page.waitForSelector(failed, { timeout: 8000 });
    expect(await page.textContent(failed)).toContain('Cụm loa ban-hon');
    expect(await page.textContent(failed)).toContain('trình phát bị lỗi');
    expect(await page.textContent('body')).not.toMatch(/http:|Invalid data/);
    await box.drop();
    const offline = '#open-alarms li[data-kind="cluster-offline"][data-subject="ban-hon"]';
    await page.waitForSelector(offline, { timeout: 8000 });
    // One catalogue: the same words as `loa alarms --lang vi`.
    expect(await page.textContent(offline)).toContain(REASONS.vi['kind.cluster-offline']);
    expect(await page.textContent(offline)).toMatch(new RegExp(`${REASONS.vi['cluster.lost']}|${REASONS.vi['cluster.disconnected']}`));
    await page.click('#lang');
    expect(await page.textContent(offline)).toContain(REASONS.en['kind.cluster-offline']);
    expect(await page.textContent(failed)).toContain('the player failed');
    expect(await page.textContent('#open-alarms-title')).toMatch(/Open now \(\d+\)/);
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/monitor-police-en.png`, fullPage: true });
    await page.click('#lang');
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/monitor-police.png`, fullPage: true });
    await page.close();
  });
});

describe.skipIf(!hasChromium)('monitor page for a viewer', () => {
  it("shows each camera's status without pictures, and says so once", async () => {
    const page = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
    const pictures: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/snapshot')) pictures.push(r.url());
    });
    await page.goto(pageUrl(rig.viewer));
    await page.waitForFunction(() => document.querySelectorAll('li.camera .badge[data-status]').length === 4);
    await page.waitForSelector('#cameras-note:not([hidden])');
    const note = 'Mã truy cập này không được xem hình ảnh.';
    expect(await page.textContent('#cameras-note')).toBe(note);
    const body = (await page.textContent('body'))!;
    expect(body.split(note).length - 1).toBe(1);
    for (const fig of await page.$$('li.camera figure')) expect(await fig.isVisible()).toBe(false);
    expect(await page.textContent(`${card('cam-1')} .camera-id`)).toBe('cam-1');
    expect(await page.textContent('#alarms-note')).toBe('Mã truy cập này không được xem cảnh báo.');
    await new Promise((r) => setTimeout(r, 1500));
    expect(pictures).toEqual([]);
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/monitor-viewer.png`, fullPage: true });
    await page.close();
  });
});

// The police monitor page (/monitor) in real headless Chromium against a real hub and simulated
// cameras: the token from the link's fragment, every camera with its badge and a loaded picture, a
// dead camera turning offline, motion reaching the alarm list, the English switch, a refused token
// bringing the form back, and the banner when the hub stops answering. Also the assets' headers.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeToken, startPoliceRig, type PoliceRig } from './helpers/police-rig.js';
import { closeChromium, launchChromium } from './helpers/chromium.js';
import { requireTool } from './helpers/tools.js';

const hasChromium = requireTool('chromium');

let rig: PoliceRig;
let browser: Browser | undefined;

beforeAll(async () => {
  rig = await startPoliceRig({ firstHost: '127.0.7.21', count: 3, villages: ['Tà Lùng', 'Bản Hon', 'Nà Pồng'] });
  for (const id of rig.ids) await rig.waitStatus(id, 'online');
  if (hasChromium) browser = await launchChromium();
});

afterAll(async () => {
  await closeChromium(browser);
  await rig?.stop();
});

/** The page refreshing every half second, as a police post would open it from a link. */
const pageUrl = (token?: string): string => `${rig.t.addresses.httpUrl}/monitor?refresh=0.5${token ? `#token=${encodeURIComponent(token)}` : ''}`;

async function openPage(token?: string): Promise<Page> {
  const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(pageUrl(token));
  return page;
}

const card = (id: string): string => `li.camera[data-camera-id="${id}"]`;

describe('monitor assets', () => {
  it('serves the page, its script and its style with their types, no-cache and 304s, without a token', async () => {
    const types: Record<string, string> = {
      '/monitor': 'text/html',
      '/monitor/monitor.js': 'text/javascript',
      '/monitor/alarms.js': 'text/javascript',
      '/monitor/monitor.css': 'text/css',
      // The words the page shares with the CLI, compiled from common/i18n.
      '/monitor/i18n/catalogue.js': 'text/javascript',
      '/monitor/i18n/reasons.js': 'text/javascript',
    };
    for (const [path, type] of Object.entries(types)) {
      const r = await fetch(`${rig.t.addresses.httpUrl}${path}`);
      expect(r.status, path).toBe(200);
      expect(r.headers.get('content-type'), path).toContain(type);
      expect(r.headers.get('cache-control'), path).toBe('no-cache');
      const again = await fetch(`${rig.t.addresses.httpUrl}${path}`, { headers: { 'if-none-match': r.headers.get('etag')! } });
      expect(again.status, path).toBe(304);
    }
    // The served catalogue is the compiled source, without its source-map line (maps are not served).
    const reasons = await (await fetch(`${rig.t.addresses.httpUrl}/monitor/i18n/reasons.js`)).text();
    expect(reasons).toContain("from './catalogue.js'");
    expect(reasons).toContain("'kind.cluster-offline': 'mất kết nối quá lâu'");
    expect(reasons).not.toContain('sourceMappingURL');
    const html = await (await fetch(`${rig.t.addresses.httpUrl}/monitor`)).text();
    // Nothing from outside the hub: the post may have no internet.
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });
});

describe.skipIf(!hasChromium)('monitor page in Chromium', () => {
  let page: Page;

  it('takes the token from the link, hides it, and shows every camera with its badge and picture', async () => {
    page = await openPage(rig.police);
    await page.waitForFunction(() => document.querySelectorAll('li.camera .badge[data-status="online"]').length === 3);
    expect(page.url()).not.toContain('token'); // taken out of the address bar
    expect(await page.evaluate(() => localStorage.getItem('loa.monitor.token'))).toBe(rig.police);
    expect(await page.getAttribute('html', 'lang')).toBe('vi');
    expect(await page.textContent('h1')).toBe('Giám sát camera');
    expect(await page.textContent(`${card('cam-2')} .badge`)).toBe('Hoạt động');
    expect(await page.textContent(`${card('cam-2')} .village`)).toContain('Bản Hon');
    // Every picture really loaded (decoded by the browser), with a description.
    await page.waitForFunction(
      () => {
        const imgs = [...document.querySelectorAll<HTMLImageElement>('li.camera img')];
        return imgs.length === 3 && imgs.every((i) => !i.hidden && i.complete && i.naturalWidth > 0);
      },
      undefined,
      { timeout: 10_000 },
    );
    for (const id of rig.ids) expect(await page.getAttribute(`${card(id)} img`, 'alt')).toContain(`Camera ${id.slice(4)}`);
    // Refreshed: the picture's blob URL is replaced (and the old one revoked) every half second.
    const src = await page.getAttribute(`${card('cam-1')} img`, 'src');
    expect(src).toMatch(/^blob:/);
    await page.waitForFunction((s) => document.querySelector('li.camera[data-camera-id="cam-1"] img')!.getAttribute('src') !== s, src, { timeout: 5000 });
  });

  it('shows a camera that died as offline within the poll interval, its last picture greyed', async () => {
    const started = Date.now();
    rig.farm.setFaults(1, { dead: true });
    try {
      await page.waitForSelector(`${card('cam-2')} .badge[data-status="offline"]`, { timeout: 5000 });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(await page.textContent(`${card('cam-2')} .badge`)).toBe('Mất kết nối');
      expect(await page.getAttribute(card('cam-2'), 'class')).toContain('stale');
      const filter = await page.$eval(`${card('cam-2')} img`, (img) => getComputedStyle(img).filter);
      expect(filter).toContain('grayscale');
      expect(await page.$eval(`${card('cam-1')} img`, (img) => getComputedStyle(img).filter)).toBe('none');
    } finally {
      rig.farm.setFaults(1, { dead: false });
    }
    await page.waitForSelector(`${card('cam-2')} .badge[data-status="online"]`, { timeout: 8000 });
  });

  it('lists motion on a simulated camera in the alarm list, newest first, in Hanoi time', async () => {
    await page.waitForFunction(() => document.querySelector('#alarms li[data-kind="camera-offline"]') !== null);
    rig.farm.triggerMotion(0, 600);
    const motion = `#alarms li[data-kind="camera-motion"][data-type="alarm-raised"][data-subject="cam-1"]`;
    await page.waitForSelector(motion, { timeout: 8000 });
    const text = (await page.textContent(motion))!;
    expect(text).toContain('phát hiện chuyển động');
    expect(text).toContain('Camera 1 (cam-1)');
    const at = Date.parse((await page.getAttribute(`${motion} time`, 'datetime'))!);
    const hanoi = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', hour12: false }).format(at);
    expect(text).toContain(hanoi);
    const kinds = await page.$$eval('#alarms li', (lis) => lis.map((li) => `${li.getAttribute('data-type')} ${li.getAttribute('data-kind')}`));
    expect(kinds.indexOf('alarm-raised camera-motion')).toBeLessThan(kinds.indexOf('alarm-raised camera-offline'));
  });

  it('switches to English and remembers it', async () => {
    await page.click('#lang');
    expect(await page.textContent('h1')).toBe('Camera monitor');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent(`${card('cam-1')} .badge`)).toBe('Online');
    expect(await page.textContent('#alarms')).toContain('motion detected');
    await page.reload();
    await page.waitForSelector(`${card('cam-1')} .badge[data-status="online"]`);
    expect(await page.textContent('h1')).toBe('Camera monitor');
    expect(await page.textContent('#lang')).toBe('Tiếng Việt');
    await page.close();
  });

  it('sends a refused token back to the token form, also when it is revoked while the page is open', async () => {
    const bad = await openPage('loa_not-a-token');
    await bad.waitForSelector('#login:not([hidden])');
    expect(await bad.isVisible('#login-error')).toBe(true);
    expect(await bad.isHidden('#dashboard')).toBe(true);
    expect(await bad.evaluate(() => localStorage.getItem('loa.monitor.token'))).toBeNull();
    // The form then opens the page with a good token.
    const second = await makeToken(rig.t, 'police', 'second post');
    await bad.fill('#token', second);
    await bad.click('#token-form button[type="submit"]');
    await bad.waitForSelector(`${card('cam-1')} .badge`);
    const { body } = await rig.t.api<{ tokens: Array<{ id: string; name: string }> }>('GET', '/api/v1/tokens');
    await rig.t.api('DELETE', `/api/v1/tokens/${body.tokens.find((k) => k.name === 'second post')!.id}`);
    await bad.waitForSelector('#login:not([hidden])', { timeout: 5000 });
    await bad.close();
  });

  it('shows the connection-lost banner while the hub does not answer, and drops it when it does again', async () => {
    const p = await openPage(rig.police);
    await p.waitForSelector(`${card('cam-1')} .badge`);
    expect(await p.isHidden('#banner')).toBe(true);
    // The network between the post and the hub goes: every API call fails to connect.
    await p.route('**/api/v1/**', (route) => route.abort('connectionrefused'));
    await p.waitForSelector('#banner:not([hidden])', { timeout: 5000 });
    expect(await p.textContent('#banner')).toContain('Mất kết nối');
    expect(await p.isVisible(card('cam-1'))).toBe(true); // what it knew stays on screen
    await p.unroute('**/api/v1/**');
    await p.waitForSelector('#banner', { state: 'hidden', timeout: 5000 });
    await p.close();
  });
});

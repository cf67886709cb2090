// Debian's headless Chromium for the monitor page tests, launched and closed the same way by each.
import { chromium, type Browser } from 'playwright-core';
import { chromiumTrustArgs } from './hub-tls.js';

// The hub serves HTTPS; Chromium trusts its test certificate as a police PC trusts the hub's CA.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', ...chromiumTrustArgs()];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** Closes the browser, giving up after 15 s: a Chromium that hangs on close (seen once on a loaded
 *  CI machine) must not hold up the hub's stop after it, and so the whole afterAll hook. */
export async function closeChromium(browser: Browser | undefined): Promise<void> {
  if (!browser) return;
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), 15_000);
  });
  const outcome = await Promise.race([browser.close().then(() => 'closed' as const), gaveUp]);
  clearTimeout(timer);
  if (outcome === 'timeout') process.stderr.write('chromium did not close within 15 s; left to exit with the test worker\n');
}

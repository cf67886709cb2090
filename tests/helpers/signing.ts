// The test harness's hub signing key: test hubs start with it (written into their data dir as the
// hub's signing-key.pem), test boxes trust it (hubKeys), and helpers that play the hub on a bare
// broker sign with it, so the suites run with signing on, as production does (issue 14, item 3).
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SIGNING_KEY_FILE } from '../../hub/signing/key-file.js';
import { formatHubKey, signPayload } from '../../protocol/index.js';

/** Made once per test process: every hub and box of that process shares it. */
export const TEST_HUB_PRIVATE_KEY = generateKeyPairSync('ed25519').privateKey;
export const TEST_HUB_KEY = formatHubKey(TEST_HUB_PRIVATE_KEY);

/** Gives a hub data dir the test key, unless it already has a key (a restarted hub keeps its own). */
export function installTestHubKey(dataDir: string): void {
  const path = join(dataDir, SIGNING_KEY_FILE);
  if (existsSync(path)) return;
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path, TEST_HUB_PRIVATE_KEY.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
}

/** A payload for `topic` signed as the test hub signs it; anything that is not a JSON object is
 *  left as it is (a test of what a box does with garbage). */
export function signedAsHub(topic: string, message: object | string): string {
  const body = typeof message === 'string' ? message : JSON.stringify(message);
  return /^\{.+\}$/s.test(body) ? signPayload(TEST_HUB_PRIVATE_KEY, topic, body) : body;
}

// The hub's Ed25519 signing key (issue 14, item 3): <dataDir>/signing-key.pem (PKCS#8, mode 0600),
// made at first start and never replaced silently. For a rotation a next key waits beside it in
// signing-key.next.pem until it is switched in; the one it replaces is kept as signing-key.old.pem
// (docs/install.md, "Rotating the hub's signing key").
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createFileOnce, keepOwnerOnly } from '../../common/create-once.js';
import { LoaError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { formatHubKey } from '../../protocol/index.js';

export const SIGNING_KEY_FILE = 'signing-key.pem';
export const NEXT_SIGNING_KEY_FILE = 'signing-key.next.pem';
export const OLD_SIGNING_KEY_FILE = 'signing-key.old.pem';

export interface SigningKey {
  privateKey: KeyObject;
  /** `ed25519:BASE64`, what a box's `hubKeys` lists. */
  publicKey: string;
}

/** The key the hub signs with, made first if there is none (never overwriting one). */
export function loadSigningKey(dataDir: string, logger: Logger): SigningKey {
  const path = join(dataDir, SIGNING_KEY_FILE);
  if (createIfMissing(path)) logger.info({ path }, 'made the hub signing key; back it up with loa.db and give its public key to every box (hubKeys)');
  return readKey(path, logger);
}

/** The next key's public key, or null when no rotation is under way. */
export function nextPublicKey(dataDir: string, logger: Logger): string | null {
  const path = join(dataDir, NEXT_SIGNING_KEY_FILE);
  return existsSync(path) ? readKey(path, logger).publicKey : null;
}

/** Makes the next key (once: asked again, it answers the same key) and returns its public key. */
export function makeNextSigningKey(dataDir: string, logger: Logger): string {
  const path = join(dataDir, NEXT_SIGNING_KEY_FILE);
  if (createIfMissing(path)) logger.info({ path }, 'made the next hub signing key');
  return readKey(path, logger).publicKey;
}

/** Switches the next key in: the current one becomes signing-key.old.pem. The hub reads its key
 *  at start, so it signs with the new one from its next start. */
export function switchToNextSigningKey(dataDir: string, logger: Logger): { old: string; current: string } {
  const next = join(dataDir, NEXT_SIGNING_KEY_FILE);
  const current = join(dataDir, SIGNING_KEY_FILE);
  if (!existsSync(next)) {
    throw new LoaError(
      'LOA_SIGNING_KEY_NO_NEXT',
      `${next} does not exist: make it first with loa-hub --new-signing-key, and give its public key to every box.`,
    );
  }
  const incoming = readKey(next, logger).publicKey;
  const outgoing = existsSync(current) ? readKey(current, logger).publicKey : null;
  // Copied aside first, then replaced in one rename: a crash between the two leaves a key in place.
  if (outgoing) copyFileSync(current, join(dataDir, OLD_SIGNING_KEY_FILE));
  renameSync(next, current);
  return { old: outgoing ?? '', current: incoming };
}

function readKey(path: string, logger: Logger): SigningKey {
  let stat: ReturnType<typeof statSync>;
  let pem: string;
  try {
    stat = statSync(path);
    pem = readFileSync(path, 'utf8');
  } catch (e) {
    throw badKey(path, `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  keepOwnerOnly(path, stat, logger, 'the hub signing key');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw badKey(path, 'is not a PEM private key');
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw badKey(path, `holds a ${privateKey.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
  return { privateKey, publicKey: formatHubKey(privateKey) };
}

function badKey(path: string, what: string): LoaError {
  return new LoaError(
    'LOA_SIGNING_KEY_BAD',
    `${path} ${what}: restore it from the backup. The hub does not make a new one by itself, for no box would obey it (docs/install.md).`,
    { status: 500 },
  );
}

/** A new Ed25519 key (PKCS#8 PEM) at `path`, unless there is a key there already. */
function createIfMissing(path: string): boolean {
  if (existsSync(path)) return false;
  return createFileOnce(path, () => generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
}

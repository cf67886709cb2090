// The hub's key for cluster secrets: 32 random bytes in <dataDir>/cluster-secrets.key (mode 0600),
// made at first start. Stored secrets are HMACs under this key (secrets.ts): it is backed up with
// loa.db, for without it no stored secret can be checked (docs/security.md, docs/install.md).
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createFileOnce, keepOwnerOnly } from '../../common/create-once.js';
import { LoaError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';

export const SECRET_KEY_FILE = 'cluster-secrets.key';

export interface HubSecretKey {
  key: Buffer;
  /** A short fingerprint stored beside each hash, so a replaced key is named as the cause. */
  id: string;
}

/** Reads the key, making it first if there is none (never overwriting one). */
export function loadSecretKey(dataDir: string, logger: Logger): HubSecretKey {
  const path = join(dataDir, SECRET_KEY_FILE);
  if (createIfMissing(path)) logger.info({ path }, 'made the key for cluster secrets; back it up with loa.db');
  const stat = statSync(path);
  if (!stat.isFile()) throw badKey(path, 'is not a file');
  keepOwnerOnly(path, stat, logger, 'the key for cluster secrets');
  const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
  if (key.length !== 32) throw badKey(path, 'does not hold a 32-byte key (base64url text)');
  return { key, id: createHash('sha256').update(key).digest('base64url').slice(0, 8) };
}

function badKey(path: string, what: string): LoaError {
  return new LoaError(
    'LOA_SECRET_KEY_BAD',
    `${path} ${what}: restore it from the backup; without it every cluster needs a new secret (loa clusters rotate-secret).`,
    { status: 500 },
  );
}

/** 32 random bytes (base64url text) at `path`, unless there is a key there already. */
function createIfMissing(path: string): boolean {
  return createFileOnce(path, () => `${randomBytes(32).toString('base64url')}\n`);
}

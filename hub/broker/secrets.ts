// Cluster secrets: 192-bit random values the hub makes, so a slow password hash buys nothing
// against offline guessing and costs a great deal online (issue 14, item 6). They are stored as
// HMAC-SHA-256 under the hub's key (secret-key.ts) and checked in constant time, in microseconds.
// Stores from before hold scrypt hashes: those are checked the old way, a few at a time so the CPU
// cannot be exhausted, and re-stored as HMAC on the first successful login.
import { createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../../common/logger.js';
import type { HubSecretKey } from './secret-key.js';

const KEY_LEN = 32;

export function generateSecret(): string {
  return randomBytes(24).toString('base64url');
}

/** The stored form of a cluster's secret: hmac$<key id>$<HMAC-SHA-256(key, id NUL secret)>. */
export function hmacHash(key: HubSecretKey, clusterId: string, secret: string): string {
  return `hmac$${key.id}$${mac(key, clusterId, secret).toString('base64url')}`;
}

function mac(key: HubSecretKey, clusterId: string, secret: string): Buffer {
  // Bound to the id so a hash copied to another row does not let that row's box in.
  return createHmac('sha256', key.key).update(clusterId).update('\0').update(secret).digest();
}

/** ok, wrong (or unknown cluster), or busy: an old-format check could not be afforded now. */
export type SecretCheck = 'ok' | 'wrong' | 'busy';

function scryptAsync(secret: string, salt: Buffer, N: number): Promise<Buffer> {
  // maxmem must allow 128*N*r bytes; r = 8.
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, KEY_LEN, { N, r: 8, p: 1, maxmem: 256 * N * 8 + 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/**
 * The former format, scrypt$N$salt$hash (base64url). Nothing stores it any more; it is kept for
 * secrets a person might choose one day and to make old-format stores in tests.
 */
export async function scryptHash(secret: string, cost: number): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(secret, salt, cost);
  return `scrypt$${cost}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

async function verifyScrypt(secret: string, stored: string): Promise<boolean> {
  const [, n, salt, hash] = stored.split('$');
  const N = Number(n);
  // A cost outside what the hub ever wrote is a damaged row, not a reason to burn a core.
  if (!salt || !hash || !Number.isInteger(N) || N < 2 || N > 1 << 20) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scryptAsync(secret, Buffer.from(salt, 'base64url'), N);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Runs at most `running` slow checks at once with `queued` waiting; beyond that, none. */
class SlowCheckSlots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly running: number,
    private readonly queued: number,
  ) {}

  async run<T>(fn: () => Promise<T>): Promise<T | 'busy'> {
    if (this.active >= this.running) {
      if (this.waiting.length >= this.queued) return 'busy';
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active += 1;
    }
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next)
        next(); // the slot passes straight to the next in line
      else this.active -= 1;
    }
  }
}

export interface SecretVerifierDeps {
  key: HubSecretKey;
  lookup: (clusterId: string) => string | undefined;
  /** Replaces an old-format hash if it is still `from` (a rotation meanwhile wins). */
  restore: (clusterId: string, from: string, to: string) => void;
  logger: Logger;
  /** Old-format (scrypt) checks at once and waiting; defaults 2 and 16. */
  slowChecks?: { running: number; queued: number };
}

export class SecretVerifier {
  private readonly slow: SlowCheckSlots;
  private readonly keyMismatchLogged = new Set<string>();

  constructor(private readonly deps: SecretVerifierDeps) {
    this.slow = new SlowCheckSlots(deps.slowChecks?.running ?? 2, deps.slowChecks?.queued ?? 16);
  }

  hash(clusterId: string, secret: string): string {
    return hmacHash(this.deps.key, clusterId, secret);
  }

  async verify(clusterId: string, secret: string): Promise<SecretCheck> {
    const stored = this.deps.lookup(clusterId);
    if (!stored) return 'wrong';
    if (stored.startsWith('hmac$')) return this.verifyHmac(clusterId, secret, stored) ? 'ok' : 'wrong';
    if (!stored.startsWith('scrypt$')) return 'wrong';
    const ok = await this.slow.run(() => verifyScrypt(secret, stored));
    if (ok === 'busy') {
      this.deps.logger.warn({ clusterId }, 'old-format secret check skipped: too many in progress; the box will retry');
      return 'busy';
    }
    if (!ok) return 'wrong';
    this.deps.restore(clusterId, stored, this.hash(clusterId, secret));
    this.deps.logger.info({ clusterId }, 'secret re-stored in the fast format (HMAC)');
    return 'ok';
  }

  private verifyHmac(clusterId: string, secret: string, stored: string): boolean {
    const [, keyId, storedMac] = stored.split('$');
    if (keyId !== this.deps.key.id) {
      if (!this.keyMismatchLogged.has(clusterId)) {
        this.keyMismatchLogged.add(clusterId);
        this.deps.logger.error(
          { clusterId, storedKey: keyId, hubKey: this.deps.key.id },
          'this secret was stored under another key: cluster-secrets.key was replaced; restore it from the backup, or rotate the secret',
        );
      }
      return false;
    }
    const expected = Buffer.from(storedMac ?? '', 'base64url');
    const actual = mac(this.deps.key, clusterId, secret);
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }
}

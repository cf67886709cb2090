// Cluster secrets: generated here, stored only as a slow salted hash (scrypt, from node:crypto),
// checked in constant time. A small cache of recent successful checks keeps a fleet reconnecting
// after a hub restart from costing one scrypt per box per reconnect (see docs/security.md).
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const KEY_LEN = 32;

export function generateSecret(): string {
  return randomBytes(24).toString('base64url');
}

function scryptAsync(secret: string, salt: Buffer, N: number): Promise<Buffer> {
  // maxmem must allow 128*N*r bytes; r = 8.
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, KEY_LEN, { N, r: 8, p: 1, maxmem: 256 * N * 8 + 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** Encodes as scrypt$N$salt$hash (base64url) so the cost can change without invalidating old hashes. */
export async function hashSecret(secret: string, cost: number): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(secret, salt, cost);
  return `scrypt$${cost}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scryptAsync(secret, Buffer.from(salt, 'base64url'), Number(n));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/**
 * Verifies cluster credentials against the store, remembering recent successes. The cache holds
 * a SHA-256 of (stored hash, secret), never the secret; a rotated secret changes the stored hash
 * and so misses the cache.
 */
export class SecretVerifier {
  private readonly recent = new Map<string, string>();

  constructor(
    private readonly lookup: (clusterId: string) => string | undefined,
    private readonly maxEntries = 100_000,
  ) {}

  async verify(clusterId: string, secret: string): Promise<boolean> {
    const stored = this.lookup(clusterId);
    if (!stored) return false;
    const fingerprint = createHash('sha256').update(stored).update('\0').update(secret).digest('base64url');
    const known = this.recent.get(clusterId);
    if (known !== undefined && timingSafeEqual(Buffer.from(known), Buffer.from(fingerprint))) return true;
    const ok = await verifySecret(secret, stored);
    if (ok) {
      if (this.recent.size >= this.maxEntries) this.recent.delete(this.recent.keys().next().value as string);
      this.recent.set(clusterId, fingerprint);
    }
    return ok;
  }

  forget(clusterId: string): void {
    this.recent.delete(clusterId);
  }
}

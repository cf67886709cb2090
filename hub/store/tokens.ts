// API tokens with roles. Only a SHA-256 of each token is stored: tokens are 32 random bytes,
// so a fast hash is enough (unlike the cluster secrets people may choose, see broker/auth).
import { createHash } from 'node:crypto';
import type { Db } from './db.js';

export const ROLES = ['operator', 'police', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export interface TokenRow {
  id: string;
  name: string;
  role: Role;
  createdAt: number;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class TokenStore {
  constructor(private readonly db: Db) {}

  add(t: TokenRow & { token: string }): TokenRow {
    this.db.prepare('INSERT INTO tokens (id, name, role, hash, created_at) VALUES (?, ?, ?, ?, ?)').run(t.id, t.name, t.role, hashToken(t.token), t.createdAt);
    return { id: t.id, name: t.name, role: t.role, createdAt: t.createdAt };
  }

  findByToken(token: string): TokenRow | undefined {
    const r = this.db.prepare('SELECT id, name, role, created_at FROM tokens WHERE hash = ?').get(hashToken(token)) as
      | { id: string; name: string; role: Role; created_at: number }
      | undefined;
    return r && { id: r.id, name: r.name, role: r.role, createdAt: r.created_at };
  }

  list(): TokenRow[] {
    return (
      this.db.prepare('SELECT id, name, role, created_at FROM tokens ORDER BY created_at').all() as {
        id: string;
        name: string;
        role: Role;
        created_at: number;
      }[]
    ).map((r) => ({ id: r.id, name: r.name, role: r.role, createdAt: r.created_at }));
  }

  remove(id: string): boolean {
    return this.db.prepare('DELETE FROM tokens WHERE id = ?').run(id).changes > 0;
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM tokens').get() as { n: number }).n;
  }
}

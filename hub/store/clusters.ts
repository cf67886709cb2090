// Clusters (loudspeaker groups with their edge box): identity, secret hash, command sequence,
// volume and presence, with every presence change recorded for availability reports.
import { prepared, type Db } from './db.js';

export interface ClusterRow {
  id: string;
  name: string;
  village: string;
  volume: number;
  createdAt: number;
  online: boolean;
  lastSeenAt: number | null;
}

interface RawCluster {
  id: string;
  name: string;
  village: string;
  volume: number;
  created_at: number;
  online: number;
  last_seen_at: number | null;
}

const toRow = (r: RawCluster): ClusterRow => ({
  id: r.id,
  name: r.name,
  village: r.village,
  volume: r.volume,
  createdAt: r.created_at,
  online: r.online === 1,
  lastSeenAt: r.last_seen_at,
});

const COLUMNS = 'id, name, village, volume, created_at, online, last_seen_at';

export class ClusterStore {
  constructor(private readonly db: Db) {}

  add(c: { id: string; name: string; village: string; secretHash: string; mosquittoHash?: string | null; createdAt: number }): ClusterRow {
    // Sequence numbers start at the creation time in ms, so a cluster removed and added again
    // never reuses numbers its box has already seen (the box would refuse them as replays).
    prepared(this.db, 'INSERT INTO clusters (id, name, village, secret_hash, mosquitto_hash, next_seq, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      c.id,
      c.name,
      c.village,
      c.secretHash,
      c.mosquittoHash ?? null,
      c.createdAt,
      c.createdAt,
    );
    return this.get(c.id)!;
  }

  exists(id: string): boolean {
    return prepared(this.db, 'SELECT 1 FROM clusters WHERE id = ?').get(id) !== undefined;
  }

  get(id: string): ClusterRow | undefined {
    const r = prepared(this.db, `SELECT ${COLUMNS} FROM clusters WHERE id = ?`).get(id) as RawCluster | undefined;
    return r && toRow(r);
  }

  list(): ClusterRow[] {
    return (prepared(this.db, `SELECT ${COLUMNS} FROM clusters ORDER BY id`).all() as RawCluster[]).map(toRow);
  }

  secretHash(id: string): string | undefined {
    const r = prepared(this.db, 'SELECT secret_hash FROM clusters WHERE id = ?').get(id) as { secret_hash: string } | undefined;
    return r?.secret_hash;
  }

  /** Re-stores a secret's hash in a new format if it is still `from` (a rotation meanwhile wins). */
  replaceSecretHash(id: string, from: string, to: string): void {
    prepared(this.db, 'UPDATE clusters SET secret_hash = ? WHERE id = ? AND secret_hash = ?').run(to, id, from);
  }

  /** Replaces the secret's hashes; the Mosquitto one is null when it was not computed (it then needs a rotation). */
  setSecretHash(id: string, hash: string, mosquittoHash: string | null = null): void {
    prepared(this.db, 'UPDATE clusters SET secret_hash = ?, mosquitto_hash = ? WHERE id = ?').run(hash, mosquittoHash, id);
  }

  /** Every cluster's Mosquitto password hash (external broker mode), null where none was ever computed. */
  mosquittoHashes(): { id: string; mosquittoHash: string | null }[] {
    return (prepared(this.db, 'SELECT id, mosquitto_hash FROM clusters ORDER BY id').all() as { id: string; mosquitto_hash: string | null }[]).map((r) => ({
      id: r.id,
      mosquittoHash: r.mosquitto_hash,
    }));
  }

  remove(id: string): boolean {
    return prepared(this.db, 'DELETE FROM clusters WHERE id = ?').run(id).changes > 0;
  }

  setVolume(id: string, volume: number): void {
    prepared(this.db, 'UPDATE clusters SET volume = ? WHERE id = ?').run(volume, id);
  }

  /**
   * Whether this hub has issued a cluster's sequence number (a box's reported `lastSeq`): one it
   * never issued is a lie or a forgery, and the hub owns the sequence, so it is not adopted.
   */
  issuedSeq(id: string, seq: number): boolean {
    const r = prepared(this.db, 'SELECT next_seq FROM clusters WHERE id = ?').get(id) as { next_seq: number } | undefined;
    return r !== undefined && seq < r.next_seq;
  }

  /**
   * Reserves the next command sequence number of a cluster: never below the time in ms, so a hub
   * whose store was restored from an older backup still sends numbers above those its boxes have
   * seen (a cluster gets far fewer than one command a millisecond). Without `now`: the next one.
   */
  takeSeq(id: string, now = 0): number {
    const r = prepared(this.db, 'UPDATE clusters SET next_seq = MAX(next_seq, ?) + 1 WHERE id = ? RETURNING next_seq - 1 AS seq').get(Math.floor(now), id) as
      | { seq: number }
      | undefined;
    if (!r) throw new Error(`cluster ${id} does not exist`);
    return r.seq;
  }

  /**
   * Puts back counters this hub cannot have reached: a store written before the hub owned the
   * sequence took a box's word for it, and a box that claimed 2^53-1 left a number no command may
   * carry. Numbers come from the clock, so anything beyond `now + slackMs` is such a claim.
   * Returns the clusters repaired, with the number they had.
   */
  repairSeqs(now: number, slackMs: number): { id: string; was: number }[] {
    const bad = prepared(this.db, 'SELECT id, next_seq AS was FROM clusters WHERE next_seq > ?').all(Math.floor(now) + slackMs) as {
      id: string;
      was: number;
    }[];
    for (const b of bad) prepared(this.db, 'UPDATE clusters SET next_seq = ? WHERE id = ?').run(Math.floor(now), b.id);
    return bad;
  }

  /** Records a presence change; returns false when the cluster was already in that state. */
  setPresence(id: string, online: boolean, at: number, reason: string | null): boolean {
    const tx = this.db.transaction(() => {
      const cur = prepared(this.db, 'SELECT online FROM clusters WHERE id = ?').get(id) as { online: number } | undefined;
      if (!cur) return false;
      prepared(this.db, 'UPDATE clusters SET last_seen_at = ? WHERE id = ?').run(at, id);
      if ((cur.online === 1) === online) return false;
      prepared(this.db, 'UPDATE clusters SET online = ? WHERE id = ?').run(online ? 1 : 0, id);
      prepared(this.db, 'INSERT INTO presence_events (cluster_id, online, reason, at) VALUES (?, ?, ?, ?)').run(id, online ? 1 : 0, reason, at);
      return true;
    });
    return tx();
  }

  touch(id: string, at: number): void {
    prepared(this.db, 'UPDATE clusters SET last_seen_at = MAX(COALESCE(last_seen_at, 0), ?) WHERE id = ?').run(at, id);
  }

  /** Records when many clusters were last heard from, in one transaction. */
  touchMany(seen: Iterable<[string, number]>): void {
    const stmt = prepared(this.db, 'UPDATE clusters SET last_seen_at = MAX(COALESCE(last_seen_at, 0), ?) WHERE id = ?');
    this.db.transaction(() => {
      for (const [id, at] of seen) stmt.run(at, id);
    })();
  }

  ids(): string[] {
    return (prepared(this.db, 'SELECT id FROM clusters').all() as { id: string }[]).map((r) => r.id);
  }

  /** At hub start nobody is connected yet, whatever the store said when it stopped. */
  markAllOffline(at: number, reason: string): void {
    const tx = this.db.transaction(() => {
      const online = prepared(this.db, 'SELECT id FROM clusters WHERE online = 1').all() as { id: string }[];
      for (const { id } of online) {
        prepared(this.db, 'UPDATE clusters SET online = 0 WHERE id = ?').run(id);
        prepared(this.db, 'INSERT INTO presence_events (cluster_id, online, reason, at) VALUES (?, 0, ?, ?)').run(id, reason, at);
      }
    });
    tx();
  }

  /** Milliseconds a cluster was online within [from, to), from its presence changes. */
  onlineMs(id: string, from: number, to: number): number {
    const before = prepared(this.db, 'SELECT online FROM presence_events WHERE cluster_id = ? AND at < ? ORDER BY at DESC, id DESC LIMIT 1').get(id, from) as
      | { online: number }
      | undefined;
    const events = prepared(this.db, 'SELECT online, at FROM presence_events WHERE cluster_id = ? AND at >= ? AND at < ? ORDER BY at, id').all(
      id,
      from,
      to,
    ) as { online: number; at: number }[];
    let online = before?.online === 1;
    let since = from;
    let total = 0;
    for (const e of events) {
      if (online) total += e.at - since;
      online = e.online === 1;
      since = e.at;
    }
    if (online) total += to - since;
    return total;
  }

  presenceEvents(id: string, limit = 50): { online: boolean; reason: string | null; at: number }[] {
    return (
      prepared(this.db, 'SELECT online, reason, at FROM presence_events WHERE cluster_id = ? ORDER BY at DESC, id DESC LIMIT ?').all(id, limit) as {
        online: number;
        reason: string | null;
        at: number;
      }[]
    ).map((r) => ({ online: r.online === 1, reason: r.reason, at: r.at }));
  }
}

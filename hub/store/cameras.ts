// Cameras of the police post: their configuration, the password encrypted at rest, and the last
// poll's findings. Views never carry credentials; only `connection()` (for the poller and the
// snapshot proxy) decrypts them.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import type { Reason } from '../../common/i18n/reasons.js';
import type { CameraDeviceInfo, CameraProfile, CameraStatus, CameraView } from './camera-types.js';
import type { Db } from './db.js';

export type CameraSource = CameraView['source'];

/** A camera as stored, without credentials: the view's configuration, and the last poll's findings. */
export interface CameraRow extends Pick<CameraView, 'id' | 'name' | 'village' | 'host' | 'port' | 'path' | 'source' | 'createdAt'> {
  findings: CameraFindings;
}

/** What the poller last found out, replaced as a whole after each poll: the view's poll fields
 *  (documented on CameraView) plus the camera's own snapshot address, which only the proxy uses. */
export type CameraFindings = Pick<
  CameraView,
  'status' | 'reasons' | 'statusSince' | 'lastSeenAt' | 'lastCheckedAt' | 'clockSkewMs' | 'latencyMs' | 'device' | 'profiles' | 'streamUri'
> & { snapshotUri: string | null };

export const UNKNOWN_FINDINGS: CameraFindings = {
  status: 'unknown',
  reasons: [],
  statusSince: null,
  lastSeenAt: null,
  lastCheckedAt: null,
  clockSkewMs: null,
  latencyMs: null,
  device: null,
  profiles: [],
  streamUri: null,
  snapshotUri: null,
};

/** Where and as whom to reach a camera: for the poller and the snapshot proxy only. */
export interface CameraConnection {
  id: string;
  host: string;
  port: number;
  path: string;
  user: string;
  password: string;
}

/** A camera as configured: where, as whom, and its name and village. */
export interface CameraSettingsRow extends CameraConnection {
  name: string;
  village: string | null;
}

export interface CameraPut extends CameraSettingsRow {
  source: CameraSource;
  createdAt: number;
}

/** A row of the cameras table: the settings' columns as they are, the rest in its column names. */
interface RawCamera extends CameraSettingsRow {
  source: CameraSource;
  created_at: number;
  status: CameraStatus;
  /** JSON array of coded reasons (common/i18n/reasons.ts); text from before codes reads as none. */
  reason: string | null;
  status_since: number | null;
  last_seen_at: number | null;
  last_checked_at: number | null;
  clock_skew_ms: number | null;
  latency_ms: number | null;
  device: string | null;
  profiles: string;
  stream_uri: string | null;
  snapshot_uri: string | null;
}

/** The columns a view may read: user and password are not among them. */
const VIEW_COLUMNS =
  'id, name, village, host, port, path, source, created_at, status, reason, status_since, last_seen_at, last_checked_at, clock_skew_ms, latency_ms, device, ' +
  'profiles, stream_uri, snapshot_uri';

function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function readReasons(text: string | null): Reason[] {
  const v = parseJson<unknown>(text, []);
  return Array.isArray(v) ? v.filter((r): r is Reason => Boolean(r) && typeof (r as Reason).code === 'string') : [];
}

const toRow = (r: Omit<RawCamera, 'user' | 'password'>): CameraRow => ({
  id: r.id,
  name: r.name,
  village: r.village,
  host: r.host,
  port: r.port,
  path: r.path,
  source: r.source,
  createdAt: r.created_at,
  findings: {
    status: r.status,
    reasons: readReasons(r.reason),
    statusSince: r.status_since,
    lastSeenAt: r.last_seen_at,
    lastCheckedAt: r.last_checked_at,
    clockSkewMs: r.clock_skew_ms,
    latencyMs: r.latency_ms,
    device: parseJson<CameraDeviceInfo | null>(r.device, null),
    profiles: parseJson<CameraProfile[]>(r.profiles, []),
    streamUri: r.stream_uri,
    snapshotUri: r.snapshot_uri,
  },
});

/**
 * AES-256-GCM with a key in its own file beside the database. It keeps passwords out of a copied
 * or backed-up loa.db (and out of `sqlite3 loa.db .dump`); whoever has the whole data directory
 * has the key too, which is unavoidable for a hub that must log in unattended.
 */
export class SecretBox {
  private key: Buffer | null = null;

  constructor(private readonly keyFile: string) {}

  private getKey(): Buffer {
    if (this.key) return this.key;
    let key: Buffer;
    try {
      key = readFileSync(this.keyFile);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      key = randomBytes(32);
      // 'wx': never overwrite a key another process has just written.
      try {
        writeFileSync(this.keyFile, key, { mode: 0o600, flag: 'wx' });
      } catch (w) {
        if ((w as NodeJS.ErrnoException).code !== 'EEXIST') throw w;
        key = readFileSync(this.keyFile);
      }
    }
    if (key.length !== 32) throw new Error(`${this.keyFile} is not a 32-byte key; restore it from a backup or re-enter the camera passwords`);
    chmodSync(this.keyFile, 0o600);
    this.key = key;
    return key;
  }

  /** `context` (the camera id) is bound in as associated data, so a value moved to another row fails. */
  seal(plain: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.getKey(), iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `v1:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  open(sealed: string, context: string): string {
    if (!sealed.startsWith('v1:')) throw new Error('unknown secret format');
    const raw = Buffer.from(sealed.slice(3), 'base64');
    if (raw.length < 28) throw new Error('secret too short');
    const decipher = createDecipheriv('aes-256-gcm', this.getKey(), raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}

export class CameraStore {
  private readonly box: SecretBox;

  constructor(
    private readonly db: Db,
    keyFile: string,
  ) {
    this.box = new SecretBox(keyFile);
  }

  /** Adds or replaces a camera's configuration; findings are kept (the caller resets them when the address changed). */
  put(c: CameraPut): CameraRow {
    const sealed = this.box.seal(c.password, c.id);
    this.db
      .prepare(
        `INSERT INTO cameras (id, name, village, host, port, path, user, password, source, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, village = excluded.village, host = excluded.host,
           port = excluded.port, path = excluded.path, user = excluded.user, password = excluded.password, source = excluded.source`,
      )
      .run(c.id, c.name, c.village, c.host, c.port, c.path, c.user, sealed, c.source, c.createdAt);
    return this.get(c.id)!;
  }

  exists(id: string): boolean {
    return this.db.prepare('SELECT 1 FROM cameras WHERE id = ?').get(id) !== undefined;
  }

  get(id: string): CameraRow | undefined {
    const r = this.db.prepare(`SELECT ${VIEW_COLUMNS} FROM cameras WHERE id = ?`).get(id) as RawCamera | undefined;
    return r && toRow(r);
  }

  list(): CameraRow[] {
    return (this.db.prepare(`SELECT ${VIEW_COLUMNS} FROM cameras ORDER BY id`).all() as RawCamera[]).map(toRow);
  }

  /** The decrypted credentials; throws when the key file no longer matches (restored without it). */
  connection(id: string): CameraConnection | undefined {
    const r = this.db.prepare('SELECT id, host, port, path, user, password FROM cameras WHERE id = ?').get(id) as
      | Pick<RawCamera, 'id' | 'host' | 'port' | 'path' | 'user' | 'password'>
      | undefined;
    if (!r) return undefined;
    let password: string;
    try {
      password = this.box.open(r.password, r.id);
    } catch (e) {
      throw new Error(
        `the stored password of camera ${id} cannot be decrypted (${(e as Error).message}); was camera-secrets.key replaced? add the camera again`,
      );
    }
    return { id: r.id, host: r.host, port: r.port, path: r.path, user: r.user, password };
  }

  saveFindings(id: string, f: CameraFindings): void {
    this.db
      .prepare(
        `UPDATE cameras SET status = ?, reason = ?, status_since = ?, last_seen_at = ?, last_checked_at = ?, clock_skew_ms = ?,
           latency_ms = ?, device = ?, profiles = ?, stream_uri = ?, snapshot_uri = ? WHERE id = ?`,
      )
      .run(
        f.status,
        f.reasons.length > 0 ? JSON.stringify(f.reasons) : null,
        f.statusSince,
        f.lastSeenAt,
        f.lastCheckedAt,
        f.clockSkewMs === null ? null : Math.round(f.clockSkewMs),
        f.latencyMs === null ? null : Math.round(f.latencyMs),
        f.device === null ? null : JSON.stringify(f.device),
        JSON.stringify(f.profiles),
        f.streamUri,
        f.snapshotUri,
        id,
      );
  }

  remove(id: string): boolean {
    return this.db.prepare('DELETE FROM cameras WHERE id = ?').run(id).changes > 0;
  }
}

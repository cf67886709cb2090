// An HTTP GET that answers a camera's authentication challenge: Digest (RFC 7616: MD5, MD5-sess,
// SHA-256, qop=auth or none) or Basic. Each camera's last Digest challenge is reused with a rising
// nonce count, so a snapshot usually costs one request, not two. Written here rather than taken
// from urllib: that library patches net.Socket.prototype.destroy for the whole process, and its
// patch throws when one error object destroys two sockets (undici's pool does), see docs/cameras.md.
import { createHash, randomBytes } from 'node:crypto';
import { request, type Agent, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';

export interface DigestGetOptions {
  user: string;
  password: string;
  timeoutMs: number;
  /** Bodies above this are not read: `body` is null. */
  maxBytes: number;
  signal?: AbortSignal;
  agent?: Agent;
  headers?: Record<string, string>;
}

export interface DigestGetResult {
  status: number;
  headers: IncomingHttpHeaders;
  /** Null when the body passed maxBytes. */
  body: Buffer | null;
}

interface Challenge {
  scheme: 'digest' | 'basic';
  realm: string;
  nonce: string;
  opaque?: string;
  algorithm: string;
  qop?: 'auth';
  nc: number;
}

const MAX_REMEMBERED = 4096;

/** One per user of it (the snapshot proxy), so its remembered challenges go with it. */
export class DigestClient {
  /** Last challenge per origin (host:port); bounded, oldest dropped first. */
  private readonly challenges = new Map<string, Challenge>();

  get(url: string, o: DigestGetOptions): Promise<DigestGetResult> {
    return digestGet(this.challenges, url, o);
  }
}

async function digestGet(challenges: Map<string, Challenge>, url: string, o: DigestGetOptions): Promise<DigestGetResult> {
  const target = new URL(url);
  if (target.protocol !== 'http:') throw new Error(`unsupported scheme ${target.protocol} (only http:)`);
  const origin = target.host;
  let challenge = challenges.get(origin);
  for (let attempt = 0; attempt < 3; attempt++) {
    const auth = challenge ? authorization(challenge, o.user, o.password, target.pathname + target.search) : undefined;
    const res = await get(target, o, auth);
    if (res.status !== 401) return res;
    const fresh = parseChallenge(res.headers['www-authenticate']);
    // A new nonce (stale, or first contact) is worth one more try; a refusal of a fresh one is final.
    if (!fresh || (challenge && challenge.nonce === fresh.nonce && !isStale(res.headers['www-authenticate']))) return res;
    challenges.delete(origin);
    if (challenges.size >= MAX_REMEMBERED) challenges.delete(challenges.keys().next().value!);
    challenges.set(origin, fresh);
    challenge = fresh;
  }
  return get(target, o, challenge ? authorization(challenge, o.user, o.password, target.pathname + target.search) : undefined);
}

function get(target: URL, o: DigestGetOptions, auth: string | undefined): Promise<DigestGetResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      { method: 'GET', agent: o.agent, timeout: o.timeoutMs, signal: o.signal, headers: { ...o.headers, ...(auth ? { authorization: auth } : {}) } },
      (res: IncomingMessage) => {
        const declared = Number(res.headers['content-length'] ?? NaN);
        const chunks: Buffer[] = [];
        let size = 0;
        const done = (body: Buffer | null) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        if (declared > o.maxBytes) {
          res.destroy();
          return done(null);
        }
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > o.maxBytes) {
            res.destroy();
            done(null);
          } else chunks.push(c);
        });
        res.once('end', () => done(Buffer.concat(chunks)));
        res.once('error', reject);
      },
    );
    req.once('timeout', () => req.destroy(Object.assign(new Error(`timeout ${o.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.once('error', reject);
    req.end();
  });
}

function isStale(header: string | string[] | undefined): boolean {
  return /stale\s*=\s*"?true/i.test(String(header ?? ''));
}

/** The first Digest (else Basic) challenge of a WWW-Authenticate header; untrusted, so bounded. */
export function parseChallenge(header: string | string[] | undefined): Challenge | null {
  const all = (Array.isArray(header) ? header : [header ?? '']).map((h) => h.slice(0, 2048));
  const digest = all.find((h) => /^\s*Digest\s/i.test(h));
  if (digest) {
    const p = parseParams(digest.replace(/^\s*Digest\s+/i, ''));
    if (!p.nonce || p.realm === undefined) return null;
    const algorithm = (p.algorithm ?? 'MD5').toUpperCase();
    if (!['MD5', 'MD5-SESS', 'SHA-256', 'SHA-256-SESS'].includes(algorithm)) return null;
    const qops = (p.qop ?? '').split(',').map((q) => q.trim().toLowerCase());
    if (p.qop !== undefined && !qops.includes('auth')) return null;
    return { scheme: 'digest', realm: p.realm, nonce: p.nonce, opaque: p.opaque, algorithm, qop: p.qop !== undefined ? 'auth' : undefined, nc: 0 };
  }
  const basic = all.find((h) => /^\s*Basic\b/i.test(h));
  return basic ? { scheme: 'basic', realm: parseParams(basic.replace(/^\s*Basic\s*/i, '')).realm ?? '', nonce: '', algorithm: '', nc: 0 } : null;
}

function authorization(c: Challenge, user: string, password: string, uri: string): string {
  if (c.scheme === 'basic') return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const h = (s: string) =>
    createHash(c.algorithm.startsWith('SHA-256') ? 'sha256' : 'md5')
      .update(s)
      .digest('hex');
  const cnonce = randomBytes(8).toString('hex');
  const nc = (++c.nc).toString(16).padStart(8, '0');
  let ha1 = h(`${user}:${c.realm}:${password}`);
  if (c.algorithm.endsWith('-SESS')) ha1 = h(`${ha1}:${c.nonce}:${cnonce}`);
  const ha2 = h(`GET:${uri}`);
  const response = c.qop ? h(`${ha1}:${c.nonce}:${nc}:${cnonce}:auth:${ha2}`) : h(`${ha1}:${c.nonce}:${ha2}`);
  const q = (s: string) => `"${s.replace(/["\\]/g, '\\$&')}"`;
  const parts = [`username=${q(user)}`, `realm=${q(c.realm)}`, `nonce=${q(c.nonce)}`, `uri=${q(uri)}`, `algorithm=${c.algorithm}`, `response=${q(response)}`];
  if (c.qop) parts.push(`qop=auth`, `nc=${nc}`, `cnonce=${q(cnonce)}`);
  if (c.opaque !== undefined) parts.push(`opaque=${q(c.opaque)}`);
  return `Digest ${parts.join(', ')}`;
}

/** Parses `a="x", b=y` auth parameters (quoted strings may contain commas). */
function parseParams(s: string): Record<string, string | undefined> {
  const out: Record<string, string> = {};
  const re = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
  return out;
}

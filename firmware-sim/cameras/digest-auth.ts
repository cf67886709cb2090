// HTTP Digest authentication (RFC 7616, MD5, qop=auth) for the simulated camera's snapshot URL.
// Nonces are HMACs of their issue time, so the camera keeps no table of them and stale ones expire.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const NONCE_LIFETIME_MS = 5 * 60_000;

export class DigestAuth {
  private readonly secret = randomBytes(16);

  constructor(
    readonly realm: string,
    private readonly now: () => number,
  ) {}

  private sign(issued: string): string {
    return createHmac('sha256', this.secret).update(issued).digest('hex').slice(0, 32);
  }

  /** The WWW-Authenticate header value for a 401 reply. */
  challenge(stale = false): string {
    const issued = this.now().toString(16);
    const nonce = Buffer.from(`${issued}:${this.sign(issued)}`).toString('base64');
    return `Digest realm="${this.realm}", qop="auth", algorithm=MD5, nonce="${nonce}"${stale ? ', stale=true' : ''}`;
  }

  /** 'ok', 'stale' (right password, expired nonce: the client retries) or 'denied'. */
  check(header: string | undefined, method: string, url: string, user: string, password: string): 'ok' | 'stale' | 'denied' {
    if (!header || !/^Digest\s/i.test(header)) return 'denied';
    const p = parseParams(header.slice(header.indexOf(' ') + 1));
    if (p.username !== user || p.realm !== this.realm || p.uri !== url || !p.nonce || !p.response) return 'denied';
    if ((p.algorithm ?? 'MD5').toUpperCase() !== 'MD5') return 'denied';
    const ha1 = md5(`${user}:${this.realm}:${password}`);
    const ha2 = md5(`${method}:${p.uri}`);
    let expected: string;
    if (p.qop === 'auth') {
      if (!p.nc || p.cnonce === undefined) return 'denied';
      expected = md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:auth:${ha2}`);
    } else if (p.qop === undefined) {
      expected = md5(`${ha1}:${p.nonce}:${ha2}`); // RFC 2069 compatibility, still used by some clients
    } else {
      return 'denied';
    }
    const a = Buffer.from(expected);
    const b = Buffer.from(p.response.toLowerCase());
    if (a.length !== b.length || !timingSafeEqual(a, b)) return 'denied';
    const [issued, sig] = Buffer.from(p.nonce, 'base64').toString().split(':');
    if (!issued || !sig || sig !== this.sign(issued)) return 'denied';
    return this.now() - parseInt(issued, 16) > NONCE_LIFETIME_MS ? 'stale' : 'ok';
  }
}

/** Parses `a="x", b=y` auth parameters (quoted strings may contain commas). */
export function parseParams(s: string): Record<string, string | undefined> {
  const out: Record<string, string> = {};
  const re = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
  return out;
}

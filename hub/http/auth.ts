// Bearer-token authorisation by role. Each route says which roles may call it
// (`config.roles`); a route without roles is public (healthz, metrics) or does its own
// device authentication (media content).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LoaError, sentenceError } from '../../common/errors.js';
import type { ClusterLogin } from '../broker/cluster-login.js';
import type { Role, TokenRow, TokenStore } from '../store/index.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    roles?: readonly Role[];
  }
  interface FastifyRequest {
    principal?: TokenRow;
  }
}

/** The live view's WebSocket subprotocol (hub/http/routes/camera-live.ts). */
export const LIVE_PROTOCOL = 'loa-live.v1';
/** A WebSocket's token as a subprotocol value, `loa.bearer.<token>`: a browser cannot set headers on
 *  one, and a token in the URL would be kept in proxies' logs and the browser's history. */
export const WS_TOKEN_PREFIX = 'loa.bearer.';

export function bearerToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h) return wsToken(req);
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m?.[1];
}

/** The token offered in Sec-WebSocket-Protocol, on a WebSocket upgrade only. */
function wsToken(req: FastifyRequest): string | undefined {
  if (req.headers.upgrade?.toLowerCase() !== 'websocket') return undefined;
  const offered = req.headers['sec-websocket-protocol'];
  if (typeof offered !== 'string') return undefined;
  const value = offered
    .split(',')
    .map((p) => p.trim())
    .find((p) => p.startsWith(WS_TOKEN_PREFIX));
  return value?.slice(WS_TOKEN_PREFIX.length) || undefined;
}

export function makeAuthHook(tokens: TokenStore) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const roles = req.routeOptions.config.roles;
    if (!roles) return;
    const token = bearerToken(req);
    if (!token) throw sentenceError('LOA_UNAUTHENTICATED', 'auth.no-token', {}, { status: 401 });
    const principal = tokens.findByToken(token);
    if (!principal) throw sentenceError('LOA_UNAUTHENTICATED', 'auth.unknown-token', {}, { status: 401 });
    if (!roles.includes(principal.role)) {
      throw sentenceError('LOA_FORBIDDEN', 'auth.forbidden', { role: principal.role, roles: roles.join(', ') }, { status: 403 });
    }
    req.principal = principal;
  };
}

/**
 * A box's own login on the routes it fetches from (media content, live): HTTP Basic with its
 * cluster id and secret, through the broker's gate (a wrong one is answered late). Returns the id.
 */
export async function requireCluster(req: FastifyRequest, reply: FastifyReply, login: ClusterLogin, what: 'media' | 'live'): Promise<string> {
  const creds = basicCredentials(req);
  const result = creds ? await login.check(creds.user, creds.password, req.ip, 'http') : 'wrong';
  if (creds && result === 'ok') return creds.user;
  if (result === 'busy') {
    void reply.header('retry-after', '2');
    throw new LoaError('LOA_LOGIN_BUSY', 'the hub is busy checking logins; retry in a few seconds.', { status: 503 });
  }
  void reply.header('www-authenticate', `Basic realm="loa ${what}", charset="UTF-8"`);
  const served = what === 'media' ? 'media is' : 'live streams are';
  throw new LoaError('LOA_UNAUTHENTICATED', `${served} served to clusters only: use the cluster id and secret with HTTP Basic.`, { status: 401 });
}

/** Reads HTTP Basic credentials; undefined when absent or malformed. */
export function basicCredentials(req: FastifyRequest): { user: string; password: string } | undefined {
  const h = req.headers.authorization;
  const m = h ? /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(h) : null;
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

// A GET over node:http/https for the media cache, instead of the global fetch: fetch's HTTP parser
// (undici's llhttp) runs in WebAssembly, which V8's lite mode leaves out, and lite mode is what
// brings an idle box under 60 MB (docs/benchmarks.md, edge). Follows redirects like fetch (at most
// 5; the Authorization header is not sent to another origin) and is cut by an AbortSignal.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface GetResponse {
  status: number;
  statusText: string;
  header(name: string): string | undefined;
  body: AsyncIterable<Buffer>;
  /** Drops the rest of the answer and its connection. */
  cancel(): void;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/** `ca`: the only CA trusted for https:// (the hub's, pinned), not the system's. */
export async function httpGet(url: URL, headers: Record<string, string>, signal: AbortSignal, ca?: Buffer): Promise<GetResponse> {
  let target = url;
  let sent = headers;
  for (let hop = 0; ; hop++) {
    const res = await once(target, sent, signal, ca);
    const location = res.headers.location;
    if (!REDIRECTS.has(res.statusCode ?? 0) || !location) return wrap(res);
    res.destroy();
    if (hop >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects from ${url.href}`);
    const next = new URL(location, target);
    // Origin, not host: https://hub → http://hub (same host and port) would send the secret in clear.
    // Once dropped it stays dropped, so a hop back to the hub through another host carries nothing.
    if (next.origin !== target.origin) sent = Object.fromEntries(Object.entries(sent).filter(([k]) => k.toLowerCase() !== 'authorization'));
    target = next;
  }
}

function once(url: URL, headers: Record<string, string>, signal: AbortSignal, ca: Buffer | undefined): Promise<IncomingMessage> {
  const request = url.protocol === 'https:' ? httpsRequest : url.protocol === 'http:' ? httpRequest : null;
  if (!request) return Promise.reject(new Error(`${url.protocol} is not http: or https:`));
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers, signal, ...(ca && url.protocol === 'https:' ? { ca } : {}) }, resolve);
    req.on('error', reject);
    req.end();
  });
}

function wrap(res: IncomingMessage): GetResponse {
  return {
    status: res.statusCode ?? 0,
    statusText: res.statusMessage ?? '',
    header: (name) => {
      const v = res.headers[name.toLowerCase()];
      return Array.isArray(v) ? v.join(', ') : v;
    },
    body: res,
    cancel: () => res.destroy(),
  };
}

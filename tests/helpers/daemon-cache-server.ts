// A media server for the cache suites: Basic auth, `Range: bytes=N-` answered with 206, and
// misbehaviours a village link or a bad proxy shows: cut the connection after N bytes, ignore
// Range (200 with the whole file), stall mid-body, send a corrupted body, fail with 503.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CacheServerRequest {
  path: string;
  range: string | undefined;
  status: number;
}

export interface CacheServerBehaviour {
  /** Cut the connection after this many body bytes, for the next `cuts` answers. */
  cutAfterBytes: number;
  cuts: number;
  /** Send this many body bytes and then nothing more, keeping the connection open, once. */
  hangAfterBytes: number;
  /** Answer every request with 200 and the whole file. */
  ignoreRange: boolean;
  /** Flip a byte in the next `corrupt` answers. */
  corrupt: number;
  /** Answer the next `failures` requests with this status. */
  failures: number;
  failStatus: number;
}

export interface CacheServer {
  url: string;
  routes: Map<string, Buffer>;
  requests: CacheServerRequest[];
  behaviour: CacheServerBehaviour;
  /** Most answers under way at once (a sequential prefetch keeps it at 1). */
  readonly maxConcurrent: number;
  close(): Promise<void>;
}

export async function startCacheServer(credentials: { user: string; password: string }): Promise<CacheServer> {
  const routes = new Map<string, Buffer>();
  const requests: CacheServerRequest[] = [];
  const behaviour: CacheServerBehaviour = { cutAfterBytes: 0, cuts: 0, hangAfterBytes: 0, ignoreRange: false, corrupt: 0, failures: 0, failStatus: 503 };
  let concurrent = 0;
  let maxConcurrent = 0;
  const expected = `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}`;
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    maxConcurrent = Math.max(maxConcurrent, ++concurrent);
    res.on('close', () => {
      concurrent -= 1;
    });
    const range = req.headers.range;
    const answer = (status: number) => {
      requests.push({ path, range, status });
      return status;
    };
    const file = routes.get(path);
    if (req.headers.authorization !== expected) return void res.writeHead(answer(401), { 'www-authenticate': 'Basic realm="loa"' }).end();
    if (!file) return void res.writeHead(answer(404)).end();
    if (behaviour.failures > 0) {
      behaviour.failures -= 1;
      return void res.writeHead(answer(behaviour.failStatus)).end();
    }
    let body = file;
    let status = 200;
    const headers: Record<string, string | number> = { 'content-type': 'audio/ogg', 'accept-ranges': 'bytes' };
    const m = /^bytes=(\d+)-$/.exec(range ?? '');
    if (m && !behaviour.ignoreRange) {
      const start = Number(m[1]);
      if (start >= file.length) return void res.writeHead(answer(416), { 'content-range': `bytes */${file.length}` }).end();
      body = file.subarray(start);
      status = 206;
      headers['content-range'] = `bytes ${start}-${file.length - 1}/${file.length}`;
    }
    if (behaviour.corrupt > 0) {
      behaviour.corrupt -= 1;
      body = Buffer.from(body);
      body[body.length >> 1] ^= 0xff;
    }
    headers['content-length'] = body.length;
    res.writeHead(answer(status), headers);
    if (behaviour.cuts > 0 && behaviour.cutAfterBytes < body.length) {
      behaviour.cuts -= 1;
      // Give the client time to read what it got before the cut, as a slow link would.
      res.write(body.subarray(0, behaviour.cutAfterBytes), () => setTimeout(() => res.socket?.destroy(), 150));
      return;
    }
    if (behaviour.hangAfterBytes > 0 && behaviour.hangAfterBytes < body.length) {
      res.write(body.subarray(0, behaviour.hangAfterBytes));
      behaviour.hangAfterBytes = 0;
      return;
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    routes,
    requests,
    behaviour,
    get maxConcurrent() {
      return maxConcurrent;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// An HTTP proxy in front of one simulated camera, on another loopback address: counts what the hub
// asks (per SOAP action, and snapshot GETs with and without Digest credentials) and can replace any
// reply with a hostile one (garbage, huge, wrong type) to test that the hub copes.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface Reply {
  status?: number;
  type?: string;
  body: string | Buffer;
  /** Wait this long before answering. */
  delayMs?: number;
}

/** Replaces the reply to an action ("GetProfiles", "snapshot"); the camera's own reply is given to it. */
export type Tamper = (own: { status: number; type: string; body: Buffer }) => Reply | null;

export interface CameraProxy {
  host: string;
  port: number;
  counts: Map<string, number>;
  snapshotGets: { withAuth: number; withoutAuth: number };
  tamper: Map<string, Tamper>;
  stop(): Promise<void>;
}

function actionOf(body: string): string {
  // The first element inside the SOAP Body, prefix dropped.
  const m = /<(?:[\w-]+:)?Body[^>]*>\s*<(?:[\w-]+:)?([A-Za-z]+)/.exec(body);
  return m?.[1] ?? 'unknown';
}

export async function startCameraProxy(listenHost: string, target: { host: string; port: number }): Promise<CameraProxy> {
  const counts = new Map<string, number>();
  const snapshotGets = { withAuth: 0, withoutAuth: 0 };
  const tamper = new Map<string, Tamper>();
  const sockets = new Set<Socket>();

  const handle = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    const isSnapshot = req.method === 'GET' && (req.url ?? '').startsWith('/onvif/snapshot/');
    const action = isSnapshot ? 'snapshot' : actionOf(body.toString('utf8'));
    counts.set(action, (counts.get(action) ?? 0) + 1);
    if (isSnapshot) {
      if (req.headers.authorization) snapshotGets.withAuth++;
      else snapshotGets.withoutAuth++;
    }
    const up = request(
      { host: target.host, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: `${target.host}:${target.port}` } },
      (upRes) => {
        const chunks: Buffer[] = [];
        upRes.on('data', (c: Buffer) => chunks.push(c));
        upRes.on('end', () => {
          const own = { status: upRes.statusCode ?? 502, type: String(upRes.headers['content-type'] ?? ''), body: Buffer.concat(chunks) };
          const fake = tamper.get(action)?.(own) ?? null;
          const send = (): void => {
            if (res.destroyed) return;
            if (fake) {
              res.writeHead(fake.status ?? 200, { 'content-type': fake.type ?? own.type, 'content-length': Buffer.byteLength(fake.body) });
              res.end(fake.body);
            } else {
              const headers = { ...upRes.headers };
              delete headers['transfer-encoding'];
              res.writeHead(own.status, { ...headers, 'content-length': own.body.length });
              res.end(own.body);
            }
          };
          if (fake?.delayMs) setTimeout(send, fake.delayMs);
          else send();
        });
      },
    );
    up.on('error', () => req.socket.destroy());
    up.end(body);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, listenHost, resolve));
  return {
    host: listenHost,
    port: (server.address() as { port: number }).port,
    counts,
    snapshotGets,
    tamper,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

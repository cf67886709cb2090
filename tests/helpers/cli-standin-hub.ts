// A stand-in for the hub's HTTP API, for the `loa` CLI tests only: the real hub (hub/http/) is
// being written at the same time, so this small real node:http server on 127.0.0.1:0 implements
// just enough of docs/api.md to check what the CLI sends and prints. End-to-end tests of the CLI
// against the real hub replace it where they exist.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Broadcast, ClusterStatus, LogEntry, Media, Token } from '../../hub/http/api.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface StandinState {
  clusters: ClusterStatus[];
  media: Media[];
  broadcasts: Broadcast[];
  log: LogEntry[];
  tokens: Token[];
}

export interface StandinOptions {
  tokens: string[];
  state?: Partial<StandinState>;
  /** How the NDJSON media import ends. */
  uploadOutcome?: 'done' | 'error';
  now?: number;
}

export interface StandinHub {
  url: string;
  requests: RecordedRequest[];
  state: StandinState;
  options: StandinOptions;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function notFound(res: ServerResponse, what: string): void {
  send(res, 404, { error: { code: 'LOA_NOT_FOUND', message: `${what} does not exist` } });
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function handleUpload(req: RecordedRequest, res: ServerResponse, hub: StandinHub): Promise<void> {
  const now = hub.options.now ?? 0;
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  for (const percent of [0, 25, 50, 75, 100]) {
    res.write(`${JSON.stringify({ event: 'progress', phase: 'encode', percent })}\n`);
    await delay(5);
  }
  if (hub.options.uploadOutcome === 'error') {
    res.end(`${JSON.stringify({ event: 'error', error: { code: 'LOA_MEDIA_UNDECODABLE', message: 'ffmpeg cannot decode the file: not audio' } })}\n`);
    return;
  }
  const media: Media = {
    id: createHash('sha256').update(req.body).digest('hex'),
    name: req.query.get('name') ?? req.query.get('filename') ?? 'unnamed',
    originalName: req.query.get('filename') ?? '',
    durationMs: 2_000,
    bytes: req.body.length,
    format: 'opus',
    createdAt: now,
  };
  hub.state.media.push(media);
  res.end(`${JSON.stringify({ event: 'done', media })}\n`);
}

async function route(req: RecordedRequest, res: ServerResponse, hub: StandinHub): Promise<void> {
  const s = hub.state;
  const json = (): Record<string, unknown> => (req.body.length ? (JSON.parse(req.body.toString('utf8')) as Record<string, unknown>) : {});
  const key = `${req.method} ${req.path.replace(/^\/api\/v1/, '')}`;
  const [, , group, id, action] = req.path.split('/').slice(1);
  if (key === 'GET /status')
    return send(res, 200, { hub: { version: '0.1.0', startedAt: 0, ffmpeg: { path: '/usr/bin/ffmpeg', source: 'path' } }, clusters: s.clusters });
  if (key === 'GET /clusters') return send(res, 200, { clusters: s.clusters.map(({ playing: _p, health: _h, ...c }) => c) });
  if (key === 'POST /clusters') {
    const b = json();
    const cluster: ClusterStatus = {
      id: String(b.id),
      name: String(b.name ?? b.id),
      village: String(b.village ?? ''),
      volume: 80,
      createdAt: 0,
      online: false,
      lastSeenAt: null,
      playing: null,
      health: null,
    };
    s.clusters.push(cluster);
    return send(res, 201, { cluster, secret: `secret-for-${cluster.id}` });
  }
  if (group === 'clusters' && id) {
    const cluster = s.clusters.find((c) => c.id === id);
    if (!cluster)
      return send(res, 404, { error: { code: 'LOA_CLUSTER_NOT_FOUND', message: `cluster ${id} does not exist; \`loa clusters list\` shows the ids.` } });
    if (req.method === 'GET' && !action) return send(res, 200, { cluster });
    if (req.method === 'DELETE' && !action) {
      s.clusters = s.clusters.filter((c) => c !== cluster);
      return send(res, 200, { removed: id });
    }
    if (action === 'rotate-secret') return send(res, 200, { cluster, secret: `rotated-${id}` });
    if (action === 'volume') {
      cluster.volume = Number(json().volume);
      return send(res, 200, { cluster, commandId: 'cmd-1' });
    }
  }
  if (key === 'GET /media') return send(res, 200, { media: s.media });
  if (key === 'POST /media') return handleUpload(req, res, hub);
  if (group === 'media' && id && req.method === 'DELETE') {
    if (!s.media.some((m) => m.id === id)) return notFound(res, `media ${id}`);
    s.media = s.media.filter((m) => m.id !== id);
    return send(res, 200, { removed: id });
  }
  if (key === 'POST /broadcasts') {
    const b = json();
    const media = s.media.find((m) => m.id === b.mediaId);
    if (!media) return notFound(res, `media ${String(b.mediaId)}`);
    const ids = b.all ? s.clusters.map((c) => c.id) : (b.clusters as string[]);
    const broadcast: Broadcast = {
      id: `b${s.broadcasts.length + 1}`,
      mediaId: media.id,
      mediaName: media.name,
      durationMs: media.durationMs,
      createdAt: hub.options.now ?? 0,
      startAt: Number(b.startAt ?? hub.options.now ?? 0),
      status: 'scheduled',
      targets: ids.map((clusterId) => ({ clusterId, status: 'pending', reason: null, detail: null, acceptedAt: null, startedAt: null, finishedAt: null })),
    };
    s.broadcasts.unshift(broadcast);
    return send(res, 201, { broadcast });
  }
  if (key === 'GET /broadcasts') return send(res, 200, { broadcasts: s.broadcasts.slice(0, Number(req.query.get('limit') ?? 50)) });
  if (key === 'POST /broadcasts/stop') return send(res, 200, { stopped: [{ broadcastId: 'b1', clusterId: 'ban-hon' }] });
  if (group === 'broadcasts' && id && req.method === 'GET') {
    const b = s.broadcasts.find((x) => x.id === id);
    return b ? send(res, 200, { broadcast: b }) : notFound(res, `broadcast ${id}`);
  }
  if (key === 'GET /log') {
    const from = Number(req.query.get('from') ?? -Infinity);
    const to = Number(req.query.get('to') ?? Infinity);
    const cluster = req.query.get('cluster');
    return send(res, 200, { entries: s.log.filter((e) => e.plannedStart >= from && e.plannedStart <= to && (!cluster || e.clusterId === cluster)) });
  }
  if (key === 'GET /tokens') return send(res, 200, { tokens: s.tokens });
  if (key === 'POST /tokens') {
    const b = json();
    const token: Token = { id: `t${s.tokens.length + 1}`, name: String(b.name), role: b.role as Token['role'], createdAt: 0 };
    s.tokens.push(token);
    return send(res, 201, { token, secret: 'tok-secret' });
  }
  if (group === 'tokens' && id && req.method === 'DELETE') return send(res, 200, { removed: id });
  notFound(res, `route ${key}`);
}

export async function startStandinHub(options: StandinOptions): Promise<StandinHub> {
  const state: StandinState = { clusters: [], media: [], broadcasts: [], log: [], tokens: [], ...options.state };
  let server: Server | undefined;
  const hub: StandinHub = {
    url: '',
    requests: [],
    state,
    options,
    close: () =>
      new Promise((r) => {
        server?.closeAllConnections();
        server ? server.close(() => r()) : r();
      }),
  };
  server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const rec: RecordedRequest = { method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, headers: req.headers, body: Buffer.alloc(0) };
    hub.requests.push(rec);
    const auth = req.headers.authorization ?? '';
    if (!options.tokens.some((t) => auth === `Bearer ${t}`)) {
      // Like a real server's auth hook: refuse before reading the body (an upload is still arriving).
      send(res, 401, { error: { code: 'LOA_UNAUTHENTICATED', message: 'missing or unknown API token' } });
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      rec.body = Buffer.concat(chunks);
      route(rec, res, hub).catch((e: Error) => send(res, 500, { error: { code: 'LOA_INTERNAL', message: e.message } }));
    });
  });
  server.keepAliveTimeout = 100;
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  hub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return hub;
}

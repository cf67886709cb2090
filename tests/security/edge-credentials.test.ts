// Issue 14, item 2: a forged play must not make loa-edge hand its cluster id and secret to another
// host. A rogue broker (a bare aedes that lets anyone publish) sends the commands to a real loa-edge
// child process; a hostile HTTP server on 127.0.0.2 records every Authorization header it gets.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cmd, makeOpusMedia, startBroker, Watcher, type TestBroker } from '../helpers/daemon-fixtures.js';
import { spawnEdge, type EdgeProcess } from '../helpers/edge-process.js';
import { makeTestPki } from '../helpers/hub-tls.js';
import { makeTempDir } from '../helpers/tmp.js';

const ID = 'sec-edge';
const SECRET = 'the-cluster-secret-4711';
const BASIC = `Basic ${Buffer.from(`${ID}:${SECRET}`).toString('base64')}`;

interface Seen {
  path: string;
  authorization: string | undefined;
  tls: boolean;
}
type Route = (req: IncomingMessage, res: ServerResponse, seen: Seen) => void;

/** An HTTP server that records each request and answers by path (404 for the rest). With TLS it
 *  speaks HTTPS and plain HTTP on the same port, told apart by the first byte. */
async function recordingServer(host: string, routes: Map<string, Route>, tls?: { key: string; cert: string }) {
  const seen: Seen[] = [];
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const s = { path: req.url ?? '/', authorization: req.headers.authorization, tls: 'encrypted' in req.socket };
    seen.push(s);
    const route = routes.get(new URL(s.path, 'http://x').pathname);
    if (route) route(req, res, s);
    else res.writeHead(404).end();
  };
  const plain = createHttpServer(handle);
  const secure = tls ? createHttpsServer(tls, handle) : null;
  const front: Server = createNetServer((sock) => {
    sock.once('data', (first: Buffer) => {
      sock.pause();
      sock.unshift(first);
      (secure && first[0] === 0x16 ? secure : plain).emit('connection', sock);
      process.nextTick(() => sock.resume());
    });
  });
  await new Promise<void>((res) => front.listen(0, host, () => res()));
  const port = (front.address() as AddressInfo).port;
  return {
    seen,
    origin: (scheme = 'http') => `${scheme}://${host}:${port}`,
    close: () => new Promise<void>((res) => front.close(() => res())),
  };
}

const tmp = makeTempDir('loa-sec-cred-');
let broker: TestBroker;
let watcher: Watcher;
let hostile: Awaited<ReturnType<typeof recordingServer>>;
let hub: Awaited<ReturnType<typeof recordingServer>>;
const hostileRoutes = new Map<string, Route>();
const hubRoutes = new Map<string, Route>();
const edges: EdgeProcess[] = [];
let seq = 0;

const redirectTo =
  (where: () => string): Route =>
  (_req, res) =>
    res.writeHead(302, { location: where() }).end();
const stolen = () => hostile.seen.filter((s) => s.authorization !== undefined);
const boxLogs = () => edges.map((e) => e.output()).join('\n');

async function startBox(httpUrl: string, env?: NodeJS.ProcessEnv, dir = `box-${edges.length}`, caFile?: string): Promise<EdgeProcess> {
  const before = watcher.of(ID, 'presence').length;
  const edge = spawnEdge({
    dir: join(tmp.path, dir),
    clusterId: ID,
    secret: SECRET,
    mqttUrl: broker.url,
    httpUrl,
    ...(env ? { env } : {}),
    ...(caFile ? { caFile } : {}),
  });
  edges.push(edge);
  await watcher.waitFor(
    'the box online',
    () =>
      watcher
        .of(ID, 'presence')
        .slice(before)
        .some((p) => p.status === 'online'),
    15_000,
  );
  // The box's own highest seq survives in its data folder; commands of this file count on from it.
  return edge;
}

function streamPlay(url: string) {
  const now = Date.now();
  return { ...cmd.base(++seq), type: 'play', broadcastId: `s${seq}`, stream: { url, format: 'mp3' }, startAt: now + 100, offsetMs: 0 };
}

beforeAll(async () => {
  broker = await startBroker();
  watcher = await Watcher.connect(broker.url);
  hostile = await recordingServer('127.0.0.2', hostileRoutes);
  hub = await recordingServer('127.0.0.1', hubRoutes);
});

afterEach(async () => {
  await Promise.all(edges.splice(0).map((e) => e.stop('SIGKILL')));
  hostile.seen.length = 0;
  hub.seen.length = 0;
});

afterAll(async () => {
  await watcher?.close();
  await hostile?.close();
  await hub?.close();
  await broker?.close();
  tmp.remove();
});

describe('loa-edge sends its credentials to the hub only (issue 14, item 2)', () => {
  it('refuses a forged stream play on another host (absolute, scheme-relative, user-info) and contacts nothing', async () => {
    await startBox(hub.origin());
    const port = new URL(hostile.origin()).port;
    // The last one reads as the hub to a careless eye: the hub's address is only its user name.
    const urls = [`${hostile.origin()}/live/x.mp3`, `//127.0.0.2:${port}/live/y.mp3`, `${hub.origin()}@127.0.0.2:${port}/live/z.mp3`];
    for (const url of urls) {
      const play = streamPlay(url);
      await watcher.send(ID, play);
      const ack = await watcher.waitFor(
        `an answer to ${url}`,
        () => watcher.acks(ID).find((a) => a.cmdId === play.id && a.status !== 'accepted') ?? watcher.acks(ID).find((a) => a.cmdId === play.id),
      );
      expect(ack).toMatchObject({ status: 'refused', reason: 'invalid' });
      expect(ack.detail).toContain("not on this box's hub");
    }
    // ffmpeg would have dialled within the play's 100 ms start; give it ten times that.
    await new Promise((r) => setTimeout(r, 1500));
    expect(hostile.seen).toEqual([]);
  });

  it("does not follow a redirect from the hub's stream to another host with the credentials", async () => {
    hubRoutes.set(
      '/live/moved.mp3',
      redirectTo(() => `${hostile.origin()}/steal.mp3`),
    );
    await startBox(hub.origin());
    const play = streamPlay('/live/moved.mp3');
    await watcher.send(ID, play);
    await watcher.waitAck(ID, play.id, 'accepted');
    // The hub gets the box's credentials: that is where they belong.
    await watcher.waitFor('the hub asked', () => hub.seen.find((s) => s.path === '/live/moved.mp3' && s.authorization === BASIC), 10_000);
    // ffmpeg is spawned (ack started), refuses the redirect, is restarted and given up on.
    const end = await watcher.waitFor(
      'the play to end',
      () => watcher.acks(ID).find((a) => a.cmdId === play.id && ['failed', 'finished', 'stopped'].includes(a.status)),
      20_000,
    );
    expect(end).toMatchObject({ status: 'failed', reason: 'player-error' });
    expect(stolen()).toEqual([]);
    // Nor does the secret reach the box's own log (ffmpeg's command line is logged at debug).
    const logged = boxLogs();
    expect(logged).toContain('Authorization: Basic <redacted>');
    expect(logged).not.toContain(BASIC.slice('Basic '.length));
    expect(logged).not.toContain(SECRET);
  });

  it('plays no stream with an ffmpeg that cannot refuse redirects (the 2018 fallback build)', async () => {
    const { createRequire } = await import('node:module');
    const old = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
    await startBox(hub.origin(), { FFMPEG_PATH: old });
    const play = streamPlay('/live/any.mp3');
    await watcher.send(ID, play);
    const end = await watcher.waitFor('the play to fail', () => watcher.acks(ID).find((a) => a.cmdId === play.id && a.status === 'failed'), 15_000);
    expect(end.reason).toBe('media-fetch-failed');
    expect(end.detail).toMatch(/no -max_redirects option.*set ffmpeg\.path/);
    expect(hub.seen).toEqual([]);
  });

  it('sends no credentials for media on another host, or redirected there by the hub', async () => {
    // Two different files, so the second play is not answered from the box's cache.
    const direct = makeOpusMedia(tmp.path, 1, 440);
    const moved = makeOpusMedia(tmp.path, 1, 660);
    hostileRoutes.set('/direct.ogg', (_req, res) => res.writeHead(200, { 'content-length': direct.body.length }).end(direct.body));
    hostileRoutes.set('/moved.ogg', (_req, res) => res.writeHead(200, { 'content-length': moved.body.length }).end(moved.body));
    hubRoutes.set(
      '/media/moved.ogg',
      redirectTo(() => `${hostile.origin()}/moved.ogg`),
    );
    await startBox(hub.origin());
    for (const ref of [
      { ...direct.ref, url: `${hostile.origin()}/direct.ogg` },
      { ...moved.ref, url: '/media/moved.ogg' },
    ]) {
      const play = cmd.play(++seq, ref, { startInMs: 100 });
      await watcher.send(ID, play);
      // Fetched without credentials (the file is checked against its SHA-256 anyway) and played.
      await watcher.waitAck(ID, play.id, 'started', 15_000);
    }
    expect(hostile.seen.map((s) => s.path)).toEqual(['/direct.ogg', '/moved.ogg']);
    expect(hub.seen.find((s) => s.path === '/media/moved.ogg')?.authorization).toBe(BASIC);
    expect(stolen()).toEqual([]);
  });

  it('drops the credentials when an https hub redirects to plain http on its own host and port', async () => {
    const pki = await makeTestPki(tmp.path);
    const tone = makeOpusMedia(tmp.path, 1, 550);
    const routes = new Map<string, Route>();
    const tls = { key: readFileSync(pki.keyFile, 'utf8'), cert: readFileSync(pki.certFile, 'utf8') };
    const secureHub = await recordingServer('127.0.0.1', routes, tls);
    // Over TLS the "hub" points at itself in clear text, as a tampered proxy in front of it could.
    routes.set('/media/x.ogg', (_req, res, s) => res.writeHead(s.tls ? 302 : 404, s.tls ? { location: `${secureHub.origin('http')}/clear.ogg` } : {}).end());
    routes.set('/clear.ogg', (_req, res) => res.writeHead(200, { 'content-length': tone.body.length }).end(tone.body));
    try {
      // The box pins this "hub"'s CA (hub.caFile), as a provisioned box pins its hub's.
      await startBox(secureHub.origin('https'), undefined, undefined, pki.caFile);
      const play = cmd.play(++seq, { ...tone.ref, url: '/media/x.ogg' }, { startInMs: 100 });
      await watcher.send(ID, play);
      await watcher.waitFor('the clear-text request', () => secureHub.seen.find((s) => s.path === '/clear.ogg'), 15_000);
      expect(secureHub.seen.find((s) => s.path === '/media/x.ogg')).toMatchObject({ tls: true, authorization: BASIC });
      expect(secureHub.seen.filter((s) => !s.tls && s.authorization !== undefined)).toEqual([]);
    } finally {
      await secureHub.close();
    }
  });
});

// Fixtures for the loa-edge suites: a bare aedes broker, a tiny media server with Basic auth, a
// watcher that records everything under loa/v1/clusters/, media files and command builders, and
// useDaemonRig(), which sets all of them up around a suite.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { connect, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { clusterTopic, parseClusterTopic, type Ack, type Channel, type MediaRef } from '../../protocol/index.js';
import { decodedDurationS, ffmpegPath, makeTone } from './audio.js';
import type { EdgeUnderTest } from './daemon-edge.js';
import { signedAsHub } from './signing.js';
import { runPki } from './hub-tls.js';
import { makeTempDir } from './tmp.js';

export interface TestBroker {
  port: number;
  url: string;
  close(): Promise<void>;
}

type Authenticate = (user: string | undefined, password: string | undefined) => boolean;

/** A bare aedes broker on 127.0.0.1 (port 0 unless given, to restart on the same port); with `tls`,
 *  MQTT over TLS with that certificate (a rogue broker of the TLS suites). */
export async function startBroker(opts: { port?: number; authenticate?: Authenticate; tls?: { cert: Buffer; key: Buffer } } = {}): Promise<TestBroker> {
  const { Aedes } = await import('aedes');
  const auth = opts.authenticate;
  const broker = await Aedes.createBroker(auth ? { authenticate: (_c, user, pass, done) => done(null, auth(user, pass?.toString())) } : {});
  const server: NetServer = opts.tls ? createTlsServer(opts.tls, broker.handle) : createNetServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `${opts.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface MediaServer {
  url: string;
  /** path → body */
  routes: Map<string, Buffer>;
  /** Basic credentials the server expects; change to make requests fail with 401. */
  credentials: { user: string; password: string };
  requests: { path: string; status: number }[];
  close(): Promise<void>;
}

/** With `tls`, HTTPS with that certificate (the daemon rig's, as a hub serves media). */
export async function startMediaServer(credentials: { user: string; password: string }, tls?: { cert: Buffer; key: Buffer }): Promise<MediaServer> {
  const routes = new Map<string, Buffer>();
  const requests: { path: string; status: number }[] = [];
  const state = { credentials };
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const expected = `Basic ${Buffer.from(`${state.credentials.user}:${state.credentials.password}`).toString('base64')}`;
    const body = routes.get(path);
    const status = req.headers.authorization !== expected ? 401 : body ? 200 : 404;
    requests.push({ path, status });
    if (status !== 200 || !body) {
      res.writeHead(status, { 'www-authenticate': 'Basic realm="loa"' }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body);
  };
  const server: HttpServer = tls ? createHttpsServer(tls, handle) : createHttpServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    routes,
    get credentials() {
      return state.credentials;
    },
    set credentials(c) {
      state.credentials = c;
    },
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An Opus/Ogg file of `seconds` (made with ffmpeg), its bytes and the MediaRef pointing at it. */
export function makeOpusMedia(dir: string, seconds: number, freqHz = 440): { path: string; body: Buffer; ref: MediaRef } {
  const wav = makeTone(join(dir, `tone-${freqHz}-${seconds}.wav`), seconds, freqHz);
  const path = join(dir, `tone-${freqHz}-${seconds}.ogg`);
  execFileSync(ffmpegPath(), ['-v', 'error', '-y', '-i', wav, '-c:a', 'libopus', '-b:a', '32k', path]);
  const body = readFileSync(path);
  const id = createHash('sha256').update(body).digest('hex');
  const ref: MediaRef = {
    id,
    url: `/api/v1/media/${id}/content`,
    bytes: body.length,
    durationMs: Math.round(decodedDurationS(path) * 1000),
    format: 'ogg/opus',
  };
  return { path, body, ref };
}

export interface Seen {
  topic: string;
  clusterId: string;
  channel: Channel;
  retain: boolean;
  payload: Record<string, unknown>;
}

/** An MQTT client playing the hub: sees every cluster message, publishes commands. */
export class Watcher {
  readonly seen: Seen[] = [];
  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      const t = parseClusterTopic(topic);
      if (!t) return;
      let parsed: Record<string, unknown> = {};
      try {
        parsed = JSON.parse(payload.toString()) as Record<string, unknown>;
      } catch {
        parsed = { raw: payload.toString() };
      }
      this.seen.push({ topic, clusterId: t.clusterId, channel: t.channel, retain: packet.retain, payload: parsed });
    });
  }

  static async connect(url: string): Promise<Watcher> {
    const client = connect(url, { clientId: `watcher-${Math.random().toString(16).slice(2)}`, reconnectPeriod: 200, username: 'hub', password: 'hub' });
    const w = new Watcher(client);
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync('loa/v1/clusters/#', { qos: 1 });
    return w;
  }

  acks(clusterId: string): Ack[] {
    return this.seen.filter((s) => s.clusterId === clusterId && s.channel === 'ack').map((s) => s.payload as unknown as Ack);
  }

  of(clusterId: string, channel: Channel): Record<string, unknown>[] {
    return this.seen.filter((s) => s.clusterId === clusterId && s.channel === channel).map((s) => s.payload);
  }

  /** Waits until `pick` returns something for the messages seen so far. */
  async waitFor<T>(what: string, pick: () => T | undefined | null | false, timeoutMs = 10_000): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const v = pick();
      if (v) return v;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}; seen: ${JSON.stringify(this.seen.slice(-12).map((s) => [s.topic, s.payload]))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  waitAck(clusterId: string, cmdId: string, status: Ack['status'], timeoutMs?: number): Promise<Ack> {
    return this.waitFor(`${clusterId} ack ${cmdId} ${status}`, () => this.acks(clusterId).find((a) => a.cmdId === cmdId && a.status === status), timeoutMs);
  }

  /** Publishes a command signed with the test hub key, as the hub would. */
  async send(clusterId: string, command: object | string): Promise<void> {
    const topic = clusterTopic(clusterId, 'cmd');
    await this.client.publishAsync(topic, signedAsHub(topic, command), { qos: 1 });
  }

  close(): Promise<void> {
    return this.client.endAsync(true);
  }
}

let idCounter = 0;
/** Command builders with sane defaults: issued now, valid for a minute. */
export const cmd = {
  base(seq: number, extra: { now?: number; ttlMs?: number } = {}) {
    const now = extra.now ?? Date.now();
    return { v: 1, id: `c${seq}-${++idCounter}`, seq, issuedAt: now, expiresAt: now + (extra.ttlMs ?? 60_000) };
  },
  /** startInMs/stopInMs: startAt/stopAt relative to now (no stopAt unless stopInMs is given). */
  play(
    seq: number,
    media: MediaRef,
    o: { broadcastId?: string; startInMs?: number; stopInMs?: number; offsetMs?: number; volume?: number; ttlMs?: number } = {},
  ) {
    const now = Date.now();
    return {
      ...cmd.base(seq, { now, ttlMs: o.ttlMs }),
      type: 'play',
      broadcastId: o.broadcastId ?? `b${seq}`,
      media,
      startAt: now + (o.startInMs ?? 200),
      ...(o.stopInMs === undefined ? {} : { stopAt: now + o.stopInMs }),
      offsetMs: o.offsetMs ?? 0,
      ...(o.volume === undefined ? {} : { volume: o.volume }),
    };
  },
  stop(seq: number, broadcastId?: string) {
    return { ...cmd.base(seq), type: 'stop', ...(broadcastId ? { broadcastId } : {}) };
  },
  volume(seq: number, volume: number, o: { ttlMs?: number; now?: number } = {}) {
    return { ...cmd.base(seq, o), type: 'volume', volume };
  },
};

export interface DaemonRig {
  tmp: { path: string; remove(): void };
  broker: TestBroker;
  media: MediaServer;
  watcher: Watcher;
  /** Daemons started by a test; each is stopped after that test. */
  edges: EdgeUnderTest[];
}

/**
 * The usual loa-edge suite around its tests: a temp dir, a broker, a media server (Basic user
 * `mediaUser`, password "sesame"), a watcher; `setup` runs after them (media files, routes).
 * Daemons pushed on `edges` are stopped after each test, between `afterEachTest` (e.g. killing
 * a frozen ffmpeg the daemon would wait for) and `afterDaemons` (e.g. a proxy the daemon talks
 * through). The fields are there once the suite's beforeAll has run.
 */
export function useDaemonRig(
  tmpPrefix: string,
  o: {
    mediaUser?: string;
    setup?: (rig: DaemonRig) => void | Promise<void>;
    afterEachTest?: () => void | Promise<void>;
    afterDaemons?: () => void | Promise<void>;
  } = {},
): DaemonRig {
  const rig = { tmp: makeTempDir(tmpPrefix), edges: [] as EdgeUnderTest[] } as DaemonRig;
  beforeAll(async () => {
    // TLS, as a hub serves it: the daemons pin the run's test CA (tests/helpers/hub-tls.ts).
    const pki = runPki();
    const tls = { cert: readFileSync(pki.certFile), key: readFileSync(pki.keyFile) };
    rig.broker = await startBroker({ tls });
    rig.media = await startMediaServer({ user: o.mediaUser ?? 'unused', password: 'sesame' }, tls);
    rig.watcher = await Watcher.connect(rig.broker.url);
    await o.setup?.(rig);
  });
  afterEach(async () => {
    await o.afterEachTest?.();
    await Promise.all(rig.edges.splice(0).map((e) => e.stop()));
    await o.afterDaemons?.();
  });
  afterAll(async () => {
    await rig.watcher?.close();
    await rig.media?.close();
    await rig.broker?.close();
    rig.tmp.remove();
  });
  return rig;
}

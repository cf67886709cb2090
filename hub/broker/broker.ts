// The embedded MQTT broker (aedes 1.x, MQTT 3.1.1 only): TLS on 8883, plain TCP on 1883 only when configured.
// Behaviour is given to aedes as hooks, as its design intends: preConnect (3.1.1 only),
// authenticate (cluster id and secret, refusals slowed: cluster-login.ts), authorizePublish and
// authorizeSubscribe (a device only under its own cluster, see protocol/topics.ts), and a frame
// limit for oversize packets.
import { Aedes, type Client, type AuthenticateError, type PublishPacket, type Subscription } from 'aedes';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { clusterTopic, deviceMayPublish, deviceMaySubscribe, isClusterId, parseClusterTopic } from '../../protocol/index.js';
import type { MqttSettings } from './settings.js';
import { limitFrames } from './frame-limit.js';
import { indexedMemoryPersistence } from './retained-index.js';
import type { DeviceLogLimit } from './log-limit.js';
import type { ClusterLogin } from './cluster-login.js';

export interface BrokerDeps {
  config: MqttSettings;
  /** The hub's server certificate (hub/tls/pki.ts). */
  tls: { cert: Buffer; key: Buffer };
  login: ClusterLogin;
  clock: Clock;
  logger: Logger;
  /** The lines a box's refused publishes and subscriptions cause, a few a minute per cluster. */
  deviceLog: DeviceLogLimit;
  /**
   * Told when a device's connection is established or gone, whatever its presence topic says;
   * reason `lost` when the keep-alive ran out (a link that died silently), else `disconnected`.
   */
  onDeviceConnection?: (clusterId: string, connected: boolean, reason: 'connected' | 'lost' | 'disconnected') => void;
  /** Listening sockets handed over by systemd (socket-activation.ts): `mqtts`, and `mqtt` with
   *  mqtt.plain, are served there instead of on the configured ports. */
  listeners?: ReadonlyMap<string, number> | undefined;
}

export type MessageHandler = (topic: string, payload: Buffer) => void;

/** What the rest of the hub needs from a broker (an external broker will offer the same). */
export interface HubMqtt {
  publish(topic: string, payload: string, opts: { qos: 0 | 1; retain: boolean }): Promise<void>;
  subscribe(filter: string, handler: MessageHandler): Promise<void>;
  disconnectDevice(clusterId: string): void;
  isConnected(clusterId: string): boolean;
  /** When the hub's link to the broker last came up (embedded: when it started; it never drops). */
  linkUpSince(): number;
}

const RC_SERVER_UNAVAILABLE = 3;
const RC_BAD_CREDENTIALS = 4; // MQTT 3.1.1 §3.2.2.3: bad user name or password
const RC_NOT_AUTHORIZED = 5;

function authError(returnCode: number, message: string): AuthenticateError {
  const err = new Error(message) as AuthenticateError;
  err.returnCode = returnCode;
  return err;
}

export class Broker implements HubMqtt {
  private aedes!: Aedes;
  private tcp: Server | null = null;
  private tls: TlsServer | null = null;
  private readonly log: Logger;
  ports = { mqtt: null as number | null, mqtts: 0 as number | null };
  private startedAt = 0;
  /** Set by stop(): sessions closing then are the hub's own doing, not the boxes'. */
  private stopping = false;

  constructor(private readonly deps: BrokerDeps) {
    this.log = deps.logger;
  }

  linkUpSince(): number {
    return this.startedAt;
  }

  async start(): Promise<void> {
    const cfg = this.deps.config;
    this.startedAt = this.deps.clock.now();
    this.aedes = await Aedes.createBroker({
      persistence: indexedMemoryPersistence(),
      keepaliveLimit: cfg.keepaliveLimitSec,
      maxClientsIdLength: 64,
      drainTimeout: 30_000,
      preConnect: (client, packet, done) => done(null, this.preConnect(client, packet)),
      authenticate: (client, username, password, done) => void this.authenticate(client, username, password, done),
      authorizePublish: (client, packet, done) => done(this.authorizePublish(client, packet)),
      authorizeSubscribe: (client, sub, done) => done(null, this.authorizeSubscribe(client, sub)),
    });
    const timedOut = new WeakSet<Client>();
    this.aedes.on('clientReady', (client) => {
      if (isClusterId(client.id)) this.deps.onDeviceConnection?.(client.id, true, 'connected');
    });
    this.aedes.on('keepaliveTimeout', (client) => {
      timedOut.add(client);
      this.log.info({ clusterId: client.id }, 'keep-alive ran out; the link is gone');
    });
    this.aedes.on('clientDisconnect', (client) => {
      // A newer connection with the same id replaces an older one; only report a real departure.
      if (isClusterId(client.id) && !this.stopping && !this.clients()[client.id]) {
        this.deps.onDeviceConnection?.(client.id, false, timedOut.has(client) ? 'lost' : 'disconnected');
      }
    });
    this.aedes.on('clientError', (client, err) => this.log.debug({ clusterId: client.id, err: err.message }, 'client error'));
    this.aedes.on('connectionError', (client, err) => this.log.debug({ clientId: client.id, err: err.message }, 'connection error'));

    const handle = (socket: Socket): void => {
      socket.setNoDelay(true);
      const stream = limitFrames(socket, cfg.maxPacketBytes, (size) =>
        this.log.warn({ remote: socket.remoteAddress, size, limit: cfg.maxPacketBytes }, 'oversize MQTT packet; connection closed'),
      );
      this.aedes.handle(stream as unknown as Socket);
    };
    this.tls = createTlsServer({ cert: this.deps.tls.cert, key: this.deps.tls.key }, (socket) => handle(socket));
    const inherited = this.deps.listeners ?? new Map<string, number>();
    this.ports.mqtts = await listen(this.tls, cfg.tls.port, cfg.host, inherited.get('mqtts'));
    const how = inherited.has('mqtts') ? 'socket from systemd' : 'own socket';
    this.log.info({ port: this.ports.mqtts, host: cfg.host, maxPacketBytes: cfg.maxPacketBytes, listener: how }, 'MQTT over TLS listening');
    if (cfg.plain) {
      this.tcp = createServer(handle);
      this.ports.mqtt = await listen(this.tcp, cfg.port, cfg.host, inherited.get('mqtt'));
      this.log.warn({ port: this.ports.mqtt, host: cfg.host }, 'plain MQTT listening (mqtt.plain): box secrets and commands cross the network unencrypted');
    } else {
      this.ports.mqtt = null;
    }
  }

  /** A renewed certificate for new connections (hub/tls/renewal.ts); open ones keep theirs. */
  useCertificate(tls: { cert: Buffer; key: Buffer }): void {
    this.tls?.setSecureContext({ cert: tls.cert, key: tls.key });
  }

  /**
   * `exiting`: the process exits right after the hub stops (loa-hub on SIGTERM). The sessions are
   * then left to the kernel, which closes every socket when the process ends, instead of aedes
   * closing 10,000 of them one by one (unsubscribing each, over TLS): that took 10 s and more while
   * every box waited to reconnect (bench reconnect). Only the listeners close, so no box gets in.
   */
  async stop(opts: { exiting?: boolean } = {}): Promise<void> {
    this.stopping = true;
    if (opts.exiting) {
      for (const server of [this.tcp, this.tls]) server?.close();
      return;
    }
    // The hub is going down, not the boxes: their last wills and a presence write per box would
    // only say "offline" until the next start, which marks every cluster offline anyway until it
    // is back ('hub-start'). With 10,000 boxes those took about 4 s of the stop (bench reconnect),
    // while the boxes waited to reconnect. aedes skips the will of a session marked _disconnected.
    for (const client of Object.values(this.clients())) if (client) (client as Client & { _disconnected?: boolean })._disconnected = true;
    // Stop accepting first, then close every client (server.close alone would wait for them).
    const closing = Promise.all([closeServer(this.tcp), closeServer(this.tls)]);
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    await closing;
  }

  private async authenticate(
    client: Client,
    username: Readonly<string> | undefined,
    password: Readonly<Buffer> | undefined,
    done: (err: AuthenticateError | null, ok: boolean | null) => void,
  ): Promise<void> {
    const address = remoteOf(client);
    const id = typeof username === 'string' ? username : '';
    // Every refusal is answered late (cluster-login.ts); a right secret at once.
    const refuse = async (rc: number, why: string): Promise<void> => {
      await this.deps.login.refuse(id, address, why, 'mqtt');
      done(authError(rc, why), null);
    };
    if (!isClusterId(id)) return refuse(RC_BAD_CREDENTIALS, 'username is not a cluster id');
    // The client id must be the cluster id: otherwise one box could take over another's session.
    if (client.id !== id) return refuse(RC_NOT_AUTHORIZED, 'client id differs from the cluster id');
    const will = (client as unknown as { _will?: { topic: string; retain?: boolean } })._will;
    if (will && will.topic !== clusterTopic(id, 'presence')) return refuse(RC_NOT_AUTHORIZED, `last will on ${will.topic} is not allowed`);
    const result = await this.deps.login.check(id, password?.toString('utf8'), address, 'mqtt');
    if (result === 'busy') return done(authError(RC_SERVER_UNAVAILABLE, 'the hub is busy checking logins; retry'), null);
    if (result === 'wrong') return done(authError(RC_BAD_CREDENTIALS, 'wrong secret or unknown cluster'), null);
    done(null, true);
  }

  /**
   * MQTT 3.1.1 only (docs/protocol.md). aedes also takes 3.1 (level 3), which Loa never tested
   * and whose 23-character client ids would cut cluster ids. aedes itself answers CONNACK 1
   * (unacceptable protocol level, [MQTT-3.1.2-2]) to levels outside 3..4, so level 3 is handed
   * on as one of those: the box is told why, as the spec asks, rather than just dropped.
   */
  private preConnect(client: Client, packet: { protocolVersion?: number; clientId?: string }): boolean {
    if (packet.protocolVersion !== 3) return true;
    this.log.warn({ clientId: packet.clientId, remote: remoteOf(client) }, 'MQTT 3.1 (level 3) refused: speak MQTT 3.1.1 (level 4)');
    packet.protocolVersion = 0;
    return true;
  }

  private authorizePublish(client: Client | null, packet: PublishPacket): Error | null {
    if (!client) return null; // the hub itself
    const topic = packet.topic;
    if (!deviceMayPublish(client.id, topic)) {
      this.deps.deviceLog.warn(this.log, client.id, { topic }, 'publish outside its own topics refused; disconnecting');
      return new Error(`cluster ${client.id} may not publish on ${topic}`);
    }
    // Only presence and state are retained; a retained ack or health message would pile up.
    const channel = parseClusterTopic(topic)?.channel;
    if (packet.retain && channel !== 'presence' && channel !== 'state') {
      return new Error(`retained messages are not allowed on ${topic}`);
    }
    return null;
  }

  private authorizeSubscribe(client: Client | null, sub: Subscription): Subscription | null {
    if (!client) return sub;
    if (deviceMaySubscribe(client.id, sub.topic)) return sub;
    this.deps.deviceLog.warn(this.log, client.id, { topic: sub.topic }, 'subscription outside its own topics refused');
    return null; // SUBACK 0x80 for this filter
  }

  publish(topic: string, payload: string, opts: { qos: 0 | 1; retain: boolean }): Promise<void> {
    return new Promise((resolve, reject) =>
      this.aedes.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: opts.qos, retain: opts.retain, dup: false }, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
  }

  subscribe(filter: string, handler: MessageHandler): Promise<void> {
    return new Promise((resolve) =>
      this.aedes.subscribe(
        filter,
        (packet, cb) => {
          try {
            handler(packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload));
          } catch (err) {
            this.log.error({ err, topic: packet.topic }, 'message handler failed');
          }
          // Not cb() here: mqemitter hands over its next queued message from inside cb, so a burst
          // of thousands (10,000 boxes' presence and acks at once) recursed until the stack
          // overflowed (bench fanout, docs/benchmarks.md).
          process.nextTick(cb);
        },
        () => resolve(),
      ),
    );
  }

  /**
   * Ends a device's session from the hub's side (removal, secret rotation). Its last will goes out
   * now, in call order: aedes would publish it later from inside close(), after a caller's next
   * publishes, so removing a cluster left its will as the retained presence over the clearing
   * empty message. aedes is then told the session ended cleanly so it neither repeats the will
   * nor keeps its stored copy (lib/client.js close() skips both when _disconnected is set).
   */
  disconnectDevice(clusterId: string): void {
    const client = this.clients()[clusterId] as (Client & { will?: PublishPacket | null; _disconnected?: boolean }) | undefined;
    if (!client) return;
    const will = client.will;
    if (will) {
      const payload = Buffer.isBuffer(will.payload) ? will.payload.toString('utf8') : String(will.payload);
      this.publish(will.topic, payload, { qos: will.qos === 0 ? 0 : 1, retain: Boolean(will.retain) }).catch((err: unknown) =>
        this.log.warn({ clusterId, err: String(err) }, 'last will of a disconnected device not published'),
      );
      client._disconnected = true;
    }
    client.close();
  }

  isConnected(clusterId: string): boolean {
    return Boolean(this.clients()[clusterId]?.connected);
  }

  /** aedes keeps its connected clients by id; its typings do not declare the map. */
  private clients(): Record<string, Client | undefined> {
    return (this.aedes as unknown as { clients: Record<string, Client | undefined> }).clients;
  }

  get connectedCount(): number {
    return this.aedes.connectedClients;
  }
}

function remoteOf(client: Client): string {
  return (client.conn as unknown as { remoteAddress?: string }).remoteAddress ?? 'unknown';
}

/** Listens on the port, or on a listening socket handed over (fd), and gives the port. */
function listen(server: Server | TlsServer, port: number, host: string, fd?: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const ready = () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    };
    if (fd === undefined) server.listen(port, host, ready);
    else server.listen({ fd }, ready);
  });
}

function closeServer(server: Server | TlsServer | null): Promise<void> {
  return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
}

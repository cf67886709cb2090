// External broker mode: instead of embedding aedes, the hub logs into an existing broker (Mosquitto
// 2.x) as one privileged MQTT.js client and offers the rest of the hub the same HubMqtt handle.
// The broker, not the hub, authenticates devices, holds them to their topics (the files written by
// mosquitto-files.ts) and throttles and logs bad logins. Which devices are up comes from their
// retained presence and last will (docs/protocol.md), since the hub no longer sees connections.
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { LoaError, errorMessage } from '../../common/errors.js';
import { configErrors } from '../../common/config-errors.js';
import { systemClock, type Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { clusterTopic, decodePayload, DEVICE_PUBLISH_CHANNELS, parseClusterTopic } from '../../protocol/index.js';
import type { BrokerSettings } from './settings.js';
import type { HubMqtt, MessageHandler } from './broker.js';

/** How long the hub keeps trying a broker too busy to answer its first login. */
const BUSY_RETRY_MS = 120_000;

export interface ExternalBrokerDeps {
  config: BrokerSettings;
  logger: Logger;
  /** Wait for the first connection this long before giving up. */
  connectTimeoutMs?: number;
  /** Keep trying a refused first login this long (the broker may still be re-reading its files). */
  retryForMs?: number;
  /** Keep trying a first login the broker does not answer in time this long (default 2 min). */
  busyRetryForMs?: number;
  clock?: Clock;
}

/** The hub's own password on the external broker: `broker.password` or the first line of `broker.passwordFile`. */
export function hubBrokerPassword(config: BrokerSettings): string {
  if (config.password) return config.password;
  if (!config.passwordFile) throw configErrors.invalid('broker.mode external needs broker.password or broker.passwordFile.');
  let text: string;
  try {
    text = readFileSync(config.passwordFile, 'utf8');
  } catch (err) {
    throw configErrors.unreadable(`broker.passwordFile ${config.passwordFile} cannot be read: ${errorMessage(err)}.`);
  }
  const first = text.split('\n')[0]?.trim() ?? '';
  if (!first) throw configErrors.invalid(`broker.passwordFile ${config.passwordFile} is empty.`);
  return first;
}

interface Subscription {
  id: number;
  handlers: MessageHandler[];
}

/** The offline presence the hub writes for a box it had the broker drop (Mosquitto sends no will then). */
const DROPPED_PRESENCE = JSON.stringify({ v: 1, status: 'offline', reason: 'lost' });

export class ExternalBroker implements HubMqtt {
  private client: MqttClient | null = null;
  private readonly log: Logger;
  /** One SUBSCRIBE per filter, told apart on delivery by its MQTT 5 subscription identifier. */
  private readonly subs = new Map<string, Subscription>();
  private readonly byId = new Map<number, Subscription>();
  private nextId = 1;
  /** Clusters whose retained presence says online. */
  private readonly online = new Set<string>();
  ports = { mqtt: 0, mqtts: null as number | null };
  private upSince = 0;

  constructor(private readonly deps: ExternalBrokerDeps) {
    this.log = deps.logger;
  }

  /** When the hub's connection to the broker last came up: what it published while the link was
   *  down sat in its own client's queue until then. */
  linkUpSince(): number {
    return this.upSince;
  }

  get url(): string {
    return this.deps.config.url ?? '';
  }

  /** Connects, or fails with LOA_BROKER_UNREACHABLE naming the URL: the hub never starts half connected. */
  async start(): Promise<void> {
    const cfg = this.deps.config;
    const url = this.url;
    const u = new URL(url);
    const secure = u.protocol === 'mqtts:';
    const port = Number(u.port) || (secure ? 8883 : 1883);
    if (secure) this.ports.mqtts = port;
    else this.ports.mqtt = port;
    const opts: IClientOptions = {
      protocolVersion: 5,
      // The broker forces the client id to the username (use_username_as_clientid), so a box cannot
      // take over another's session; the hub's id is its username too.
      clientId: cfg.username,
      username: cfg.username,
      password: hubBrokerPassword(cfg),
      // A clean session: on reconnect MQTT.js subscribes again and the retained presence and state
      // come back, which is all the hub needs to know who is up.
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: this.deps.connectTimeoutMs ?? 10_000,
      ...(cfg.ca ? { ca: readFileSync(cfg.ca) } : {}),
    };
    const began = Date.now();
    const deadline = began + (this.deps.retryForMs ?? 0);
    for (;;) {
      try {
        this.client = await this.connectOnce(url, opts);
        break;
      } catch (err) {
        // No answer in time is a busy broker, not a wrong setting: after a power cut the boxes
        // storm it as it comes back (bench reconnect: 10,000 boxes over TLS), so keep trying.
        const busy = /connack timeout|no answer/.test(errorMessage(err));
        if (Date.now() >= (busy ? began + (this.deps.busyRetryForMs ?? BUSY_RETRY_MS) : deadline)) throw err;
        if (busy) this.log.warn({ url, err: errorMessage(err) }, 'the external broker is slow to answer; trying again');
        await new Promise((r) => setTimeout(r, busy ? 1000 : 200));
      }
    }
    const client = this.client;
    const clock = this.deps.clock ?? systemClock;
    this.upSince = clock.now();
    client.on('message', (topic, payload, packet) => this.deliver(topic, payload, packet));
    client.on('error', (err) => this.log.warn({ url, err: err.message }, 'external broker error'));
    client.on('offline', () => this.log.warn({ url }, 'lost the external broker; reconnecting'));
    client.on('connect', () => {
      this.upSince = clock.now();
      noDelay(client);
      this.log.info({ url }, 'connected to the external broker again');
    });
    this.log.info({ url, username: cfg.username }, 'connected to the external broker');
  }

  private connectOnce(url: string, opts: IClientOptions): Promise<MqttClient> {
    const username = this.deps.config.username;
    const client = mqtt.connect(url, opts);
    return new Promise<MqttClient>((resolve, reject) => {
      // Only these listeners come off again: MQTT.js keeps its own (reconnecting) on the same events.
      const onConnect = (): void => {
        settle();
        noDelay(client);
        resolve(client);
      };
      const onError = (err: Error): void => fail(err.message);
      const onClose = (): void => fail('the connection closed');
      const timer = setTimeout(() => fail('no answer'), (this.deps.connectTimeoutMs ?? 10_000) + 1000);
      const settle = (): void => {
        clearTimeout(timer);
        client.off('connect', onConnect);
        client.off('error', onError);
        client.off('close', onClose);
      };
      const fail = (why: string): void => {
        settle();
        client.on('error', () => undefined); // late errors of the abandoned client
        client.end(true);
        reject(
          new LoaError(
            'LOA_BROKER_UNREACHABLE',
            `cannot log into the external broker at ${url} as ${username}: ${why}; check broker.url, broker.username and the password, and that the broker ` +
              `is running.`,
          ),
        );
      };
      client.on('connect', onConnect);
      client.on('error', onError);
      client.on('close', onClose);
    });
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (c) await c.endAsync();
  }

  private deliver(topic: string, payload: Buffer, packet: IPublishPacket): void {
    // Stopping: what still arrives while the connection closes is not handed on (a handler's
    // answer would have no connection to go out on).
    if (!this.client) return;
    const channel = parseClusterTopic(topic)?.channel;
    // Presence arrives through the device listener's subscription (hub/devices/); tracked here too.
    if (channel === 'presence') this.notePresence(topic, payload);
    // Mosquitto's ACL cannot refuse the retain flag on one topic, as the embedded broker does: a
    // retained message where none may be kept (an ack, health) is cleared at once. The hub
    // subscribes with retain-as-published, so the flag is the device's own.
    if (
      packet.retain &&
      payload.length > 0 &&
      channel !== undefined &&
      DEVICE_PUBLISH_CHANNELS.includes(channel) &&
      channel !== 'presence' &&
      channel !== 'state'
    ) {
      this.log.warn({ topic }, 'retained message on a topic that may not be retained; cleared');
      this.publish(topic, '', { qos: 1, retain: true }).catch((err: unknown) =>
        this.log.warn({ topic, err: errorMessage(err) }, 'clearing a retained message failed'),
      );
    }
    const ids = packet.properties?.subscriptionIdentifier;
    // A broker that does not send subscription identifiers back: every filter that matches.
    const subs =
      ids === undefined
        ? [...this.subs].filter(([filter]) => topicMatches(filter, topic)).map(([, sub]) => sub)
        : (Array.isArray(ids) ? ids : [ids]).map((id) => this.byId.get(id));
    for (const sub of subs) {
      for (const handler of sub?.handlers ?? []) {
        try {
          handler(topic, payload);
        } catch (err) {
          this.log.error({ err, topic }, 'message handler failed');
        }
      }
    }
  }

  private notePresence(topic: string, payload: Buffer): void {
    const t = parseClusterTopic(topic);
    if (!t) return;
    const d = payload.length === 0 ? null : decodePayload('presence', payload);
    if (d?.ok && d.value.status === 'online') this.online.add(t.clusterId);
    else this.online.delete(t.clusterId);
  }

  private get mqtt(): MqttClient {
    if (!this.client) throw new Error('the external broker connection is not started');
    return this.client;
  }

  async publish(topic: string, payload: string, opts: { qos: 0 | 1; retain: boolean }): Promise<void> {
    await this.mqtt.publishAsync(topic, payload, { qos: opts.qos, retain: opts.retain });
  }

  /** A second handler on a filter already subscribed shares its subscription (and so misses the retained messages already delivered). */
  async subscribe(filter: string, handler: MessageHandler): Promise<void> {
    const existing = this.subs.get(filter);
    if (existing) {
      existing.handlers.push(handler);
      return;
    }
    const sub: Subscription = { id: this.nextId++, handlers: [handler] };
    this.subs.set(filter, sub);
    this.byId.set(sub.id, sub);
    const granted = await this.mqtt.subscribeAsync(filter, { qos: 1, rap: true, properties: { subscriptionIdentifier: sub.id } });
    const code = granted[0]?.qos ?? 128;
    if (code >= 128) {
      this.subs.delete(filter);
      this.byId.delete(sub.id);
      throw new LoaError(
        'LOA_BROKER_UNREACHABLE',
        `the external broker at ${this.url} refused the hub's subscription to ${filter} (code ${code}); give user ${this.deps.config.username} readwrite on ` +
          `loa/# in its ACL.`,
      );
    }
  }

  /**
   * The broker drops the box itself once it re-reads its files (see mosquitto-files.ts); Mosquitto
   * publishes no last will for a client it drops on reload, so the hub writes the offline presence
   * the will would have carried.
   */
  disconnectDevice(clusterId: string): void {
    if (!this.online.has(clusterId)) return;
    this.online.delete(clusterId);
    this.publish(clusterTopic(clusterId, 'presence'), DROPPED_PRESENCE, { qos: 1, retain: true }).catch((err: unknown) =>
      this.log.warn({ clusterId, err: errorMessage(err) }, 'offline presence of a dropped device not published'),
    );
  }

  /** Online by its retained presence: the broker's own view of connections is not visible to a client. */
  isConnected(clusterId: string): boolean {
    return this.online.has(clusterId);
  }
}

/** Commands are small packets that must go out at once: no Nagle delay on the hub's socket. */
function noDelay(client: MqttClient): void {
  const stream = client.stream as { setNoDelay?: (on: boolean) => void };
  stream.setNoDelay?.(true);
}

/** MQTT filter matching (MQTT 5 §4.7): `+` one level, `#` the rest. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

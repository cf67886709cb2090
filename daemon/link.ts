// The daemon's MQTT connection to the hub: credentials, last will, presence, its subscriptions
// (commands, clock-sync answers, the retained plan), an outbox for acknowledgements made while
// offline, publishing confirmed by PUBACK (the play log), and reconnecting by itself.
//
// Why reconnect by hand (reconnectPeriod: 0) rather than MQTT.js's own timer: MQTT.js retries at a
// fixed period, so every box of a fleet would hit a restarted hub in the same second; and after a
// refused CONNACK (bad credentials, hub still starting) it stops retrying unless
// reconnectOnConnackError is set. Here every closed connection, whatever closed it, ends in the
// same 'close' event, and that one place schedules client.reconnect() after a jittered delay.
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Clock, TimerHandle } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { RateLimitedLog } from '../common/rate-limited-log.js';
import { clusterTopic, encodePayload, PROTOCOL_VERSION, type Channel, type HubMessageCheck, type PayloadByChannel } from '../protocol/index.js';
import { Backoff, CONNECT_TIMEOUT_MS } from './backoff.js';

export interface LinkOptions {
  clusterId: string;
  secret: string;
  mqttUrl: string;
  caFile?: string | undefined;
  keepaliveSec: number;
  reconnect: { minMs: number; maxMs: number };
  clock: Clock;
  logger: Logger;
  random: () => number;
  /** e.g. "loa-edge/0.1.0", announced in presence. */
  agent: string;
  /** The hub's signature on clock answers and plans; commands are checked by their handler, which acks a refusal. */
  check: HubMessageCheck;
}

export interface LinkEvents {
  /** A CONNACK was accepted (the subscriptions are on their way). */
  connected: [];
  /** The broker granted the subscriptions; presence "online" goes out next. */
  subscribed: [];
  /** Presence "online" is published: the box's state goes next (docs/protocol.md, Connecting, step 5;
   *  the hub reads the first state after it to see which commands a returning box has). */
  online: [];
  disconnected: [];
  /** A message on this cluster's command topic, still undecoded (untrusted). */
  command: [payload: Buffer, topic: string];
  /** An answer on this cluster's `time` topic (clock sync), signed by the hub, still undecoded. */
  time: [payload: string];
  /** The cluster's plan (retained, so also on every connect), signed by the hub, still undecoded. */
  plan: [payload: string];
}

interface Outgoing {
  topic: string;
  payload: string;
  qos: 0 | 1;
  retain: boolean;
}

/** Node's codes for a server certificate that the pinned CA does not vouch for. */
const TLS_REFUSALS = /CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET)|ERR_TLS/;

/** Acks kept while offline; beyond this the oldest are dropped (the hub's expiry covers them). */
const OUTBOX_LIMIT = 500;
/** How long a goodbye may take before the connection is simply dropped. */
const GOODBYE_TIMEOUT_MS = 3000;

export class EdgeLink extends EventEmitter<LinkEvents> {
  private client: MqttClient | null = null;
  private readonly backoff: Backoff;
  private retryTimer: TimerHandle | null = null;
  private stopping = false;
  private readonly outbox: Outgoing[] = [];
  /** QoS 1 messages handed to MQTT.js and not yet acknowledged by the broker. */
  private inflight = new Set<Outgoing>();
  /** publishConfirmed() calls waiting for their PUBACK; failed when the connection goes. */
  private confirming = new Set<(err: Error) => void>();
  private readonly log: Logger;
  /** One allowance of warnings per channel, so a flood of forged plans hides no forged clock answer. */
  private readonly forged: Record<'time' | 'plan', RateLimitedLog>;
  readonly cmdTopic: string;
  readonly timeTopic: string;
  readonly planTopic: string;

  constructor(private readonly opts: LinkOptions) {
    super();
    this.backoff = new Backoff({ ...opts.reconnect, random: opts.random });
    this.log = opts.logger;
    this.forged = { time: new RateLimitedLog(opts.clock), plan: new RateLimitedLog(opts.clock) };
    this.cmdTopic = clusterTopic(opts.clusterId, 'cmd');
    this.timeTopic = clusterTopic(opts.clusterId, 'time');
    this.planTopic = clusterTopic(opts.clusterId, 'plan');
  }

  get connected(): boolean {
    return this.client?.connected === true;
  }

  start(): void {
    const o = this.opts;
    const options: IClientOptions = {
      protocolVersion: 4,
      clientId: o.clusterId,
      username: o.clusterId,
      password: o.secret,
      clean: true,
      keepalive: o.keepaliveSec,
      connectTimeout: CONNECT_TIMEOUT_MS,
      reconnectPeriod: 0,
      // We subscribe on every connect ourselves; MQTT.js's resubscribe would double it.
      resubscribe: false,
      // MQTT.js's packet writer otherwise keeps 65,536 two-byte Buffers for packet ids and
      // lengths: 6.3 MB of heap on a box that sends a few packets a minute (bench edge).
      writeCache: false,
      will: {
        topic: clusterTopic(o.clusterId, 'presence'),
        payload: Buffer.from(encodePayload('presence', { v: PROTOCOL_VERSION, status: 'offline', reason: 'lost' })),
        qos: 1,
        retain: true,
      },
      // One context for every attempt: made from the CA file on each reconnect it cost 0.8 ms of
      // CPU per attempt (more on a Pi) while a restarting hub refused them.
      ...(o.caFile ? { secureContext: createSecureContext({ ca: readFileSync(o.caFile) }) } : {}),
    };
    this.log.info({ url: o.mqttUrl, clusterId: o.clusterId }, 'connecting to the hub');
    const client = connect(o.mqttUrl, options);
    this.client = client;
    client.on('connect', () => this.onConnect());
    client.on('message', (topic, payload) => {
      if (topic === this.cmdTopic) this.emit('command', payload, topic);
      else if (topic === this.timeTopic) this.signed('time', topic, payload);
      else if (topic === this.planTopic) this.signed('plan', topic, payload);
    });
    client.on('error', (err) => {
      const code = (err as { code?: unknown }).code;
      if (code === 3) {
        // CONNACK 3: the hub is checking too many secrets stored by an older hub; not our secret's fault.
        this.log.info({ code }, 'the hub is busy checking logins; retrying');
      } else if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
        // The right CA, but a name the certificate does not carry: the secret was not sent either.
        this.log.warn(
          { code, err: err.message },
          `the hub's certificate does not name the host of ${this.opts.mqttUrl}; add that name to tls.names on the hub (docs/install.md, TLS); the secret ` +
            `was not sent`,
        );
      } else if (typeof code === 'string' && TLS_REFUSALS.test(code)) {
        // Checked before CONNECT is sent: a server the pinned CA did not sign never sees the secret.
        this.log.warn(
          { code, err: err.message },
          `the server at ${this.opts.mqttUrl} is not the hub: its certificate is not from the CA in hub.caFile (${err.message}); the secret was not sent`,
        );
      } else if (err.message.startsWith('Connection refused')) {
        this.log.warn({ code }, `the hub refused the connection (${err.message}); check clusterId and secret`);
      } else {
        this.log.warn({ code, err: err.message }, 'MQTT connection error');
      }
    });
    client.on('close', () => this.onClose());
  }

  /** Publishes a payload on one of this cluster's channels. QoS 1 non-retained messages wait in
   *  the outbox while offline; retained ones (presence, state) are re-sent on connect anyway. */
  publish<C extends Channel>(channel: C, value: PayloadByChannel[C], opts: { qos: 0 | 1; retain?: boolean }): void {
    const msg: Outgoing = {
      topic: clusterTopic(this.opts.clusterId, channel),
      payload: encodePayload(channel, value),
      qos: opts.qos,
      retain: opts.retain ?? false,
    };
    if (this.connected) this.send(msg);
    else if (msg.qos === 1 && !msg.retain) this.enqueue(msg);
  }

  /**
   * Publishes at QoS 1 now and resolves on the broker's PUBACK. Rejects when offline, or when the
   * connection goes before the PUBACK; nothing is queued: the caller keeps its own copy and sends
   * it again after reconnecting.
   */
  publishConfirmed<C extends Channel>(channel: C, value: PayloadByChannel[C]): Promise<void> {
    const client = this.client;
    if (!client?.connected) return Promise.reject(new Error('not connected to the hub'));
    return new Promise<void>((resolve, reject) => {
      const fail = (err: Error) => reject(err);
      this.confirming.add(fail);
      client.publish(clusterTopic(this.opts.clusterId, channel), encodePayload(channel, value), { qos: 1 }, (err) => {
        if (!this.confirming.delete(fail)) return;
        if (err) reject(err);
        else resolve();
      });
    });
  }

  /** Says goodbye (retained presence offline/shutdown) when asked and connected, then disconnects
   *  cleanly so the broker does not publish the last will. */
  async stop(opts: { goodbye: boolean }): Promise<void> {
    this.stopping = true;
    this.retryTimer?.cancel();
    this.retryTimer = null;
    const client = this.client;
    if (!client) return;
    if (client.connected) {
      if (opts.goodbye) {
        const bye = encodePayload('presence', { v: PROTOCOL_VERSION, status: 'offline', reason: 'shutdown', at: this.opts.clock.now() });
        await withTimeout(client.publishAsync(clusterTopic(this.opts.clusterId, 'presence'), bye, { qos: 1, retain: true }), GOODBYE_TIMEOUT_MS).catch(
          (e: unknown) => this.log.warn({ err: String(e) }, 'goodbye not confirmed'),
        );
      }
      const ended = await withTimeout(client.endAsync(false), GOODBYE_TIMEOUT_MS).then(
        () => true,
        () => false,
      );
      if (ended) return;
    }
    await client.endAsync(true);
  }

  /** A forged plan (say, version 2^53-1) would stop the box taking the hub's plans; a forged clock
   *  answer would shift when it plays and what it counts as expired. Both are dropped. */
  private signed(channel: 'time' | 'plan', topic: string, payload: Buffer): void {
    // An empty retained message clears the plan topic; there is nothing in it to obey.
    if (payload.length === 0) return;
    const opened = this.opts.check.open(topic, payload);
    if (opened.ok) this.emit(channel, opened.body);
    else this.forged[channel].warn(this.log, { topic, reason: opened.reason, detail: opened.detail }, `dropped a ${channel} message the hub did not sign`);
  }

  private onConnect(): void {
    const client = this.client;
    if (!client) return;
    this.backoff.reset();
    this.log.info('connected to the hub');
    // Subscribe first and say "online" only once subscribed: the hub sends commands to clusters
    // whose presence is online, and a command sent before the subscription would be lost.
    // Clock-sync answers are QoS 0 like their requests: a lost one is simply not a sample.
    // The plan is retained: the broker sends it on every subscribe (the box keeps only a newer one).
    client.subscribe({ [this.cmdTopic]: { qos: 1 }, [this.timeTopic]: { qos: 0 }, [this.planTopic]: { qos: 1 } }, (err, granted) => {
      // MQTT 3.1.1 §3.9.3: return code 0x80 means the broker refused this subscription.
      const refused = (topic: string) => granted?.some((g) => g.topic === topic && g.qos === 128) === true;
      if (err || refused(this.cmdTopic)) {
        this.log.error({ err: err?.message, topic: this.cmdTopic }, 'the hub refused the command subscription');
        return;
      }
      // An older hub may not offer clock sync; the box then goes by its own clock (ClockSync warns).
      if (refused(this.timeTopic)) this.log.warn({ topic: this.timeTopic }, 'the hub refused the clock-sync subscription');
      if (refused(this.planTopic))
        this.log.warn({ topic: this.planTopic }, 'the hub refused the plan subscription; without a plan the box plays nothing while offline');
      this.emit('subscribed');
      const presence = encodePayload('presence', { v: PROTOCOL_VERSION, status: 'online', at: this.opts.clock.now(), agent: this.opts.agent });
      client.publish(clusterTopic(this.opts.clusterId, 'presence'), presence, { qos: 1, retain: true });
      this.emit('online');
    });
    const waiting = this.outbox.splice(0);
    for (const m of waiting) this.send(m);
    this.emit('connected');
  }

  private onClose(): void {
    // Whatever MQTT.js still holds for the dead connection is lost to us: `reconnect()` starts it
    // with fresh stores. Put unconfirmed QoS 1 messages back in the outbox (at-least-once).
    const unconfirmed = [...this.inflight].filter((m) => !m.retain);
    this.inflight = new Set();
    this.outbox.unshift(...unconfirmed);
    const waiting = [...this.confirming];
    this.confirming = new Set();
    for (const fail of waiting) fail(new Error('the connection closed before the PUBACK'));
    this.trimOutbox();
    if (this.stopping) return;
    this.emit('disconnected');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.retryTimer || this.stopping) return;
    const delay = this.backoff.next();
    this.log.info({ delayMs: delay, attempt: this.backoff.attempts }, 'disconnected from the hub; reconnecting later');
    this.retryTimer = this.opts.clock.setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopping) this.client?.reconnect();
    }, delay);
  }

  private send(m: Outgoing): void {
    const client = this.client;
    if (!client) return;
    if (m.qos === 0) {
      client.publish(m.topic, m.payload, { qos: 0, retain: m.retain });
      return;
    }
    const tracked = this.inflight;
    tracked.add(m);
    client.publish(m.topic, m.payload, { qos: 1, retain: m.retain }, (err) => {
      // A callback from a connection already given up on: onClose has requeued the message.
      if (tracked !== this.inflight || !tracked.delete(m)) return;
      if (err && !this.stopping && !m.retain) this.enqueue(m);
    });
  }

  private enqueue(m: Outgoing): void {
    this.outbox.push(m);
    this.trimOutbox();
  }

  private trimOutbox(): void {
    const excess = this.outbox.length - OUTBOX_LIMIT;
    if (excess > 0) {
      this.outbox.splice(0, excess);
      this.log.warn({ dropped: excess }, 'outbox full while offline; dropped the oldest acknowledgements');
    }
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

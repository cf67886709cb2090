// One virtual speaker cluster: its own MQTT connection and credentials, presence with a last
// will, command checks shared with real firmware (hub signature + schema + CommandGate), a simulated player,
// simulated network delay and clock offset, clock sync with the hub (loa-edge's own ClockSync, so
// a cluster whose clock is off still starts at hub time), and reconnection with jittered backoff.
import type { SecureContext } from 'node:tls';
import { connect, type MqttClient } from 'mqtt';
import { offsetClock, type Clock, type TimerHandle } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { RateLimitedLog } from '../common/rate-limited-log.js';
import { Backoff, CONNECT_TIMEOUT_MS } from '../daemon/backoff.js';
import { ClockSync } from '../daemon/clock/sync.js';
import {
  CommandGate,
  PROTOCOL_VERSION,
  clusterTopic,
  decodePayload,
  encodePayload,
  readableCommandRef,
  type Ack,
  type Command,
  type Health,
  type HubMessageCheck,
  type Presence,
} from '../protocol/index.js';
import { DelayLine } from './delay-line.js';
import { makeHardware, readHealth, type SimulatedHardware } from './health.js';
import { SimulatedPlayer } from './player.js';
import type { BackoffSettings, ClusterSettings } from './settings.js';

export const SIM_AGENT = 'loa-sim/0.1.0';

/** What a cluster tells its fleet; one object for the whole fleet, not an emitter per cluster. */
export interface ClusterObserver {
  connected(c: VirtualCluster): void;
  disconnected(c: VirtualCluster): void;
  /** A command that passed the schema (it may still be refused by the gate). */
  command(c: VirtualCluster, cmd: Command, receivedAt: number): void;
  dropped(c: VirtualCluster, reason: string, receivedAt: number): void;
  /** An ack handed to MQTT; sentAt and cmdReceivedAt are on the fleet's (un-offset) clock. */
  ack(c: VirtualCluster, ack: Ack, cmdReceivedAt: number, sentAt: number): void;
  /** An ack produced while the link was down, so never sent. */
  ackLost(c: VirtualCluster, ack: Ack): void;
  health(c: VirtualCluster, health: Health): void;
}

export interface VirtualClusterOptions {
  id: string;
  secret: string;
  mqttUrl: string;
  /** Trusts only the hub's CA, for mqtts:// (the system's CAs are not trusted, as on a box). One
   *  context for the whole fleet: made from the CA on every attempt it cost 0.8 ms of CPU each,
   *  which 10,000 simulated boxes retrying a restarted hub spent on the hub's own cores (bench reconnect). */
  secureContext?: SecureContext | undefined;
  settings: ClusterSettings;
  backoff: BackoffSettings;
  keepaliveS: number;
  /** The fleet's clock (the hub's idea of time); the cluster derives its own from it. */
  clock: Clock;
  /** Ask the hub for its time and play at hub time; without, the cluster's own clock rules. */
  clockSync: boolean;
  random: () => number;
  logger: Logger;
  observer: ClusterObserver;
  /** The hub's signature on commands and clock answers, as loa-edge checks it (one for the fleet). */
  check: HubMessageCheck;
}

export class VirtualCluster {
  readonly id: string;
  readonly settings: ClusterSettings;
  /** The cluster's own clock: the fleet clock shifted by the simulated offset. */
  readonly clock: Clock;
  readonly gate = new CommandGate();
  readonly player: SimulatedPlayer;
  /** Null when the fleet runs without clock sync. */
  readonly sync: ClockSync | null;
  private readonly client: MqttClient;
  private readonly out: DelayLine;
  private readonly in: DelayLine;
  private readonly hw: SimulatedHardware;
  private readonly topics: { presence: string; cmd: string; ack: string; state: string; health: string; timereq: string; time: string };
  private reconnectTimer: TimerHandle | null = null;
  /** loa-edge's own backoff (docs/protocol.md), so a simulated fleet retries as real boxes do. */
  private readonly backoff: Backoff;
  private started = false;
  private stopping = false;
  private wasConnected = false;
  private readonly forged: RateLimitedLog;

  constructor(private readonly opts: VirtualClusterOptions) {
    this.id = opts.id;
    this.settings = opts.settings;
    this.forged = new RateLimitedLog(opts.clock);
    this.clock = opts.settings.clockOffsetMs === 0 ? opts.clock : offsetClock(opts.clock, opts.settings.clockOffsetMs);
    this.out = new DelayLine(opts.clock, opts.settings.delayMs, opts.random);
    this.in = new DelayLine(opts.clock, opts.settings.delayMs, opts.random);
    this.hw = makeHardware(this.clock.now(), opts.random);
    this.backoff = new Backoff({ ...opts.backoff, random: opts.random });
    this.topics = {
      presence: clusterTopic(opts.id, 'presence'),
      cmd: clusterTopic(opts.id, 'cmd'),
      ack: clusterTopic(opts.id, 'ack'),
      state: clusterTopic(opts.id, 'state'),
      health: clusterTopic(opts.id, 'health'),
      timereq: clusterTopic(opts.id, 'timereq'),
      time: clusterTopic(opts.id, 'time'),
    };
    // Requests go out through the simulated network delay; ClockSync stamps t0 before it. Its
    // per-connect info line, times thousands of clusters, is noise: warnings only.
    const syncLog = opts.logger.levelVal >= 40 ? opts.logger : opts.logger.child({}, { level: 'warn' });
    this.sync = opts.clockSync
      ? new ClockSync({
          clock: this.clock,
          logger: syncLog,
          random: opts.random,
          send: (req) => this.publish(this.topics.timereq, encodePayload('timereq', req), 0, false),
        })
      : null;
    this.player = new SimulatedPlayer({
      clock: this.sync?.hubClock ?? this.clock,
      ownClock: this.clock,
      random: opts.random,
      settings: opts.settings,
      sendAck: (ack, receivedAt) => this.sendAck(ack, receivedAt),
      stateChanged: () => this.publishState(),
    });
    const lastWill: Presence = { v: PROTOCOL_VERSION, status: 'offline', reason: 'lost' };
    this.client = connect(opts.mqttUrl, {
      protocolVersion: 4, // MQTT 3.1.1: what aedes 1.x speaks
      clientId: opts.id,
      username: opts.id,
      password: opts.secret,
      clean: true,
      keepalive: opts.keepaliveS,
      // MQTT.js would retry at a fixed period and gives up after a refused CONNACK; we back off ourselves.
      reconnectPeriod: 0,
      connectTimeout: CONNECT_TIMEOUT_MS,
      manualConnect: true,
      resubscribe: false,
      queueQoSZero: false,
      will: { topic: this.topics.presence, payload: Buffer.from(encodePayload('presence', lastWill)), qos: 1, retain: true },
      ...(opts.secureContext ? { secureContext: opts.secureContext } : {}),
    });
    this.client.on('connect', () => this.onConnect());
    this.client.on('close', () => this.onClose());
    this.client.on('message', (topic, payload) => this.onMessage(topic, payload));
    this.client.on('error', (err) => {
      // A refused CONNACK (wrong secret, unknown id) is worth one warning per outage, not one per retry.
      const level = this.backoff.attempts === 0 ? 'warn' : 'debug';
      this.opts.logger[level]({ err: err.message }, 'mqtt error');
    });
  }

  get connected(): boolean {
    return this.client.connected;
  }

  get isPlaying(): boolean {
    return this.player.isPlaying;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.client.connect();
  }

  /** Clean goodbye: stops playback, publishes offline presence (so no last will) and disconnects. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.reconnectTimer?.cancel();
    this.reconnectTimer = null;
    this.sync?.stop();
    this.player.shutdown();
    if (!this.started) return;
    if (this.client.connected) {
      const bye: Presence = { v: PROTOCOL_VERSION, status: 'offline', reason: 'shutdown', at: Math.round(this.clock.now()) };
      this.publish(this.topics.presence, encodePayload('presence', bye), 1, true);
      await this.out.drained();
    }
    this.in.clear();
    this.out.clear();
    // When connected, end() without force waits for outstanding PUBACKs, then sends DISCONNECT,
    // which tells the broker not to publish the last will; a broker that no longer answers gets
    // the socket closed. Between attempts, or mid-handshake, there is nothing to say goodbye on.
    const force = !this.client.connected;
    const ended = new Promise<void>((resolve) => this.client.end(force, {}, () => resolve()));
    if (!(await settlesWithin(this.opts.clock, ended, 3_000))) this.client.stream?.destroy();
  }

  /** Cuts the connection without a DISCONNECT, as a 4G drop does: the broker publishes the last will. */
  simulateLinkLoss(): void {
    this.client.stream?.destroy();
  }

  /** Called by the fleet's shared health timer. */
  reportHealth(): void {
    if (!this.client.connected || this.stopping) return;
    const h = readHealth(this.hw, Math.round(this.clock.now()), this.player.healthState, this.player.lastError, SIM_AGENT, this.opts.random);
    const clock = this.sync?.healthPart();
    if (clock) h.clock = clock;
    this.publish(this.topics.health, encodePayload('health', h), 0, false, (sent) => sent && this.opts.observer.health(this, h));
  }

  private onConnect(): void {
    this.backoff.reset();
    this.wasConnected = true;
    this.opts.logger.debug('connected');
    this.opts.observer.connected(this);
    // Subscribe before announcing presence: the hub may send a command as soon as it sees us.
    const subs: Record<string, { qos: 0 | 1 }> = { [this.topics.cmd]: { qos: 1 } };
    if (this.sync) subs[this.topics.time] = { qos: 0 };
    this.client.subscribe(subs, (err, granted) => {
      if (err) {
        // The link went away before the SUBACK; the next connect starts over.
        this.opts.logger.debug({ err: err.message }, 'subscribe interrupted');
        return;
      }
      if (granted?.some((g) => g.qos === 128)) this.opts.logger.warn({ granted }, 'broker refused a subscription to our own topics');
      if (this.stopping) return;
      // Before presence, so the first answer is in before any command the hub sends on seeing us.
      this.sync?.connected();
      const hello: Presence = { v: PROTOCOL_VERSION, status: 'online', at: Math.round(this.clock.now()), agent: SIM_AGENT };
      this.publish(this.topics.presence, encodePayload('presence', hello), 1, true);
      this.publishState();
    });
  }

  private onClose(): void {
    // With a clean session, QoS 1 messages in flight when the link died can never be completed;
    // MQTT.js keeps waiting for their PUBACKs, which would make a later end() wait forever.
    for (const messageId of Object.keys(this.client.outgoing)) this.client.removeOutgoingMessage(Number(messageId));
    this.sync?.disconnected();
    if (this.wasConnected) {
      this.wasConnected = false;
      this.opts.logger.debug('disconnected');
      this.opts.observer.disconnected(this);
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopping || this.reconnectTimer) return;
    // Jittered and growing, so a fleet does not storm a hub that has just come back; even the
    // first retry is spread over [minMs, 2·minMs].
    const wait = this.backoff.next();
    this.reconnectTimer = this.opts.clock.setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.stopping) this.client.reconnect();
    }, wait);
  }

  private onMessage(topic: string, payload: Buffer): void {
    const sync = this.sync;
    if (topic === this.topics.time && sync) {
      const opened = this.opts.check.open(topic, payload);
      if (!opened.ok) return this.forged.warn(this.opts.logger, { topic, reason: opened.reason }, 'dropped a clock answer the hub did not sign');
      return this.in.send(() => sync.handleResponse(opened.body));
    }
    if (topic !== this.topics.cmd) return;
    const receivedAt = this.opts.clock.now();
    this.in.send(() => this.handleCommand(payload, receivedAt));
  }

  private handleCommand(payload: Buffer, receivedAt: number): void {
    if (this.stopping) return;
    // The signature first, as loa-edge does: a forged command must not use up a sequence number.
    const opened = this.opts.check.open(this.topics.cmd, payload);
    if (!opened.ok) return this.rejectUnsigned(payload, opened.reason, opened.detail, receivedAt);
    const decoded = decodePayload('cmd', opened.body);
    if (!decoded.ok) return this.rejectInvalid(payload, decoded.reason, receivedAt);
    const cmd = decoded.value;
    this.opts.observer.command(this, cmd, receivedAt);
    // expiresAt is a hub time: compare it with hub time as this cluster knows it.
    const verdict = this.gate.admit(cmd, (this.sync?.hubClock ?? this.clock).now());
    if (!verdict.ok) {
      this.opts.logger.info({ cmdId: cmd.id, seq: cmd.seq, reason: verdict.reason }, 'command refused');
      const ack: Ack = {
        v: PROTOCOL_VERSION,
        cmdId: cmd.id,
        seq: cmd.seq,
        status: 'refused',
        reason: verdict.reason,
        detail: verdict.detail,
        at: Math.round(this.clock.now()),
      };
      return this.sendAck(ack, receivedAt);
    }
    this.player.handle(cmd, receivedAt);
  }

  /** A command the hub did not sign: refused (acked with its reason when it names an id), never acted on. */
  private rejectUnsigned(payload: Buffer, reason: 'unsigned' | 'bad-signature', detail: string, receivedAt: number): void {
    this.forged.warn(this.opts.logger, { topic: this.topics.cmd, reason }, 'refused a command the hub did not sign');
    this.opts.observer.dropped(this, reason, receivedAt);
    const ref = readableCommandRef(payload);
    if (ref)
      this.sendAck({ v: PROTOCOL_VERSION, cmdId: ref.id, seq: ref.seq, status: 'refused', reason, detail, at: Math.round(this.clock.now()) }, receivedAt);
  }

  /**
   * A payload that fails the schema is never acted on. When it still names a usable command id
   * and sequence, the hub is told (refused/invalid) so its log shows why; otherwise it is dropped.
   */
  private rejectInvalid(payload: Buffer, reason: string, receivedAt: number): void {
    this.opts.logger.warn({ topic: this.topics.cmd, reason }, 'invalid command dropped');
    this.opts.observer.dropped(this, reason, receivedAt);
    const ref = readableCommandRef(payload);
    if (!ref) return;
    const detail = reason.length > 300 ? `${reason.slice(0, 297)}...` : reason;
    this.sendAck(
      { v: PROTOCOL_VERSION, cmdId: ref.id, seq: ref.seq, status: 'refused', reason: 'invalid', detail, at: Math.round(this.clock.now()) },
      receivedAt,
    );
  }

  private sendAck(ack: Ack, cmdReceivedAt: number): void {
    this.publish(this.topics.ack, encodePayload('ack', ack), 1, false, (sent) => {
      if (sent) this.opts.observer.ack(this, ack, cmdReceivedAt, this.opts.clock.now());
      else this.opts.observer.ackLost(this, ack);
    });
  }

  private publishState(): void {
    if (this.stopping) return;
    this.publish(this.topics.state, encodePayload('state', this.player.state(this.gate.highestSeq)), 1, true);
  }

  /**
   * Publishes after the simulated network delay. While the link is down the message is lost, as
   * on a box without an outbox; presence and state are published afresh on every connect.
   */
  private publish(topic: string, body: string, qos: 0 | 1, retain: boolean, done?: (sent: boolean) => void): void {
    this.out.send(() => {
      if (!this.client.connected) return done?.(false);
      this.client.publish(topic, body, { qos, retain });
      done?.(true);
    });
  }
}

/** True when p settles within ms of the clock. */
function settlesWithin(clock: Clock, p: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = clock.setTimeout(() => resolve(false), ms);
    void p.then(() => {
      timer.cancel();
      resolve(true);
    });
  });
}

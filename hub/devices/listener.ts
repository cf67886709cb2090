// Listens to every cluster's device topics, validates each payload (everything a device sends is
// untrusted), records presence and health, and announces valid messages on the event bus.
// A payload that fails validation is dropped and logged with the cluster and topic.
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { allClustersTopic, decodePayload, parseClusterTopic, type Channel, type ReportedState } from '../../protocol/index.js';
import type { HubMqtt } from '../broker/broker.js';
import type { EventBus } from '../events.js';
import { commitSoon } from '../store/db.js';
import type { Store } from '../store/index.js';
import type { DeviceLogLimit } from '../broker/log-limit.js';

export interface DeviceListenerDeps {
  mqtt: HubMqtt;
  store: Store;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** Warnings a cluster's messages cause, a few a minute per cluster (log-limit.ts). */
  deviceLog: DeviceLogLimit;
}

const LISTENED: Channel[] = ['presence', 'ack', 'state', 'health'];

const SEEN_FLUSH_MS = 5000;

export class DeviceListener {
  private readonly states = new Map<string, ReportedState>();
  private readonly log: Logger;
  /** Registered cluster ids, so a message from a removed one costs no query. */
  private known = new Set<string>();
  /** When each cluster was last heard from; written to the store in batches. */
  private readonly seen = new Map<string, number>();
  private seenTimer: TimerHandle | null = null;
  rejected = 0;

  constructor(private readonly deps: DeviceListenerDeps) {
    this.log = deps.logger;
  }

  async start(): Promise<void> {
    this.deps.store.clusters.markAllOffline(this.deps.clock.now(), 'hub-start');
    this.known = new Set(this.deps.store.clusters.ids());
    this.deps.bus.on(this, 'clusterAdded', ({ clusterId }) => this.known.add(clusterId));
    for (const channel of LISTENED) {
      await this.deps.mqtt.subscribe(allClustersTopic(channel), (topic, payload) => this.onMessage(topic, payload));
    }
    this.deps.bus.on(this, 'clusterCredentialsChanged', ({ clusterId, removed }) => {
      if (removed) {
        this.known.delete(clusterId);
        this.seen.delete(clusterId);
        this.states.delete(clusterId);
        this.deps.store.health.forget(clusterId);
        this.deps.deviceLog.forget(clusterId);
      }
    });
  }

  stop(): void {
    this.deps.bus.removeListeners(this);
    this.flushSeen();
  }

  private markSeen(clusterId: string, at: number): void {
    this.seen.set(clusterId, at);
    this.seenTimer ??= this.deps.clock.setTimeout(() => this.flushSeen(), SEEN_FLUSH_MS);
  }

  private flushSeen(): void {
    this.seenTimer?.cancel();
    this.seenTimer = null;
    if (this.seen.size === 0) return;
    this.deps.store.clusters.touchMany([...this.seen]);
    this.seen.clear();
  }

  /** The state a cluster last reported (retained on the broker), if any. */
  reportedState(clusterId: string): ReportedState | undefined {
    return this.states.get(clusterId);
  }

  /**
   * The broker saw a device's connection open or close. Only a close counts here: a box is online
   * once it says so on its presence topic, which it does after subscribing to its commands.
   */
  onConnection(clusterId: string, connected: boolean, reason: string): void {
    if (!connected) this.setPresence(clusterId, false, reason);
  }

  private setPresence(clusterId: string, online: boolean, reason: string | null): void {
    const at = this.deps.clock.now();
    if (this.deps.store.clusters.setPresence(clusterId, online, at, reason)) {
      this.deps.deviceLog.line(this.log, 'info', clusterId, { online, reason }, online ? 'cluster online' : 'cluster offline');
      this.deps.bus.emit('presenceChanged', { clusterId, online, at, reason });
    }
  }

  private onMessage(topic: string, payload: Buffer): void {
    const parsed = parseClusterTopic(topic);
    if (!parsed) return;
    const { clusterId, channel } = parsed;
    if (payload.length === 0) return; // a cleared retained message
    if (!this.known.has(clusterId)) return; // removed while its retained message lingered
    // Devices talk in bursts (10,000 presences at a hub start, a broadcast's 10,000 acks): what
    // their messages write in one turn of the event loop is committed together (db.ts commitSoon).
    commitSoon(this.deps.store.db, (err) => this.log.error({ err }, 'device messages not stored: the database refused the commit'));
    const now = this.deps.clock.now();
    switch (channel) {
      case 'presence': {
        const d = decodePayload('presence', payload);
        if (!d.ok) return this.reject(clusterId, topic, d.reason);
        this.setPresence(clusterId, d.value.status === 'online', d.value.status === 'online' ? 'presence' : (d.value.reason ?? 'offline'));
        if (d.value.status === 'online') this.deps.bus.emit('presenceOnline', { clusterId, at: now });
        return;
      }
      case 'ack': {
        const d = decodePayload('ack', payload);
        if (!d.ok) return this.reject(clusterId, topic, d.reason);
        this.markSeen(clusterId, now);
        this.deps.bus.emit('ack', { clusterId, ack: d.value, receivedAt: now });
        return;
      }
      case 'state': {
        const d = decodePayload('state', payload);
        if (!d.ok) return this.reject(clusterId, topic, d.reason);
        this.states.set(clusterId, d.value);
        // The hub owns the sequence: a number it never issued is not adopted (2^53-1 once left a
        // counter no command could carry, and the next command to the box stopped the hub).
        if (!this.deps.store.clusters.issuedSeq(clusterId, d.value.lastSeq)) {
          this.deps.deviceLog.warn(
            this.log,
            clusterId,
            { lastSeq: d.value.lastSeq },
            'the box reports a lastSeq this hub never issued (forged, or a store restored from a backup); ignored',
          );
        }
        this.deps.bus.emit('state', { clusterId, state: d.value, receivedAt: now });
        return;
      }
      case 'health': {
        const d = decodePayload('health', payload);
        if (!d.ok) return this.reject(clusterId, topic, d.reason);
        this.markSeen(clusterId, now);
        this.deps.store.health.add({ ...d.value, clusterId, receivedAt: now });
        this.deps.bus.emit('health', { clusterId, health: d.value, receivedAt: now });
        return;
      }
      default:
        return;
    }
  }

  private reject(clusterId: string, topic: string, reason: string): void {
    this.rejected += 1;
    this.deps.deviceLog.dropped(this.log, clusterId, topic, reason);
  }
}

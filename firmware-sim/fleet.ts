// A fleet of virtual clusters in one process: builds them from one options object, ramps their
// connections up, drives their health reports from shared timers, counts what they do and emits
// every command and ack with timestamps so tests and benchmarks can observe the fleet.
import { EventEmitter } from 'node:events';
import { createSecureContext } from 'node:tls';
import { systemClock, type Clock } from '../common/clock.js';
import { LoaError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { ACK_STATUSES, HubMessageCheck, isClusterId, type Ack, type AckStatus, type Command, type Health } from '../protocol/index.js';
import { Pacer } from './pacer.js';
import { DEFAULT_BACKOFF, resolveSettings, type BackoffSettings, type ClusterOverrides, type DelaySpec } from './settings.js';
import { VirtualCluster, type ClusterObserver } from './virtual-cluster.js';

export interface FleetClusterSpec {
  id: string;
  secret: string;
  overrides?: ClusterOverrides;
  /** The hub keys a fleet file lists beside the secret (`loa clusters add --json`); loa-sim
   *  trusts them when no --hub-key is given. The fleet itself goes by FleetOptions.hubKeys. */
  hubKeys?: string[];
}

export interface FleetOptions {
  mqttUrl: string;
  /** The hub's CA certificate (PEM) for mqtts://: the only CA the clusters trust, as a box pins it. */
  ca?: Buffer | undefined;
  clusters: FleetClusterSpec[];
  /** The hub's public keys (`ed25519:…`, as loa clusters add prints them): clusters obey only what
   *  the hub signed, as loa-edge does, so a benchmark measures production settings. */
  hubKeys: string[];
  /** Take commands without checking signatures (a hub too old to sign, or a test of the unsigned path). */
  insecureAcceptUnsigned?: boolean;
  /** The hub's idea of time; each cluster's own clock is this plus its offset. Default: system clock. */
  clock?: Clock;
  logger: Logger;
  delayMs?: DelaySpec;
  clockOffsetMs?: number;
  failureRate?: number;
  fetchDelayMs?: DelaySpec;
  healthIntervalMs?: number;
  /** Clusters started per second; 0 or Infinity starts them all at once. Default 200. */
  connectRatePerSec?: number;
  /** MQTT keep-alive in seconds. Default 20, as docs/protocol.md recommends. */
  keepaliveS?: number;
  backoff?: Partial<BackoffSettings>;
  /** Source of randomness in [0, 1), injected so tests can be deterministic. */
  random?: () => number;
  /** Clusters sync their clocks with the hub and play at hub time (default true). Off, each one
   *  goes by its own clock, like firmware without clock sync; a whole-day test on a simulated
   *  clock turns it off to spare a clock-sync request per cluster per minute. */
  clockSync?: boolean;
}

/** Times are on the fleet clock (the process's real clock unless a test passes another). */
export interface CommandEvent {
  clusterId: string;
  cmd: Command;
  receivedAt: number;
}
export interface AckEvent {
  clusterId: string;
  ack: Ack;
  /** When the command this acknowledges arrived from the broker, before any simulated delay. */
  cmdReceivedAt: number;
  /** When the ack was handed to MQTT, after the simulated delay. */
  sentAt: number;
}
export interface FleetEvents {
  command: [CommandEvent];
  dropped: [{ clusterId: string; reason: string; receivedAt: number }];
  ack: [AckEvent];
  connected: [{ clusterId: string; at: number }];
  disconnected: [{ clusterId: string; at: number }];
  health: [{ clusterId: string; health: Health }];
}

export interface FleetCounters {
  /** Clusters connected right now. */
  connected: number;
  /** Successful connections since start, reconnections included. */
  connects: number;
  commandsReceived: number;
  /** Payloads on a command topic that failed the schema. */
  commandsDropped: number;
  acks: Record<AckStatus, number>;
  refused: number;
  failures: number;
  /** Acks produced while the cluster's link was down. */
  acksLost: number;
  healthSent: number;
}

export const DEFAULT_CONNECT_RATE = 200;
export const DEFAULT_KEEPALIVE_S = 20;

export class Fleet {
  readonly clusters: readonly VirtualCluster[];
  readonly events = new EventEmitter<FleetEvents>();
  readonly counters: FleetCounters;
  private readonly byId: Map<string, VirtualCluster>;
  private readonly clock: Clock;
  private readonly ramp: Pacer | null;
  private readonly healthPacers: Pacer[] = [];
  private state: 'new' | 'running' | 'stopped' = 'new';

  constructor(private readonly opts: FleetOptions) {
    this.clock = opts.clock ?? systemClock;
    const random = opts.random ?? Math.random;
    this.counters = {
      connected: 0,
      connects: 0,
      commandsReceived: 0,
      commandsDropped: 0,
      acks: Object.fromEntries(ACK_STATUSES.map((s) => [s, 0])) as Record<AckStatus, number>,
      refused: 0,
      failures: 0,
      acksLost: 0,
      healthSent: 0,
    };
    checkClusters(opts.clusters);
    const fleetSettings: ClusterOverrides = {
      delayMs: opts.delayMs,
      clockOffsetMs: opts.clockOffsetMs,
      failureRate: opts.failureRate,
      fetchDelayMs: opts.fetchDelayMs,
      healthIntervalMs: opts.healthIntervalMs,
    };
    const backoff = { ...DEFAULT_BACKOFF, ...opts.backoff };
    const observer = this.observer();
    if (opts.hubKeys.length === 0 && !opts.insecureAcceptUnsigned) {
      throw new LoaError(
        'LOA_SIM_NO_HUB_KEY',
        "give the hub's public key (--hub-key, as loa clusters add prints it); without it the clusters would obey anyone.",
      );
    }
    const check = new HubMessageCheck(opts.hubKeys, opts.insecureAcceptUnsigned ?? false);
    const secureContext = opts.ca ? createSecureContext({ ca: opts.ca }) : undefined;
    this.clusters = opts.clusters.map(
      (spec) =>
        new VirtualCluster({
          id: spec.id,
          secret: spec.secret,
          mqttUrl: opts.mqttUrl,
          secureContext,
          settings: resolveSettings(fleetSettings, spec.overrides),
          backoff,
          keepaliveS: opts.keepaliveS ?? DEFAULT_KEEPALIVE_S,
          clock: this.clock,
          clockSync: opts.clockSync ?? true,
          random,
          logger: opts.logger.child({ cluster: spec.id }),
          observer,
          check,
        }),
    );
    this.byId = new Map(this.clusters.map((c) => [c.id, c]));
    const rate = opts.connectRatePerSec ?? DEFAULT_CONNECT_RATE;
    const ramped = rate > 0 && Number.isFinite(rate) && this.clusters.length > 1;
    this.ramp = ramped ? new Pacer({ clock: this.clock, spacingMs: 1000 / rate, limit: this.clusters.length, onDue: (k) => this.clusters[k]?.start() }) : null;
    // One pacer per distinct health interval spreads that group's reports evenly over it.
    const groups = new Map<number, VirtualCluster[]>();
    for (const c of this.clusters) {
      const group = groups.get(c.settings.healthIntervalMs);
      if (group) group.push(c);
      else groups.set(c.settings.healthIntervalMs, [c]);
    }
    for (const [intervalMs, members] of groups) {
      this.healthPacers.push(
        new Pacer({
          clock: this.clock,
          spacingMs: intervalMs / members.length,
          limit: Infinity,
          maxCatchUp: members.length,
          onDue: (k) => members[k % members.length]?.reportHealth(),
        }),
      );
    }
  }

  /** Starts connecting every cluster (at the connect rate); resolves when the last one has begun. */
  async start(): Promise<void> {
    if (this.state !== 'new') return;
    this.state = 'running';
    this.opts.logger.info({ clusters: this.clusters.length, mqtt: this.opts.mqttUrl }, 'fleet starting');
    for (const p of this.healthPacers) p.start();
    if (!this.ramp) {
      for (const c of this.clusters) c.start();
      return;
    }
    const ramp = this.ramp;
    await new Promise<void>((resolve) => {
      ramp.onDone = resolve;
      ramp.start();
    });
  }

  /** Every cluster says a clean goodbye (offline presence) and disconnects. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.ramp?.stop();
    for (const p of this.healthPacers) p.stop();
    await Promise.all(this.clusters.map((c) => c.stop()));
    this.opts.logger.info('fleet stopped');
  }

  get playing(): number {
    let n = 0;
    for (const c of this.clusters) if (c.isPlaying) n++;
    return n;
  }

  cluster(id: string): VirtualCluster | undefined {
    return this.byId.get(id);
  }

  /** Resolves once `count` clusters are connected at the same time (default: all of them). */
  waitForConnected(count = this.clusters.length, timeoutMs = 30_000): Promise<void> {
    if (this.counters.connected >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.events.off('connected', check);
        reject(
          new LoaError(
            'LOA_SIM_TIMEOUT',
            `only ${this.counters.connected} of ${count} clusters connected within ${timeoutMs} ms; is the broker at ${this.opts.mqttUrl} up and are the ` +
              `secrets right?`,
          ),
        );
      }, timeoutMs);
      const check = () => {
        if (this.counters.connected < count) return;
        timer.cancel();
        this.events.off('connected', check);
        resolve();
      };
      this.events.on('connected', check);
    });
  }

  private observer(): ClusterObserver {
    const { counters, events, clock } = this;
    return {
      connected: (c) => {
        counters.connected++;
        counters.connects++;
        events.emit('connected', { clusterId: c.id, at: clock.now() });
      },
      disconnected: (c) => {
        counters.connected--;
        events.emit('disconnected', { clusterId: c.id, at: clock.now() });
      },
      command: (c, cmd, receivedAt) => {
        counters.commandsReceived++;
        events.emit('command', { clusterId: c.id, cmd, receivedAt });
      },
      dropped: (c, reason, receivedAt) => {
        counters.commandsDropped++;
        events.emit('dropped', { clusterId: c.id, reason, receivedAt });
      },
      ack: (c, ack, cmdReceivedAt, sentAt) => {
        counters.acks[ack.status]++;
        if (ack.status === 'refused') counters.refused++;
        if (ack.status === 'failed') counters.failures++;
        events.emit('ack', { clusterId: c.id, ack, cmdReceivedAt, sentAt });
      },
      ackLost: () => {
        counters.acksLost++;
      },
      health: (c, health) => {
        counters.healthSent++;
        events.emit('health', { clusterId: c.id, health });
      },
    };
  }
}

function checkClusters(clusters: FleetClusterSpec[]): void {
  const seen = new Set<string>();
  for (const [i, c] of clusters.entries()) {
    if (!isClusterId(c.id)) {
      throw new LoaError('LOA_SIM_BAD_FLEET', `cluster #${i + 1}: id "${c.id}" is not a cluster id (lowercase letters, digits and dashes, up to 63).`);
    }
    if (seen.has(c.id)) throw new LoaError('LOA_SIM_BAD_FLEET', `cluster #${i + 1}: id "${c.id}" appears twice in the fleet.`);
    if (!c.secret) throw new LoaError('LOA_SIM_BAD_FLEET', `cluster ${c.id}: the secret is empty.`);
    seen.add(c.id);
  }
}

/** Builds a fleet without starting it. */
export function createFleet(opts: FleetOptions): Fleet {
  return new Fleet(opts);
}

/** Builds a fleet and starts connecting it; use fleet.waitForConnected() to wait for the links. */
export async function startFleet(opts: FleetOptions): Promise<Fleet> {
  const fleet = new Fleet(opts);
  await fleet.start();
  return fleet;
}

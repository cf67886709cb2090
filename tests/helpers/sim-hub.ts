// The hub's side of protocol v1 for simulator tests: a real MQTT.js client that records every
// cluster message and publishes commands built to the protocol schemas (the real hub comes later).
import { connect, type MqttClient } from 'mqtt';
import { allClustersTopic, clusterTopic, commandSchema, parseClusterTopic, type Channel, type Command, type PlayCommand } from '../../protocol/index.js';
import { HUB_PASSWORD, HUB_USER } from './sim-broker.js';
import { signedAsHub } from './signing.js';

export interface HubMessage {
  clusterId: string;
  channel: Channel;
  /** Parsed JSON (not validated: tests validate what they assert on). */
  body: Record<string, unknown>;
  retain: boolean;
  /** When the test's hub received it (Date.now). */
  receivedAt: number;
}

const SHA = 'a'.repeat(64);

export class TestHub {
  readonly messages: HubMessage[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly seqs = new Map<string, number>();
  private nextId = 1;

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      const t = parseClusterTopic(topic);
      if (!t) return;
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
      } catch {
        return;
      }
      this.messages.push({ clusterId: t.clusterId, channel: t.channel, body, retain: packet.retain, receivedAt: Date.now() });
      for (const w of this.waiters) w();
    });
  }

  /** Connects as the hub and subscribes to the device channels of every cluster. */
  static async connect(url: string, channels: Channel[] = ['presence', 'ack', 'state', 'health']): Promise<TestHub> {
    const client = connect(url, {
      protocolVersion: 4,
      username: HUB_USER,
      password: HUB_PASSWORD,
      clientId: `test-hub-${Math.random().toString(16).slice(2)}`,
      reconnectPeriod: 100,
    });
    client.on('error', () => {});
    const hub = new TestHub(client);
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    await client.subscribeAsync(
      channels.map((c) => allClustersTopic(c)),
      { qos: 1 },
    );
    return hub;
  }

  of(clusterId: string, channel: Channel, status?: string): HubMessage[] {
    return this.messages.filter((m) => m.clusterId === clusterId && m.channel === channel && (status === undefined || m.body.status === status));
  }

  /** Resolves with the messages once pick() returns a non-empty result for all of them. */
  waitUntil<T>(pick: () => T | undefined | false, timeoutMs = 5_000, what = 'condition'): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const r = pick();
        if (r === undefined || r === false) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(r);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  nextSeq(clusterId: string): number {
    const s = (this.seqs.get(clusterId) ?? 0) + 1;
    this.seqs.set(clusterId, s);
    return s;
  }

  play(
    clusterId: string,
    opts: { startAt: number; stopAt?: number; durationMs: number; seq?: number; expiresAt?: number; broadcastId?: string; mediaId?: string; offsetMs?: number },
  ): PlayCommand {
    const now = Date.now();
    return commandSchema.parse({
      v: 1,
      id: `cmd-${this.nextId++}`,
      seq: opts.seq ?? this.nextSeq(clusterId),
      issuedAt: now,
      expiresAt: opts.expiresAt ?? now + 30_000,
      type: 'play',
      broadcastId: opts.broadcastId ?? 'b-1',
      media: { id: opts.mediaId ?? SHA, url: `/api/v1/media/${opts.mediaId ?? SHA}/content`, bytes: 4800, durationMs: opts.durationMs, format: 'ogg/opus' },
      startAt: opts.startAt,
      ...(opts.stopAt === undefined ? {} : { stopAt: opts.stopAt }),
      offsetMs: opts.offsetMs ?? 0,
    }) as PlayCommand;
  }

  command(clusterId: string, body: { type: 'stop'; broadcastId?: string } | { type: 'volume'; volume: number }): Command {
    const now = Date.now();
    return commandSchema.parse({ v: 1, id: `cmd-${this.nextId++}`, seq: this.nextSeq(clusterId), issuedAt: now, expiresAt: now + 30_000, ...body });
  }

  async send(clusterId: string, cmd: Command | string): Promise<void> {
    const topic = clusterTopic(clusterId, 'cmd');
    await this.client.publishAsync(topic, signedAsHub(topic, cmd), { qos: 1 });
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

/** Reads the retained messages of a channel with a fresh subscriber. */
export async function retained(url: string, channel: Channel, expected: number, timeoutMs = 3_000): Promise<Map<string, Record<string, unknown>>> {
  const hub = await TestHub.connect(url, [channel]);
  try {
    await hub
      .waitUntil(() => new Set(hub.messages.map((m) => m.clusterId)).size >= expected || undefined, timeoutMs, `${expected} retained ${channel}`)
      .catch(() => undefined);
    const out = new Map<string, Record<string, unknown>>();
    for (const m of hub.messages) if (m.retain) out.set(m.clusterId, m.body);
    return out;
  } finally {
    await hub.close();
  }
}

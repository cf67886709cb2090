// Builds and sends commands to one cluster: each gets a fresh id, the cluster's next sequence
// number (the hub's own, from its clock: never a box's word), the time it was issued and an expiry
// (protocol/schemas.ts).
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../common/clock.js';
import { clusterTopic, commandSchema, PROTOCOL_VERSION, type Command } from '../../protocol/index.js';
import type { HubMqtt } from '../broker/broker.js';
import type { ClusterStore } from '../store/index.js';

export type CommandBody = Command extends infer C ? (C extends Command ? Omit<C, 'v' | 'id' | 'seq' | 'issuedAt' | 'expiresAt'> : never) : never;

/** The log's detail for a command the hub could not build for a cluster (the error is logged). */
export const NOT_BUILT = 'the hub could not build the command for this cluster (see the hub log)';

export class CommandSender {
  constructor(
    private readonly mqtt: HubMqtt,
    private readonly clusters: ClusterStore,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  /** Builds a command, reserving the cluster's next sequence number. */
  build(clusterId: string, body: CommandBody, opts: { expiresAt?: number } = {}): Command {
    const issuedAt = Math.round(this.clock.now());
    // Parsing what we send catches a hub bug before a box has to refuse it. It throws then: the
    // callers fail that cluster's target only (tests/security/box-sequence.test.ts).
    return commandSchema.parse({
      v: PROTOCOL_VERSION,
      id: randomUUID(),
      seq: this.clusters.takeSeq(clusterId, issuedAt),
      issuedAt,
      expiresAt: opts.expiresAt ?? issuedAt + this.ttlMs,
      ...body,
    });
  }

  publish(clusterId: string, payload: string): Promise<void> {
    return this.mqtt.publish(clusterTopic(clusterId, 'cmd'), payload, { qos: 1, retain: false });
  }

  /** Builds and sends a command; returns it as sent (with id, seq and expiry). */
  async send(clusterId: string, body: CommandBody, opts: { expiresAt?: number } = {}): Promise<Command> {
    const command = this.build(clusterId, body, opts);
    await this.publish(clusterId, JSON.stringify(command));
    return command;
  }
}

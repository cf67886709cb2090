// The hub's MQTT as its modules see it: everything published on a hub-to-box channel (cmd, time,
// plan; protocol/topics.ts CHANNELS) leaves signed, so no module can forget to sign, and nothing
// a box obeys can come from anyone else (docs/protocol.md, "Signed messages").
import type { KeyObject } from 'node:crypto';
import { CHANNELS, parseClusterTopic, signPayload } from '../../protocol/index.js';
import type { HubMqtt, MessageHandler } from '../broker/broker.js';

export class SignedMqtt implements HubMqtt {
  constructor(
    private readonly mqtt: HubMqtt,
    private readonly key: KeyObject,
  ) {}

  publish(topic: string, payload: string, opts: { qos: 0 | 1; retain: boolean }): Promise<void> {
    const t = parseClusterTopic(topic);
    // An empty payload clears a retained message; there is nothing in it to obey.
    if (!t || CHANNELS[t.channel] !== 'hub' || payload === '') return this.mqtt.publish(topic, payload, opts);
    let signed: string;
    try {
      signed = signPayload(this.key, topic, payload);
    } catch (err) {
      // A hub bug (not a JSON object): the caller's catch handles it like a failed send.
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return this.mqtt.publish(topic, signed, opts);
  }

  subscribe(filter: string, handler: MessageHandler): Promise<void> {
    return this.mqtt.subscribe(filter, handler);
  }

  disconnectDevice(clusterId: string): void {
    this.mqtt.disconnectDevice(clusterId);
  }

  isConnected(clusterId: string): boolean {
    return this.mqtt.isConnected(clusterId);
  }

  linkUpSince(): number {
    return this.mqtt.linkUpSince();
  }
}

// A scripted box for the alarm tests: a real MQTT.js client that says it is online, reports health
// and acks, and waits until the hub has taken each message off the wire (by its event bus).
import type { MqttClient } from 'mqtt';
import type { Clock } from '../../common/clock.js';
import type { Hub } from '../../hub/hub.js';
import type { HubEvents } from '../../hub/events.js';
import { clusterTopic, type Health } from '../../protocol/index.js';
import { waitFor } from './hub.js';
import { connectDevice } from './mqtt.js';

export function healthPayload(clock: Clock, over: Partial<Health> = {}): Health {
  return {
    v: 1,
    at: clock.now(),
    uptimeS: 100,
    cpuTempC: 50,
    load1: 0.2,
    memFreeMb: 200,
    memTotalMb: 512,
    diskFreeMb: 4000,
    player: 'idle',
    lastError: null,
    agent: 'alarms-test/1',
    ...over,
  };
}

/** Publishes on one of the box's channels and resolves once the hub has announced it on its bus. */
async function publishSeen(hub: Hub, client: MqttClient, clusterId: string, channel: 'health' | 'ack', payload: object): Promise<void> {
  const owner = {};
  const seen = new Promise<void>((resolve) => {
    hub.bus.on(owner, channel, (e: HubEvents['health'] | HubEvents['ack']) => {
      if (e.clusterId === clusterId) resolve();
    });
  });
  try {
    await client.publishAsync(clusterTopic(clusterId, channel), JSON.stringify(payload), { qos: 1 });
    await Promise.race([seen, new Promise((_r, reject) => setTimeout(() => reject(new Error(`hub did not take the ${channel} of ${clusterId}`)), 5000))]);
  } finally {
    hub.bus.removeListeners(owner);
  }
}

export interface AlarmsBox {
  id: string;
  client: MqttClient;
  health(over?: Partial<Health>): Promise<void>;
  ack(status: 'accepted' | 'started' | 'finished' | 'failed' | 'refused', extra?: object): Promise<void>;
  /** Drops the connection as a lost link would (no goodbye) and waits until the hub sees it. */
  drop(): Promise<void>;
}

export async function connectAlarmsBox(hub: Hub, mqttUrl: string, id: string, secret: string, clock: Clock): Promise<AlarmsBox> {
  const client = await connectDevice(mqttUrl, id, secret);
  await client.publishAsync(clusterTopic(id, 'presence'), JSON.stringify({ v: 1, status: 'online', at: clock.now() }), { qos: 1, retain: true });
  await waitFor(() => hub.store.clusters.get(id)?.online, { what: `${id} online` });
  let n = 0;
  return {
    id,
    client,
    health: (over = {}) => publishSeen(hub, client, id, 'health', healthPayload(clock, over)),
    ack: (status, extra = {}) => publishSeen(hub, client, id, 'ack', { v: 1, cmdId: `c-${id}-${++n}`, seq: n, status, at: clock.now(), ...extra }),
    async drop() {
      client.end(true);
      await waitFor(() => hub.store.clusters.get(id)?.online === false, { what: `${id} offline` });
    },
  };
}

// Real MQTT.js clients for tests, connecting the way a box does (MQTT 3.1.1, id = username).
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { clusterTopic } from '../../protocol/index.js';

export async function connectDevice(url: string, id: string, secret: string, extra: Partial<IClientOptions> = {}): Promise<MqttClient> {
  return mqtt.connectAsync(url, {
    protocolVersion: 4,
    clientId: id,
    username: id,
    password: secret,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    will: { topic: clusterTopic(id, 'presence'), payload: Buffer.from(JSON.stringify({ v: 1, status: 'offline', reason: 'lost' })), qos: 1, retain: true },
    ...extra,
  });
}

/** Resolves when the client's connection closes (or after ms, with false). */
export function closed(client: MqttClient, ms = 5000): Promise<boolean> {
  return new Promise((resolve) => {
    if (!client.connected) return resolve(true);
    const t = setTimeout(() => resolve(false), ms);
    client.once('close', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

// Issue 14, item 14: the embedded broker took MQTT 3.1 (protocol level 3), though docs/protocol.md
// says 3.1.1. A box speaking 3.1 is now refused with CONNACK 1 (unacceptable protocol level), as
// MQTT 3.1.1 [MQTT-3.1.2-2] asks, even with the right secret; 3.1.1 still gets in.
// Real hub, real MQTT.js clients. With an external broker, Mosquitto decides (docs/external-broker.md).
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturingLogger } from '../helpers/hub-cameras.js';
import { externalBroker, startTestHub, type TestHub } from '../helpers/hub.js';
import { connectDevice } from '../helpers/mqtt.js';

const lines: string[] = [];
let t: TestHub;
const clients: MqttClient[] = [];

beforeAll(async () => {
  t = await startTestHub({ logger: capturingLogger(lines) });
});

afterAll(async () => {
  for (const c of clients) c.end(true);
  await t?.stop();
});

describe.skipIf(externalBroker)('MQTT protocol level', () => {
  it('3.1 (level 3) is refused with CONNACK 1 and logged, even with the right secret', async () => {
    const box = await t.addCluster('old-firmware');
    const err = await connectDevice(t.addresses.mqttUrl, box.id, box.secret, { protocolVersion: 3, protocolId: 'MQIsdp' }).then(
      (c) => {
        clients.push(c);
        return null;
      },
      (e: { code?: number; message?: string }) => e,
    );
    expect(err?.code).toBe(1);
    expect(err?.message).toMatch(/unacceptable protocol version/i);
    expect(lines.some((l) => /MQTT 3\.1 \(level 3\) refused/.test(l) && /"clientId":"old-firmware"/.test(l))).toBe(true);
  });

  it('5 is refused the same way (aedes 1.x speaks 3.1.1)', async () => {
    const box = await t.addCluster('v5-firmware');
    const err = await connectDevice(t.addresses.mqttUrl, box.id, box.secret, { protocolVersion: 5 }).then(
      (c) => {
        clients.push(c);
        return null;
      },
      (e: { code?: number; message?: string }) => e,
    );
    expect(err?.code).toBe(1);
  });

  it('3.1.1 (level 4) gets in with the same secret', async () => {
    const box = await t.addCluster('new-firmware');
    const c = await connectDevice(t.addresses.mqttUrl, box.id, box.secret);
    clients.push(c);
    expect(c.connected).toBe(true);
  });
});

// Issue 14, item 11: one box must not flood the hub's log. 1,920 bad payloads used to write 1,553
// warning lines. Now each cluster has a few lines a minute; the rest are counted on /metrics, and
// another box's first bad payload is still logged. Real hub, real MQTT.js clients, real HTTP.
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterTopic } from '../../protocol/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { capturingLogger } from '../helpers/hub-cameras.js';
import { startTestHub, waitFor, type TestHub } from '../helpers/hub.js';
import { connectDevice } from '../helpers/mqtt.js';

const clock = new FakeClock(Date.UTC(2026, 11, 7, 10, 0, 0));
const lines: string[] = [];
let t: TestHub;
const clients: MqttClient[] = [];

beforeAll(async () => {
  t = await startTestHub({ clock, logger: capturingLogger(lines) });
});

afterAll(async () => {
  for (const c of clients) c.end(true);
  await t.stop();
});

async function box(id: string): Promise<MqttClient> {
  const c = await t.addCluster(id);
  const client = await connectDevice(t.addresses.mqttUrl, c.id, c.secret);
  clients.push(client);
  return client;
}

type Line = { level: number; msg: string; clusterId?: string; suppressed?: number };
const warnings = (clusterId: string): Line[] => lines.map((l) => JSON.parse(l) as Line).filter((l) => l.level >= 40 && l.clusterId === clusterId);

/** Every kind of bad payload a box can send on its own topics (each one used to be a warning line). */
function badPayloads(id: string, n: number): [string, string][] {
  const kinds: [string, string][] = [
    [clusterTopic(id, 'health'), 'not json {'],
    [clusterTopic(id, 'state'), JSON.stringify({ v: 1, lastSeq: -1 })],
    [clusterTopic(id, 'ack'), JSON.stringify({ v: 1, cmdId: 'x', seq: -4, status: 'exploded' })],
    [clusterTopic(id, 'playlog'), JSON.stringify({ v: 1, entries: [] })],
    [clusterTopic(id, 'timereq'), JSON.stringify({ v: 1, id: '', t0: 'now' })],
    [
      clusterTopic(id, 'playlog'),
      JSON.stringify({ v: 1, entries: [{ broadcastId: 'b-nope', startedAt: 1, endedAt: 2, startOffsetMs: 0, positionMs: 0, outcome: 'finished' }] }),
    ],
  ];
  return Array.from({ length: n }, (_, i) => kinds[i % kinds.length]!);
}

async function metric(name: string): Promise<number> {
  const r = await t.api<string>('GET', '/metrics');
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'm').exec(r.body);
  return m ? Number(m[1]) : 0;
}

describe('a box sending bad payloads without end', () => {
  it('gets a few warning lines a minute; the rest are counted on /metrics', async () => {
    const flood = await box('flood-1');
    const sent = 1920;
    for (const [topic, payload] of badPayloads('flood-1', sent)) flood.publish(topic, payload, { qos: 0 });
    // QoS 1 after the QoS 0 flood: once it is acknowledged, the hub has read the rest before it.
    await flood.publishAsync(clusterTopic('flood-1', 'health'), 'last', { qos: 1 });
    // Health, state and ack are half the kinds, and 'last' one more.
    await waitFor(() => t.hub.devices.rejected >= sent / 2 + 1, { what: 'the flood read', timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 200));
    const said = warnings('flood-1');
    expect(said.length).toBeGreaterThan(0);
    expect(said.length).toBeLessThanOrEqual(10);
    expect(said.length + (await metric('loa_device_log_lines_suppressed_total'))).toBeGreaterThanOrEqual(sent);
    // Every dropped payload is still counted, whichever topic it came on.
    expect(await metric('loa_payloads_rejected_total')).toBeGreaterThanOrEqual((sent / 6) * 5);
  });

  it('does not silence another box: its first bad payload is logged', async () => {
    const other = await box('flood-2');
    await other.publishAsync(clusterTopic('flood-2', 'health'), 'not json {', { qos: 1 });
    await waitFor(() => warnings('flood-2').length === 1, { what: "the other box's warning" });
  });

  it('after a quiet minute the box is heard again, with how many lines were left out', async () => {
    const before = warnings('flood-1').length;
    await clock.advance(61_000);
    const flood = clients[0]!;
    await flood.publishAsync(clusterTopic('flood-1', 'health'), 'not json {', { qos: 1 });
    await waitFor(() => warnings('flood-1').length > before, { what: 'a new warning from the flooding box' });
    const summary = warnings('flood-1')
      .slice(before)
      .find((l) => (l.suppressed ?? 0) > 0);
    expect(summary?.suppressed).toBeGreaterThan(1000);
  });

  it('a box flapping its presence gets a few lines a minute too', async () => {
    const flap = await box('flood-3');
    const before = await metric('loa_device_log_lines_suppressed_total');
    for (let i = 0; i < 400; i++) {
      const status = i % 2 === 0 ? 'online' : 'offline';
      flap.publish(clusterTopic('flood-3', 'presence'), JSON.stringify({ v: 1, status, at: Date.now() }), { qos: 0, retain: true });
    }
    await flap.publishAsync(clusterTopic('flood-3', 'presence'), JSON.stringify({ v: 1, status: 'online', at: Date.now() }), { qos: 1, retain: true });
    await waitFor(async () => (await metric('loa_device_log_lines_suppressed_total')) - before >= 390, { what: 'the flapping counted' });
    const said = lines.map((l) => JSON.parse(l) as Line).filter((l) => l.clusterId === 'flood-3' && /^cluster (online|offline)/.test(l.msg));
    expect(said.length).toBeLessThanOrEqual(10);
  });

  it("a box asking for others' topics again and again gets a few lines a minute too", async () => {
    const nosy = await box('flood-4');
    const before = await metric('loa_device_log_lines_suppressed_total');
    // Refused filters are answered SUBACK 0x80 (MQTT.js rejects the promise); the box stays on.
    for (let i = 0; i < 30; i++) {
      const filters = Array.from({ length: 10 }, (_, j) => clusterTopic(`other-${i}-${j}`, 'cmd'));
      await nosy.subscribeAsync(filters, { qos: 0 }).catch(() => undefined);
    }
    const said = lines.map((l) => JSON.parse(l) as Line).filter((l) => l.clusterId === 'flood-4' && /subscription/.test(l.msg));
    expect(said.length).toBeLessThanOrEqual(10);
    expect((await metric('loa_device_log_lines_suppressed_total')) - before).toBeGreaterThanOrEqual(290);
  });
});

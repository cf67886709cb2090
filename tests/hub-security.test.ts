// The embedded broker's security, checked with MQTT.js and with a client nobody here wrote
// (mosquitto_sub / mosquitto_pub from Debian's mosquitto-clients).
import { runPki } from './helpers/hub-tls.js';
import { spawn } from 'node:child_process';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterTopic } from '../protocol/index.js';
import { externalBroker, startTestHub, waitFor, type TestHub } from './helpers/hub.js';
import { closed, connectDevice } from './helpers/mqtt.js';
import { requireTool } from './helpers/tools.js';

const haveMosquitto = requireTool('mosquitto_sub') && requireTool('mosquitto_pub');

let t: TestHub;
let a: { id: string; secret: string };
let b: { id: string; secret: string };
const clients: MqttClient[] = [];

/** Runs a mosquitto client asynchronously: the hub answers from this same process. */
function mosq(tool: 'mosquitto_sub' | 'mosquitto_pub', args: string[]): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(tool, ['-h', '127.0.0.1', '-p', String(t.addresses.mqttsPort), '--cafile', runPki().caFile, '-V', 'mqttv311', '-d', ...args]);
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill(), 10_000);
    child.on('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

beforeAll(async () => {
  t = await startTestHub({ config: { mqtt: { maxPacketBytes: 8192 } } });
  a = await t.addCluster('ban-a');
  b = await t.addCluster('ban-b');
});

afterAll(async () => {
  for (const c of clients) c.end(true);
  await t.stop();
});

describe('broker authentication', () => {
  it('refuses a wrong secret (MQTT.js)', async () => {
    await expect(connectDevice(t.addresses.mqttUrl, a.id, 'wrong-secret')).rejects.toThrow(/Bad username or password|Not authorized/i);
  });

  it("refuses an unknown cluster, and a client id that is not the username never takes over another box's session", async () => {
    await expect(connectDevice(t.addresses.mqttUrl, 'ban-zz', a.secret)).rejects.toThrow();
    if (!externalBroker) {
      await expect(connectDevice(t.addresses.mqttUrl, a.id, a.secret, { clientId: b.id })).rejects.toThrow();
      return;
    }
    // Mosquitto (use_username_as_clientid) gives the connection a's id instead of refusing it:
    // b, connected, keeps its session.
    const boxB = await connectDevice(t.addresses.mqttUrl, b.id, b.secret);
    clients.push(boxB);
    const posing = await connectDevice(t.addresses.mqttUrl, a.id, a.secret, { clientId: b.id });
    clients.push(posing);
    await new Promise((r) => setTimeout(r, 500));
    expect(boxB.connected).toBe(true);
    boxB.end(true);
    posing.end(true);
  });

  it('accepts the right secret', async () => {
    const c = await connectDevice(t.addresses.mqttUrl, a.id, a.secret);
    clients.push(c);
    expect(c.connected).toBe(true);
    c.end(true);
  });

  it.runIf(haveMosquitto)('refuses a wrong secret (mosquitto_sub)', async () => {
    const r = await mosq('mosquitto_sub', ['-i', a.id, '-u', a.id, '-P', 'nope', '-t', clusterTopic(a.id, 'cmd'), '-C', '1', '-W', '3']);
    expect(r.status).not.toBe(0);
    // (Mosquitto refuses a wrong password with CONNACK 5, "not authorised", where the embedded broker says 4.)
    expect(r.output).toMatch(externalBroker ? /received CONNACK \(5\)/ : /received CONNACK \(4\)/);
    expect(r.output).toMatch(externalBroker ? /not authori[sz]ed/i : /bad user name or password/i);
  });
});

describe('per-topic authorisation', () => {
  /** A command from the hub reaches `to`'s own subscription; another cluster's never does. */
  async function onlyOwnCommandsArrive(c: MqttClient): Promise<void> {
    const got: string[] = [];
    c.on('message', (topic) => got.push(topic));
    await t.hub.broker.publish(clusterTopic(b.id, 'cmd'), '{"v":1,"for":"b"}', { qos: 1, retain: false });
    await t.hub.broker.publish(clusterTopic(a.id, 'cmd'), '{"v":1,"for":"a"}', { qos: 1, retain: false });
    // Delivered in order: once a's own command is in, b's would have been before it.
    await waitFor(() => got.includes(clusterTopic(a.id, 'cmd')), { what: "a's own command" });
    // Nothing of b's; a's own retained plan may come too (Mosquitto grants '#' and sends what a may
    // read, and the hub may have published the plan by the time a subscribes, over TLS).
    expect(got.filter((topic) => topic !== clusterTopic(a.id, 'plan'))).toEqual([clusterTopic(a.id, 'cmd')]);
  }

  it("lets a cluster subscribe to its own commands but not another cluster's (MQTT.js)", async () => {
    const c = await connectDevice(t.addresses.mqttUrl, a.id, a.secret);
    clients.push(c);
    const own = await c.subscribeAsync(clusterTopic(a.id, 'cmd'), { qos: 1 });
    expect(own[0]?.qos).toBe(1);
    const foreign = [clusterTopic(b.id, 'cmd'), 'loa/v1/clusters/+/cmd', '#'];
    if (externalBroker) {
      // Mosquitto's ACL file answers every SUBSCRIBE and withholds the messages instead.
      for (const f of foreign) await c.subscribeAsync(f, { qos: 0 }).catch(() => undefined);
    } else {
      // MQTT.js rejects a SUBACK with return code 128 (failure).
      for (const f of foreign) await expect(c.subscribeAsync(f, { qos: 0 })).rejects.toThrow(/Subscribe error/);
    }
    await onlyOwnCommandsArrive(c);
    c.end(true);
  });

  it.runIf(haveMosquitto)("refuses another cluster's command topic to mosquitto_sub", async () => {
    const run = mosq('mosquitto_sub', ['-i', a.id, '-u', a.id, '-P', a.secret, '-t', clusterTopic(b.id, 'cmd'), '-C', '1', '-W', '3']);
    // A command for b while it listens: it must not get it.
    setTimeout(() => void t.hub.broker.publish(clusterTopic(b.id, 'cmd'), '{"secret-for":"b"}', { qos: 1, retain: false }), 800);
    const r = await run;
    expect(r.output).toMatch(/received CONNACK \(0\)/);
    expect(r.output).not.toContain('secret-for');
    // The embedded broker refuses the subscription itself (Mosquitto's ACL file grants it, delivers nothing).
    if (!externalBroker) {
      expect(r.output).toMatch(/Subscribed \(mid: 1\): 128/);
      expect(r.output).toMatch(/All subscription requests were denied/);
    }
  });

  it('drops what a cluster publishes as another cluster (state, acks): the hub records nothing; the embedded broker also disconnects it', async () => {
    const before = t.hub.devices.reportedState(b.id);
    for (const channel of ['state', 'ack'] as const) {
      const c = await connectDevice(t.addresses.mqttUrl, a.id, a.secret);
      clients.push(c);
      const payload =
        channel === 'state' ? { v: 1, at: Date.now(), playing: null, volume: 5, lastSeq: 0 } : { v: 1, cmdId: 'x', seq: 1, status: 'finished', at: Date.now() };
      c.publish(clusterTopic(b.id, channel), JSON.stringify(payload), { qos: 1 });
      if (externalBroker) {
        // Mosquitto drops a denied publish and keeps the client: a state of a's own, sent after it,
        // reaches the hub, so the forged one would have reached it first.
        const volume = channel === 'state' ? 3 : 4;
        await c.publishAsync(clusterTopic(a.id, 'state'), JSON.stringify({ v: 1, at: Date.now(), playing: null, volume, lastSeq: 0 }), {
          qos: 1,
          retain: true,
        });
        await waitFor(() => t.hub.devices.reportedState(a.id)?.volume === volume, { what: "a's own state" });
        c.end(true);
      } else {
        expect(await closed(c)).toBe(true);
      }
    }
    expect(t.hub.devices.reportedState(b.id)).toEqual(before);
  });

  it.runIf(haveMosquitto)("refuses mosquitto_pub publishing on another cluster's ack topic", async () => {
    const seen: string[] = [];
    await t.hub.broker.subscribe(clusterTopic(b.id, 'ack'), (_topic, payload) => seen.push(payload.toString()));
    const r = await mosq('mosquitto_pub', ['-i', a.id, '-u', a.id, '-P', a.secret, '-q', '1', '-t', clusterTopic(b.id, 'ack'), '-m', '{"v":1}']);
    expect(r.output).toMatch(/received CONNACK \(0\)/);
    // The embedded broker disconnects it before any PUBACK; Mosquitto acknowledges and drops it.
    if (!externalBroker) {
      expect(r.output).not.toMatch(/received PUBACK/);
      expect(r.status).not.toBe(0);
    }
    await new Promise((r2) => setTimeout(r2, 300));
    expect(seen).toEqual([]);
  });

  it('keeps no retained message on a topic that may not be retained', async () => {
    const c = await connectDevice(t.addresses.mqttUrl, a.id, a.secret);
    clients.push(c);
    c.publish(clusterTopic(a.id, 'health'), '{"kept":true}', { qos: 1, retain: true });
    if (!externalBroker) {
      // The embedded broker refuses it and closes the connection.
      expect(await closed(c)).toBe(true);
      return;
    }
    // With Mosquitto the hub clears it (hub/broker/external.ts): a new subscriber gets nothing kept.
    await new Promise((r) => setTimeout(r, 500));
    const kept: string[] = [];
    await t.hub.broker.subscribe(clusterTopic(a.id, 'health'), (_topic, payload) => kept.push(payload.toString()));
    await new Promise((r) => setTimeout(r, 500));
    expect(kept).toEqual([]);
    c.end(true);
  });
});

describe('untrusted payloads', () => {
  it('closes the connection of an oversize packet and keeps serving others', async () => {
    const big = await connectDevice(t.addresses.mqttUrl, a.id, a.secret);
    clients.push(big);
    big.publish(clusterTopic(a.id, 'health'), Buffer.alloc(20_000, 'x'), { qos: 0 });
    expect(await closed(big)).toBe(true);
    const other = await connectDevice(t.addresses.mqttUrl, b.id, b.secret);
    clients.push(other);
    expect(other.connected).toBe(true);
    other.end(true);
  });

  it('drops garbage JSON and invalid payloads, and goes on recording valid ones from others', async () => {
    const rejectedBefore = t.hub.devices.rejected;
    const bad = await connectDevice(t.addresses.mqttUrl, a.id, a.secret);
    const good = await connectDevice(t.addresses.mqttUrl, b.id, b.secret);
    clients.push(bad, good);
    await bad.publishAsync(clusterTopic(a.id, 'health'), 'not json {', { qos: 1 });
    await bad.publishAsync(clusterTopic(a.id, 'ack'), JSON.stringify({ v: 1, cmdId: 'x', seq: -4, status: 'exploded', at: 'now' }), { qos: 1 });
    await bad.publishAsync(clusterTopic(a.id, 'presence'), JSON.stringify({ v: 99, status: 'online' }), { qos: 1 });
    const health = {
      v: 1,
      at: Date.now(),
      uptimeS: 10,
      cpuTempC: 51.5,
      load1: 0.2,
      memFreeMb: 300,
      memTotalMb: 900,
      diskFreeMb: 5000,
      player: 'idle',
      lastError: null,
      agent: 'test/1',
    };
    await good.publishAsync(clusterTopic(b.id, 'health'), JSON.stringify(health), { qos: 1 });
    await waitFor(() => t.hub.store.health.latest(b.id)?.cpuTempC === 51.5, { what: 'health of ban-b' });
    expect(t.hub.devices.rejected - rejectedBefore).toBe(3);
    expect(bad.connected).toBe(true);
    t.hub.store.health.flush();
    expect(t.hub.store.health.count(b.id)).toBe(1);
    expect(t.hub.store.health.count(a.id)).toBe(0);
  });
});

describe('failed logins', () => {
  // Embedded only: with an external broker, the broker (not the hub) refuses, throttles and logs bad logins.
  it.skipIf(externalBroker)('are refused and logged with the address and the failure count', async () => {
    const lines: string[] = [];
    const { Writable } = await import('node:stream');
    const { createLogger } = await import('../common/logger.js');
    const logger = createLogger({
      name: 'test',
      level: 'warn',
      destination: new Writable({
        write(c, _e, cb) {
          lines.push(String(c));
          cb();
        },
      }),
    });
    const h = await startTestHub({ logger });
    try {
      for (let i = 0; i < 5; i++) await connectDevice(h.addresses.mqttUrl, 'ban-x', 'bad').catch(() => undefined);
      const refused = lines.map((l) => JSON.parse(l) as { msg: string; failures?: number; remote?: string }).filter((l) => l.msg === 'cluster login refused');
      // The 1st, 2nd, 4th … of a run: a flood of guesses is not a flood of lines.
      expect(refused.map((l) => l.failures)).toEqual([1, 2, 4]);
      expect(refused[0]?.remote).toBe('127.0.0.1');
    } finally {
      await h.stop();
    }
  });
});

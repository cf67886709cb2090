// How boxes reach the hub: MQTT over TLS beside plain TCP (MQTT.js and mosquitto_sub), a box whose
// link silently dies being marked offline within one keep-alive and coming back by itself, and
// secret rotation and removal ending a real loa-edge's live connection for good.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EdgeProcess } from '../harness/edge-process.js';
import { spawnEdgeWithCa as spawnEdge } from './helpers/edge-process.js';
import { clusterTopic } from '../protocol/index.js';
import { externalBroker, startTestHub, waitFor, type TestHub } from './helpers/hub.js';
import { LinkProxy } from './helpers/hub-link-proxy.js';
import { makeTestPki, type TestPki } from './helpers/hub-tls.js';
import { connectDevice } from './helpers/mqtt.js';
import { makeTempDir } from './helpers/tmp.js';
import { requireTool } from './helpers/tools.js';

const haveOpenssl = requireTool('openssl');
const haveMosquitto = requireTool('mosquitto_sub');
const tmp = makeTempDir('loa-transport-');
const edges: EdgeProcess[] = [];
const clients: MqttClient[] = [];

afterAll(async () => {
  for (const c of clients) c.end(true);
  await Promise.all(edges.map((e) => e.stop()));
  tmp.remove();
});

/** How many times the daemon has logged this message so far. */
function count(edge: EdgeProcess, msg: string): number {
  return edge
    .output()
    .split('\n')
    .filter((l) => l.includes(msg)).length;
}

describe.runIf(haveOpenssl)('MQTT over TLS', () => {
  let t: TestHub;
  let pki: TestPki;
  let a: { id: string; secret: string };
  let tlsUrl = '';

  beforeAll(async () => {
    pki = await makeTestPki(tmp.path);
    // A CA of this test's own, which the run does not trust; plain MQTT on too (mqtt.plain) to see
    // the two listeners apart, and plain HTTP so the helper's fetch needs no CA.
    t = await startTestHub({ config: { tls: { cert: pki.certFile, key: pki.keyFile, ca: pki.caFile }, mqtt: { plain: true }, http: { plain: true } } });
    a = await t.addCluster('ban-tls');
    tlsUrl = `mqtts://127.0.0.1:${t.addresses.mqttsPort}`;
  });

  afterAll(async () => {
    await t.stop();
  });

  it('listens on its own free port when asked for port 0', () => {
    expect(t.addresses.mqttsPort).toBeGreaterThan(0);
    expect(t.addresses.mqttsPort).not.toBe(t.addresses.mqttPort);
  });

  it('a box trusting the CA connects with its credentials, subscribes to its commands and receives one', async () => {
    const c = await connectDevice(tlsUrl, a.id, a.secret, { ca: readFileSync(pki.caFile) });
    clients.push(c);
    const tls = c.stream as TLSSocket;
    expect(tls.encrypted).toBe(true);
    expect(tls.authorized).toBe(true);
    expect(tls.getPeerCertificate().subject.CN).toBe('localhost');
    // aedes marks a client connected just after writing its CONNACK.
    // (External broker: the hub knows a box by its presence, which this bare client never publishes.)
    if (!externalBroker) await waitFor(() => t.hub.broker.isConnected(a.id), { what: 'broker sees the TLS client' });
    const granted = await c.subscribeAsync(clusterTopic(a.id, 'cmd'), { qos: 1 });
    expect(granted[0]?.qos).toBe(1);
    const got = new Promise<string>((resolve) => c.once('message', (_topic, payload) => resolve(payload.toString())));
    await t.hub.broker.publish(clusterTopic(a.id, 'cmd'), '{"hello":"over tls"}', { qos: 1, retain: false });
    expect(await got).toBe('{"hello":"over tls"}');
    c.end(true);
  });

  it('a client that does not trust the CA is refused in the TLS handshake, before MQTT', async () => {
    // No `ca`: Node's default roots, which do not include this self-signed CA.
    const err = await connectDevice(tlsUrl, a.id, a.secret).then(
      (c) => {
        c.end(true);
        return null;
      },
      (e: NodeJS.ErrnoException) => e,
    );
    // The hub sends its leaf certificate only; the client finds no trusted issuer for it.
    expect(err?.code).toMatch(/^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)$/);
    expect(t.hub.broker.isConnected(a.id)).toBe(false);
  });

  it('refuses a wrong secret over TLS with CONNACK 4', async () => {
    // (Mosquitto answers a wrong password with CONNACK 5, "not authorised".)
    await expect(connectDevice(tlsUrl, a.id, 'not-the-secret', { ca: readFileSync(pki.caFile) })).rejects.toThrow(
      externalBroker ? /Not authorized/i : /Bad username or password/i,
    );
    expect(t.hub.broker.isConnected(a.id)).toBe(false);
  });

  it('plain TCP works on the other port when mqtt.plain is on', async () => {
    const c = await connectDevice(`mqtt://127.0.0.1:${t.addresses.mqttPort}`, a.id, a.secret);
    clients.push(c);
    expect((c.stream as Partial<TLSSocket>).encrypted).toBeFalsy();
    // (External broker: the hub knows a box by its presence, which this bare client never publishes.)
    if (!externalBroker) await waitFor(() => t.hub.broker.isConnected(a.id), { what: 'broker sees the TCP client' });
    c.end(true);
    await waitFor(() => !t.hub.broker.isConnected(a.id), { what: 'plain client gone' });
  });

  it.runIf(haveMosquitto)('mosquitto_sub with --cafile connects over TLS and reads a retained message on its own topic', async () => {
    const topic = clusterTopic(a.id, 'cmd');
    await t.hub.broker.publish(topic, 'retained-over-tls', { qos: 1, retain: true });
    // Asynchronous: the broker answering it runs in this process.
    const r = await new Promise<{ status: number | null; output: string }>((resolve) => {
      const args = [
        '-h',
        '127.0.0.1',
        '-p',
        String(t.addresses.mqttsPort),
        '--cafile',
        pki.caFile,
        '-V',
        'mqttv311',
        '-d',
        '-i',
        a.id,
        '-u',
        a.id,
        '-P',
        a.secret,
        '-t',
        topic,
        '-q',
        '1',
        '-C',
        '1',
        '-W',
        '5',
      ];
      const child = spawn('mosquitto_sub', args);
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      child.on('exit', (status) => resolve({ status, output }));
    });
    await t.hub.broker.publish(topic, '', { qos: 1, retain: true });
    expect(r.output).toMatch(/received CONNACK \(0\)/);
    expect(r.output).toContain('retained-over-tls');
    expect(r.status, r.output).toBe(0);
  });
});

describe('a box whose link silently dies', () => {
  let t: TestHub;
  let proxy: LinkProxy;

  beforeAll(async () => {
    t = await startTestHub();
    proxy = new LinkProxy({ host: '127.0.0.1', port: t.addresses.mqttsPort! });
    await proxy.start();
  });

  afterAll(async () => {
    await proxy.stop();
    await t.stop();
  });

  it('is marked offline within one keep-alive and comes back online by itself', async () => {
    const keepaliveSec = 2;
    const { id, secret } = await t.addCluster('ban-4g');
    const edge = spawnEdge({
      hubKeys: t.hub.hubKeys(),
      clusterId: id,
      secret,
      mqttUrl: `mqtts://127.0.0.1:${proxy.port}`,
      httpUrl: t.addresses.httpUrl,
      dir: join(tmp.path, id),
      keepaliveSec,
      reconnect: { minMs: 200, maxMs: 1000 },
      logLevel: 'info',
    });
    edges.push(edge);
    const why = (e: Error): never => {
      throw new Error(`${e.message}\n${edge.output().slice(-3000)}`);
    };
    await waitFor(() => t.hub.store.clusters.get(id)?.online, { what: 'box online', timeoutMs: 10_000 }).catch(why);
    const seen: { online: boolean; reason: string | null; t: number }[] = [];
    t.hub.bus.on(seen, 'presenceChanged', (e) => e.clusterId === id && seen.push({ online: e.online, reason: e.reason, t: Date.now() }));

    // Control: with the link up, pings keep the box online past 1.5× its keep-alive.
    await new Promise((r) => setTimeout(r, 1.75 * keepaliveSec * 1000));
    expect(seen).toEqual([]);

    const frozeAt = Date.now();
    proxy.freeze();
    const off = await waitFor(() => seen.find((e) => !e.online), { what: 'hub marking the box offline', timeoutMs: 10_000 }).catch(why);
    // aedes gives up 1.5 × keep-alive after the last packet; a ping was due at most one keep-alive ago.
    // (Mosquitto counts keep-alive in whole seconds and gives up only after more than 1.5 × of them: ≤ 2 s later.)
    expect(off.t - frozeAt).toBeLessThan(externalBroker ? 8000 : 6000);
    expect(t.hub.store.clusters.get(id)?.online).toBe(false);
    expect(t.hub.store.clusters.presenceEvents(id, 1)[0]).toMatchObject({ online: false, reason: off.reason });
    expect(off.reason).toBe('lost');
    expect(t.hub.broker.isConnected(id)).toBe(false);

    const thawedAt = Date.now();
    proxy.thaw();
    const on = await waitFor(() => seen.find((e) => e.online && e.t >= thawedAt), { what: 'box back online', timeoutMs: 8000 }).catch(why);
    expect(on.reason).toBe('presence');
    expect(t.hub.store.clusters.get(id)?.online).toBe(true);
    expect(edge.child.exitCode).toBeNull();
    t.hub.bus.removeListeners(seen);
    // (30 s: the daemon's start-up and reconnect under a loaded CI machine; the bounds above are the test.)
  }, 30_000);
});

describe('secret rotation and removal end the live connection', () => {
  let t: TestHub;

  beforeAll(async () => {
    t = await startTestHub();
  });

  afterAll(async () => {
    await t.stop();
  });

  async function connectedEdge(id: string, secret: string, dirName = id): Promise<EdgeProcess> {
    const edge = spawnEdge({
      hubKeys: t.hub.hubKeys(),
      clusterId: id,
      secret,
      mqttUrl: t.addresses.mqttUrl,
      httpUrl: t.addresses.httpUrl,
      dir: join(tmp.path, dirName),
      reconnect: { minMs: 200, maxMs: 800 },
      logLevel: 'info',
    });
    edges.push(edge);
    await waitFor(() => t.hub.store.clusters.get(id)?.online, { what: `${id} online`, timeoutMs: 10_000 }).catch((e: Error) => {
      throw new Error(`${e.message}\n${edge.output().slice(-3000)}`);
    });
    return edge;
  }

  /**
   * The retained message a fresh subscriber would get on this topic. Read from aedes's store:
   * Broker.subscribe() sits below retained delivery, and no cluster may subscribe to presence.
   */
  async function retained(topic: string): Promise<string[]> {
    // External broker: a real fresh subscriber, logged in as the hub's user on Mosquitto's inspection listener.
    if (t.mosquitto) return freshSubscriber(t.mosquitto.inspectUrl, t.hub.config.broker.password!, topic);
    const { aedes } = t.hub.broker as unknown as { aedes: { persistence: { createRetainedStream(p: string): AsyncIterable<{ payload: Buffer }> } } };
    const got: string[] = [];
    for await (const packet of aedes.persistence.createRetainedStream(topic)) got.push(packet.payload.toString());
    return got.filter((p) => p.length > 0);
  }

  it('rotating the secret disconnects the box and its old secret no longer gets in', async () => {
    const { id, secret } = await t.addCluster('ban-rot');
    const edge = await connectedEdge(id, secret);
    const refusedBefore = count(edge, 'the hub refused the connection');
    const r = await t.api<{ secret: string }>('POST', `/api/v1/clusters/${id}/rotate-secret`);
    expect(r.status).toBe(200);
    expect(r.body.secret).not.toBe(secret);
    await waitFor(() => !t.hub.broker.isConnected(id) && !t.hub.store.clusters.get(id)?.online, { what: 'box disconnected' });
    // The daemon keeps trying with the old secret and is refused each time (at least twice).
    await waitFor(() => count(edge, 'the hub refused the connection') >= refusedBefore + 2, { what: 'refused reconnects', timeoutMs: 8000 }).catch(
      (e: Error) => {
        throw new Error(`${e.message}\n${edge.output().slice(-3000)}`);
      },
    );
    expect(t.hub.broker.isConnected(id)).toBe(false);
    expect(t.hub.store.clusters.get(id)?.online).toBe(false);
    expect(edge.child.exitCode).toBeNull();
    // Control: the same box with the new secret gets in.
    await edge.stop();
    await connectedEdge(id, r.body.secret, `${id}-new`);
  }, 20_000);

  it('removing a cluster disconnects its box and clears its retained presence', async () => {
    const { id, secret } = await t.addCluster('ban-del');
    const other = await t.addCluster('ban-stays');
    const edge = await connectedEdge(id, secret);
    await connectedEdge(other.id, other.secret);
    const presence = clusterTopic(id, 'presence');
    // Control: while it exists, a fresh subscriber sees its retained "online".
    expect((await retained(presence)).map((p) => JSON.parse(p) as { status: string })).toMatchObject([{ status: 'online' }]);

    const refusedBefore = count(edge, 'the hub refused the connection');
    const r = await t.api('DELETE', `/api/v1/clusters/${id}`);
    expect(r.status).toBe(200);
    await waitFor(() => !t.hub.broker.isConnected(id), { what: 'box disconnected' });
    await waitFor(() => count(edge, 'the hub refused the connection') > refusedBefore, { what: 'refused reconnect', timeoutMs: 8000 });
    expect(t.hub.store.clusters.get(id)).toBeUndefined();
    expect(await retained(presence)).toEqual([]);
    expect(await retained(clusterTopic(id, 'state'))).toEqual([]);
    // The other cluster is untouched.
    expect(t.hub.broker.isConnected(other.id)).toBe(true);
    expect(t.hub.store.clusters.get(other.id)?.online).toBe(true);
  }, 20_000);
});

/** The retained messages a new subscriber to this topic gets (non-empty ones), read for a moment. */
async function freshSubscriber(url: string, password: string, topic: string): Promise<string[]> {
  const c = await mqtt.connectAsync(url, { username: 'loa-hub', password, clientId: `inspect-${process.pid}-${Date.now()}`, reconnectPeriod: 0 });
  const got: string[] = [];
  c.on('message', (_t, payload, packet) => packet.retain && got.push(payload.toString()));
  await c.subscribeAsync(topic, { qos: 1 });
  await new Promise((r) => setTimeout(r, 300));
  await c.endAsync();
  return got.filter((p) => p.length > 0);
}

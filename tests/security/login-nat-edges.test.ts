// Issue 14, item 5, as seen in the demo: after `loa clusters rotate-secret`, a box still using its
// old secret kept failing from the same address as the others, and a real daemon that restarted
// beside it stayed offline (the delay reached 30 s; loa-edge gives up after 15 s). Real hub with
// the production delays, real loa-edge child processes, all from 127.0.0.1 as behind one NAT.
import mqtt, { type MqttClient } from 'mqtt';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnEdge, type EdgeProcess } from '../helpers/edge-process.js';
import { externalBroker, startTestHub, waitFor, type TestHub } from '../helpers/hub.js';
import { makeTempDir } from '../helpers/tmp.js';

const tmp = makeTempDir('loa-sec-nat-');
let t: TestHub;
const edges: EdgeProcess[] = [];
const clients: MqttClient[] = [];

beforeAll(async () => {
  t = await startTestHub({ config: { mqtt: { auth: { failureDelayMs: 500, failureDelayMaxMs: 10_000 } } } as never });
});

afterAll(async () => {
  for (const c of clients) c.end(true);
  await Promise.all(edges.map((e) => e.stop()));
  await t?.stop();
  tmp.remove();
});

function box(id: string, secret: string, dir = id): EdgeProcess {
  const e = spawnEdge({ dir: join(tmp.path, dir), clusterId: id, secret, mqttUrl: t.addresses.mqttUrl, httpUrl: t.addresses.httpUrl });
  edges.push(e);
  return e;
}

const online = (id: string) => () => t.hub.store.clusters.get(id)?.online === true;

/** From the daemon's first "connecting" to its "connected", by its own log (not its start-up). */
function loginMs(e: EdgeProcess): number {
  const at = (msg: string) => Number(e.logs().find((l) => l.msg === msg)?.time ?? NaN);
  return at('connected to the hub') - at('connecting to the hub');
}

describe.skipIf(externalBroker)('boxes behind one address while one of them has an old secret', () => {
  it('a restarted box with the right secret is back online within seconds', async () => {
    const a = await t.addCluster('nat-edge-a');
    const b = await t.addCluster('nat-edge-b');
    box(a.id, a.secret);
    const boxB = box(b.id, b.secret);
    await waitFor(online(a.id), { what: 'box A online', timeoutMs: 20_000 });
    await waitFor(online(b.id), { what: 'box B online', timeoutMs: 20_000 });

    // The operator rotates A's secret; A keeps retrying its old one, and other boxes with stale
    // secrets behind the same router fail too.
    const rotated = await t.api<{ secret: string }>('POST', `/api/v1/clusters/${a.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    for (let i = 0; i < 8; i++) {
      clients.push(
        mqtt.connect(t.addresses.mqttUrl, {
          protocolVersion: 4,
          clientId: a.id,
          username: a.id,
          password: a.secret,
          reconnectPeriod: 0,
          connectTimeout: 30_000,
        }),
      );
    }
    await new Promise((r) => setTimeout(r, 1500));

    await boxB.stop();
    await waitFor(() => !online(b.id)(), { what: 'box B offline' });
    const boxB2 = box(b.id, b.secret, 'nat-edge-b-2');
    await waitFor(online(b.id), { what: 'box B back online', timeoutMs: 20_000 });
    expect(loginMs(boxB2)).toBeLessThan(3000);

    // A, given its new secret, is back too.
    await edges[0]!.stop();
    const boxA2 = box(a.id, rotated.body.secret, 'nat-edge-a-2');
    await waitFor(online(a.id), { what: 'box A back with its new secret', timeoutMs: 20_000 });
    expect(loginMs(boxA2)).toBeLessThan(3000);
  }, 60_000);
});

// loa-sim connection life: clean goodbye on stop (offline presence, no last will), reconnection
// by itself after a broker restart, after a refused login once the secret is right, and the
// last will when a cluster's link dies.
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import { createFleet, type FleetOptions } from '../firmware-sim/index.js';
import { presenceSchema } from '../protocol/index.js';
import { startTestBroker } from './helpers/sim-broker.js';
import { retained, TestHub } from './helpers/sim-hub.js';
import { TEST_HUB_KEY } from './helpers/signing.js';

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);
const secretOf = (id: string) => `s3cret-${id}`;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(clusterIds: string[], opts: { brokerSecrets?: Map<string, string>; fleet?: Partial<FleetOptions> } = {}) {
  const brokerSecrets = opts.brokerSecrets ?? new Map(clusterIds.map((id) => [id, secretOf(id)]));
  const broker = await startTestBroker(brokerSecrets);
  cleanups.push(() => broker.stop());
  const hub = await TestHub.connect(broker.url);
  cleanups.push(() => hub.close());
  const fleet = createFleet({
    mqttUrl: broker.url,
    hubKeys: [TEST_HUB_KEY],
    clusters: clusterIds.map((id) => ({ id, secret: secretOf(id) })),
    logger: silentLogger(),
    connectRatePerSec: 0,
    healthIntervalMs: 60_000,
    keepaliveS: 5,
    backoff: { minMs: 50, maxMs: 400 },
    ...opts.fleet,
  });
  cleanups.push(() => fleet.stop());
  return { broker, hub, fleet };
}

const lastPresence = (hub: TestHub, id: string) => {
  const m = hub.of(id, 'presence').at(-1);
  return m ? presenceSchema.parse(m.body) : undefined;
};

describe('loa-sim connections', () => {
  it('stop publishes a clean offline presence for every cluster (not the last will)', async () => {
    const clusterIds = ids('bye', 10);
    const { broker, hub, fleet } = await setup(clusterIds);
    await fleet.start();
    await fleet.waitForConnected(10, 5_000);
    await hub.waitUntil(() => clusterIds.every((id) => lastPresence(hub, id)?.status === 'online'), 3_000, 'online');

    await fleet.stop();
    expect(fleet.counters.connected).toBe(0);
    await hub.waitUntil(() => clusterIds.every((id) => lastPresence(hub, id)?.status === 'offline'), 3_000, 'offline');
    const kept = await retained(broker.url, 'presence', 10);
    for (const id of clusterIds) {
      expect(kept.get(id)).toMatchObject({ status: 'offline', reason: 'shutdown' });
      // Had the will fired, a second offline message with reason "lost" would follow.
      expect(hub.of(id, 'presence').filter((m) => m.body.reason === 'lost')).toEqual([]);
    }
  });

  it('the last will reports a cluster whose link died as offline/lost', async () => {
    const { hub, fleet } = await setup(ids('will', 1));
    await fleet.start();
    await fleet.waitForConnected(1, 5_000);
    await hub.waitUntil(() => lastPresence(hub, 'will-1')?.status === 'online', 3_000, 'online');
    // Cut the socket without a DISCONNECT, as a 4G drop would.
    fleet.cluster('will-1')!.simulateLinkLoss();
    await hub.waitUntil(() => hub.of('will-1', 'presence').some((m) => m.body.reason === 'lost'), 3_000, 'last will');
    expect(presenceSchema.parse(hub.of('will-1', 'presence').find((m) => m.body.reason === 'lost')!.body)).toMatchObject({ status: 'offline' });
    // ...and it comes back by itself.
    await hub.waitUntil(() => lastPresence(hub, 'will-1')?.status === 'online', 3_000, 'online again');
  });

  it('reconnects every cluster by itself after the broker restarts on the same port', async () => {
    const clusterIds = ids('rst', 10);
    const { broker, hub, fleet } = await setup(clusterIds);
    await fleet.start();
    await fleet.waitForConnected(10, 5_000);
    const port = broker.port;
    const disconnects: string[] = [];
    fleet.events.on('disconnected', (e) => disconnects.push(e.clusterId));

    await broker.restart(300);
    expect(broker.port).toBe(port);
    expect(new Set(disconnects)).toEqual(new Set(clusterIds));
    await fleet.waitForConnected(10, 5_000);
    expect(fleet.counters.connects).toBe(20);
    // The new broker started empty; the clusters announced themselves again.
    const kept = await retained(broker.url, 'presence', 10);
    for (const id of clusterIds) expect(kept.get(id)).toMatchObject({ status: 'online' });
    // And they still take commands.
    await hub.waitUntil(() => hub.client.connected || undefined, 3_000, 'hub reconnected');
    const cmd = hub.command('rst-3', { type: 'volume', volume: 20 });
    await hub.send('rst-3', cmd);
    await hub.waitUntil(() => hub.of('rst-3', 'ack').some((m) => m.body.cmdId === cmd.id && m.body.status === 'finished'), 3_000, 'ack after restart');
  });

  it('ramps connections up at the connect rate instead of all at once', async () => {
    const clusterIds = ids('slowstart', 5);
    const { fleet } = await setup(clusterIds, { fleet: { connectRatePerSec: 10 } });
    const times: number[] = [];
    fleet.events.on('connected', (e) => times.push(e.at));
    const t0 = Date.now();
    await fleet.start();
    // Ten a second: the fifth is started 400 ms after the first.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(390);
    await fleet.waitForConnected(5, 3_000);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(350);
  });

  it('stops promptly while the broker is down and while clusters are still ramping up', async () => {
    const { broker, fleet } = await setup(ids('down', 3));
    await fleet.start();
    await fleet.waitForConnected(3, 5_000);
    await broker.stop();
    await new Promise((r) => setTimeout(r, 100));
    let t = Date.now();
    await fleet.stop();
    expect(Date.now() - t).toBeLessThan(1_000);

    const ramping = createFleet({
      mqttUrl: 'mqtt://127.0.0.1:9', // nothing listens there
      hubKeys: [TEST_HUB_KEY],
      clusters: ids('ramp', 5).map((id) => ({ id, secret: 'x' })),
      logger: silentLogger(),
      connectRatePerSec: 2,
    });
    const started = ramping.start();
    await new Promise((r) => setTimeout(r, 100));
    t = Date.now();
    await ramping.stop();
    await started;
    expect(Date.now() - t).toBeLessThan(1_000);
  });

  it('spreads even the first retry over [minMs, 2·minMs], as loa-edge does: a fleet refused at once does not all retry minMs later', async () => {
    // Randomness near 1: the first retry comes near 2·minMs (600 ms), not at minMs (300 ms).
    const { broker, fleet } = await setup(['first-1'], {
      brokerSecrets: new Map([['first-1', 'not-the-right-one']]),
      fleet: { random: () => 0.99, backoff: { minMs: 300, maxMs: 10_000 } },
    });
    await fleet.start();
    await new Promise((r) => setTimeout(r, 450));
    expect(broker.refusals.length).toBe(1);
    await new Promise((r) => setTimeout(r, 400));
    expect(broker.refusals.length).toBe(2);
  });

  it('keeps retrying after a refused login and connects once its secret is accepted', async () => {
    // With randomness fixed at 0.5 the waits are 75, 125, 225, 225 ms: a backoff, not a tight loop.
    const { broker, fleet } = await setup(['late-1'], { brokerSecrets: new Map([['late-1', 'not-the-right-one']]), fleet: { random: () => 0.5 } });
    await fleet.start();
    await new Promise((r) => setTimeout(r, 600));
    expect(fleet.counters.connects).toBe(0);
    expect(broker.refusals.length).toBeGreaterThanOrEqual(4);
    expect(broker.refusals.length).toBeLessThanOrEqual(6);
    broker.credentials.set('late-1', secretOf('late-1'));
    await fleet.waitForConnected(1, 3_000);
  });
});

// Issue 14, item 3 for the simulator: loa-sim's clusters check the hub's signature as loa-edge does
// (so the fanout benchmark measures production settings). The real hub's broker delivers forged
// commands straight onto a cluster's topic, as a rogue broker would, past the hub's signing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.js';
import { createFleet, type AckEvent, type Fleet } from '../../firmware-sim/index.js';
import { clusterTopic } from '../../protocol/index.js';
import { cmd } from '../helpers/daemon-fixtures.js';
import { startTestHub, waitFor, type TestHub } from '../helpers/hub.js';

const ID = 'sim-forged';
let t: TestHub;
let fleet: Fleet;
const acks: AckEvent[] = [];

beforeAll(async () => {
  t = await startTestHub();
  const { secret } = await t.addCluster(ID);
  fleet = createFleet({
    mqttUrl: t.addresses.mqttUrl,
    hubKeys: t.hub.hubKeys(),
    clusters: [{ id: ID, secret }],
    logger: silentLogger(),
    healthIntervalMs: 60_000,
  });
  fleet.events.on('ack', (e) => acks.push(e));
  await fleet.start();
  await fleet.waitForConnected(1, 10_000);
  await waitFor(() => t.hub.store.clusters.get(ID)?.online, { what: 'the cluster online' });
});

afterAll(async () => {
  await fleet?.stop();
  await t?.stop();
});

describe('loa-sim obeys only commands the hub signed', () => {
  it("refuses a forged volume with seq 2^53-1 and still takes the hub's next command", async () => {
    const forged = cmd.volume(Number.MAX_SAFE_INTEGER, 1);
    await t.hub.broker.publish(clusterTopic(ID, 'cmd'), JSON.stringify(forged), { qos: 1, retain: false });
    const refused = await waitFor(() => acks.find((a) => a.ack.cmdId === forged.id), { what: 'the refusal' });
    expect(refused.ack).toMatchObject({ status: 'refused', reason: 'unsigned' });
    expect(fleet.clusters[0]!.gate.highestSeq).toBeLessThan(Number.MAX_SAFE_INTEGER);

    const res = await t.api<{ commandId: string }>('POST', `/api/v1/clusters/${ID}/volume`, { volume: 35 });
    expect(res.status).toBe(200);
    const done = await waitFor(() => acks.find((a) => a.ack.cmdId === res.body.commandId && a.ack.status === 'finished'), { what: "the hub's volume done" });
    expect(done.ack.reason).toBeUndefined();
    expect(fleet.counters.acks.refused).toBe(1);
  });
});

// The broker's retained-message index (hub/broker/retained-index.ts): exact filters are answered from
// it, wildcard filters from aedes' own scan, with the same messages either way; and through a real
// embedded broker a box that subscribes to its own topics gets what is retained there.
import { describe, expect, it } from 'vitest';
import type { Readable } from 'node:stream';
import { indexedMemoryPersistence } from '../hub/broker/retained-index.js';
import { clusterTopic } from '../protocol/index.js';
import { startTestHub, waitFor } from './helpers/hub.js';
import { connectDevice } from './helpers/mqtt.js';

interface Store {
  storeRetained(p: { topic: string; payload: Buffer; retain: boolean; qos: number; cmd: string }): Promise<void>;
  createRetainedStreamCombi(patterns: string[]): Readable;
}

const topicsOf = async (r: Readable): Promise<string[]> => {
  const out: string[] = [];
  for await (const p of r) out.push((p as { topic: string }).topic);
  return out.sort();
};

describe('retained index', () => {
  it('answers exact filters like the scan does, clears on an empty payload, and leaves wildcards to the scan', async () => {
    const store = (indexedMemoryPersistence() as unknown as { asyncPersistence: Store }).asyncPersistence;
    const put = (topic: string, payload: string) => store.storeRetained({ cmd: 'publish', topic, payload: Buffer.from(payload), retain: true, qos: 1 });
    for (let i = 0; i < 50; i++) {
      await put(`loa/v1/clusters/c${i}/presence`, '{"status":"online"}');
      await put(`loa/v1/clusters/c${i}/plan`, '{}');
    }
    await put('loa/v1/clusters/c7/plan', ''); // cleared
    expect(await topicsOf(store.createRetainedStreamCombi(['loa/v1/clusters/c3/presence', 'loa/v1/clusters/c3/plan', 'loa/v1/clusters/c3/cmd']))).toEqual([
      'loa/v1/clusters/c3/plan',
      'loa/v1/clusters/c3/presence',
    ]);
    expect(await topicsOf(store.createRetainedStreamCombi(['loa/v1/clusters/c7/plan']))).toEqual([]);
    // A wildcard goes to aedes' scan, which sees the same store.
    const all = await topicsOf(store.createRetainedStreamCombi(['loa/v1/clusters/+/plan']));
    expect(all).toHaveLength(49);
    expect(all).not.toContain('loa/v1/clusters/c7/plan');
  });

  it('a box gets what is retained on its own topic from the real broker when it subscribes', async () => {
    const t = await startTestHub();
    try {
      const a = await t.addCluster('ban-ret');
      await t.hub.broker.publish(clusterTopic(a.id, 'time'), '{"v":1,"kept":true}', { qos: 1, retain: true });
      const c = await connectDevice(t.addresses.mqttUrl, a.id, a.secret);
      const got: string[] = [];
      c.on('message', (_topic, payload) => got.push(payload.toString()));
      await c.subscribeAsync(clusterTopic(a.id, 'time'), { qos: 1 });
      await waitFor(() => got.some((g) => g.includes('"kept":true')), { what: 'retained message' });
      c.end(true);
    } finally {
      await t.stop();
    }
  });
});

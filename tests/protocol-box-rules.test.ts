// docs/protocol.md's rules for a box, held against a real `loa-edge` child process on a real broker
// (the watcher plays the hub): the connect order (timereq, then presence, then state) and the
// refusal rule for a command that cannot be read (`id` readable, `seq` 0 when it is not).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterTopic } from '../protocol/index.js';
import { cmd, useDaemonRig } from './helpers/daemon-fixtures.js';
import { spawnEdge, type EdgeProcess } from './helpers/edge-process.js';

const edges: EdgeProcess[] = [];
const rig = useDaemonRig('loa-proto-rules-', { afterEachTest: async () => void (await Promise.all(edges.splice(0).map((e) => e.stop()))) });

async function box(clusterId: string): Promise<EdgeProcess> {
  const e = spawnEdge({ clusterId, secret: 'sesame', mqttUrl: rig.broker.url, httpUrl: rig.media.url, dir: join(rig.tmp.path, clusterId) });
  edges.push(e);
  await rig.watcher.waitFor(`${clusterId} state`, () => rig.watcher.of(clusterId, 'state').length > 0, 20_000);
  return e;
}

describe('a box, as docs/protocol.md says', () => {
  it('connects in the documented order: a clock request, then presence online, then state', async () => {
    await box('order-1');
    const seen = rig.watcher.seen.filter((s) => s.clusterId === 'order-1').map((s) => s.channel);
    const first = (c: string) => seen.indexOf(c as never);
    expect(first('timereq')).toBeGreaterThanOrEqual(0);
    expect(first('timereq')).toBeLessThan(first('presence'));
    expect(first('presence')).toBeLessThan(first('state'));
    expect(rig.watcher.of('order-1', 'presence')[0]).toMatchObject({ status: 'online' });
  });

  it('refuses what it cannot read with the readable id and seq 0, drops what has no readable id', async () => {
    const id = 'refuse-1';
    await box(id);
    const topic = clusterTopic(id, 'cmd');
    // Signed, but invalid, with a seq that is not a number: refused, seq 0.
    await rig.watcher.send(id, JSON.stringify({ v: 1, id: 'bad-seq', seq: 'seven', type: 'play' }));
    // Signed, invalid, a negative seq: not valid in an ack either, so 0.
    await rig.watcher.send(id, JSON.stringify({ v: 1, id: 'neg-seq', seq: -4, type: 'volume' }));
    // No readable id (a space is not allowed), not an object: dropped without an answer.
    await rig.watcher.send(id, JSON.stringify({ v: 1, id: 'bad id', seq: 3, type: 'play' }));
    await rig.watcher.send(id, JSON.stringify([{ v: 1, id: 'in-array', seq: 3 }]));
    // Not signed at all: refused `unsigned`, with the seq as read.
    await rig.watcher.client.publishAsync(topic, JSON.stringify({ ...cmd.volume(9, 10), id: 'forged-1' }), { qos: 1 });
    // The refusals took no seq: a command with seq 1 is still accepted, after them (one at a time).
    const ok = cmd.volume(1, 40);
    await rig.watcher.send(id, ok);
    await rig.watcher.waitAck(id, ok.id, 'finished', 20_000);

    const acks = rig.watcher.acks(id);
    expect(acks.find((a) => a.cmdId === 'bad-seq')).toMatchObject({ status: 'refused', reason: 'invalid', seq: 0 });
    expect(acks.find((a) => a.cmdId === 'neg-seq')).toMatchObject({ status: 'refused', reason: 'invalid', seq: 0 });
    expect(acks.find((a) => a.cmdId === 'forged-1')).toMatchObject({ status: 'refused', reason: 'unsigned', seq: 9 });
    expect(acks.find((a) => a.cmdId === ok.id && a.status === 'accepted')).toMatchObject({ seq: 1 });
    expect(acks.map((a) => a.cmdId)).toEqual(['bad-seq', 'neg-seq', 'forged-1', ok.id, ok.id]);
  });
});

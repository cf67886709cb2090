// Issue 14, item 3: a box obeys only what the hub signed, even through a rogue broker. The rogue
// broker is a bare aedes that lets anyone publish; a hostile MQTT.js client on it forges, replays
// and alters commands for real `loa-edge` child processes. The harness's Watcher signs as the hub
// does (protocol/signature.ts, with the test hub key the boxes trust).
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { connect, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clusterTopic, signPayload, type Ack } from '../../protocol/index.js';
import { cmd, startBroker, Watcher, type TestBroker } from '../helpers/daemon-fixtures.js';
import { spawnEdge, type EdgeProcess } from '../helpers/edge-process.js';
import { signedAsHub } from '../helpers/signing.js';
import { makeTempDir } from '../helpers/tmp.js';

const SECRET = 'sesame';
const MAX_SEQ = Number.MAX_SAFE_INTEGER; // 2^53 - 1

const tmp = makeTempDir('loa-sec-forged-');
let broker: TestBroker;
let watcher: Watcher;
let hostile: MqttClient;
/** Every command payload the hostile client saw on the rogue broker, as raw text. */
const overheard: { topic: string; text: string }[] = [];
const edges: EdgeProcess[] = [];

async function startBox(id: string, o: { insecureAcceptUnsigned?: boolean } = {}): Promise<EdgeProcess> {
  const before = watcher.of(id, 'presence').length;
  const edge = spawnEdge({
    dir: join(tmp.path, id),
    clusterId: id,
    secret: SECRET,
    mqttUrl: broker.url,
    httpUrl: 'http://127.0.0.1:9',
    ...(o.insecureAcceptUnsigned ? { hubKeys: [], insecureAcceptUnsigned: true } : {}),
  });
  edges.push(edge);
  await watcher.waitFor(
    `${id} online`,
    () =>
      watcher
        .of(id, 'presence')
        .slice(before)
        .some((p) => p.status === 'online'),
    15_000,
  );
  return edge;
}

/** The box's latest retained state: its volume and the highest sequence it took. */
const state = (id: string) => watcher.of(id, 'state').at(-1) as { volume: number; lastSeq: number } | undefined;

/** The box's refusal of a command (a refused command gets no other ack). */
const refusal = (id: string, cmdId: string): Promise<Ack> =>
  watcher.waitFor(`a refusal of ${cmdId}`, () => watcher.acks(id).find((a) => a.cmdId === cmdId && a.status === 'refused'));

async function forge(id: string, payload: string): Promise<void> {
  await hostile.publishAsync(clusterTopic(id, 'cmd'), payload, { qos: 1 });
}

beforeAll(async () => {
  broker = await startBroker();
  watcher = await Watcher.connect(broker.url);
  hostile = connect(broker.url, { clientId: 'rogue', reconnectPeriod: 0 });
  await new Promise<void>((resolve, reject) => hostile.once('connect', () => resolve()).once('error', reject));
  hostile.on('message', (topic, payload) => overheard.push({ topic, text: payload.toString() }));
  await hostile.subscribeAsync('loa/v1/clusters/+/cmd', { qos: 1 });
});

afterEach(async () => {
  await Promise.all(edges.splice(0).map((e) => e.stop('SIGKILL')));
});

afterAll(async () => {
  await hostile?.endAsync(true);
  await watcher?.close();
  await broker?.close();
  tmp.remove();
});

describe('loa-edge obeys only commands the hub signed (issue 14, item 3)', () => {
  it('the attack: a box that takes unsigned commands applies a forged volume, and a forged seq 2^53-1 locks it', async () => {
    const id = 'forge-open';
    await startBox(id, { insecureAcceptUnsigned: true });
    const vol = cmd.volume(5, 3);
    await forge(id, JSON.stringify(vol));
    await watcher.waitAck(id, vol.id, 'finished');
    await watcher.waitFor('the forged volume applied', () => state(id)?.volume === 3);
    await forge(id, JSON.stringify(cmd.volume(MAX_SEQ, 0)));
    const next = cmd.volume(6, 70);
    await watcher.send(id, next);
    expect(await refusal(id, next.id)).toMatchObject({ status: 'refused', reason: 'replay' });
  });

  it("refuses a forged volume command with a higher seq, and still obeys the hub's next one", async () => {
    const id = 'forge-vol';
    const box = await startBox(id);
    const first = cmd.volume(1, 60);
    await watcher.send(id, first);
    await watcher.waitAck(id, first.id, 'finished');
    const forged = cmd.volume(1000, 3);
    await forge(id, JSON.stringify(forged));
    expect(await refusal(id, forged.id)).toMatchObject({ status: 'refused', reason: 'unsigned', seq: 1000 });
    // A signature made with the attacker's own key is no better.
    const own = generateKeyPairSync('ed25519').privateKey;
    const signedByOther = cmd.volume(1001, 3);
    await forge(id, signPayload(own, clusterTopic(id, 'cmd'), JSON.stringify(signedByOther)));
    expect(await refusal(id, signedByOther.id)).toMatchObject({ status: 'refused', reason: 'bad-signature' });
    const next = cmd.volume(2, 45);
    await watcher.send(id, next);
    await watcher.waitAck(id, next.id, 'finished');
    await watcher.waitFor('state after the real command', () => state(id)?.volume === 45);
    expect(state(id)).toMatchObject({ volume: 45, lastSeq: 2 });
    // Refusals are warned about, at most once a minute, with a count of the rest.
    const warned = box.logs().filter((l) => l.msg === 'refused a command the hub did not sign');
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ reason: 'unsigned', topic: clusterTopic(id, 'cmd') });
  });

  it('a forged seq of 2^53-1 does not lock the box', async () => {
    const id = 'forge-seq';
    await startBox(id);
    for (const payload of [JSON.stringify(cmd.volume(MAX_SEQ, 0)), JSON.stringify({ ...cmd.volume(MAX_SEQ, 0), sig: `${'A'.repeat(86)}==` })]) {
      await forge(id, payload);
    }
    await watcher.waitFor('both refused', () => watcher.acks(id).filter((a) => a.seq === MAX_SEQ && a.status === 'refused').length === 2);
    const real = cmd.volume(1, 55);
    await watcher.send(id, real);
    await watcher.waitAck(id, real.id, 'finished');
    await watcher.waitFor('state after the real command', () => state(id)?.volume === 55);
    expect(state(id)!.lastSeq).toBe(1);
  });

  it('refuses a command signed for box A when it is published to box B, and an altered one', async () => {
    const a = 'replay-a';
    const b = 'replay-b';
    await startBox(b);
    // The hub's command to A (A is not even there): the rogue broker sees it, signature and all.
    const forA = cmd.volume(50, 5);
    await watcher.send(a, forA);
    const seen = await watcher.waitFor('the signed command to A', () => overheard.find((o) => o.topic === clusterTopic(a, 'cmd') && o.text.includes(forA.id)));
    expect(seen.text).toMatch(/,"sig":"[A-Za-z0-9+/]{86}=="\}$/);
    await forge(b, seen.text);
    expect(await refusal(b, forA.id)).toMatchObject({ status: 'refused', reason: 'bad-signature' });

    // One of B's own, with a field changed on the way (volume and a higher seq), keeping the signature.
    const forB = cmd.volume(3, 40);
    await watcher.send(b, forB);
    await watcher.waitAck(b, forB.id, 'finished');
    const original = overheard.find((o) => o.topic === clusterTopic(b, 'cmd') && o.text.includes(forB.id))!.text;
    const altered = original.replace('"seq":3,', '"seq":4,').replace('"volume":40', '"volume":100');
    expect(altered).not.toBe(original);
    await forge(b, altered.replace(forB.id, `${forB.id}-x`));
    expect(await refusal(b, `${forB.id}-x`)).toMatchObject({ status: 'refused', reason: 'bad-signature' });
    // The same bytes again, as a replay: the signature holds, the sequence number does not.
    await forge(b, original);
    await watcher.waitFor('the replay refused', () => watcher.acks(b).find((a) => a.cmdId === forB.id && a.status === 'refused'));
    expect(watcher.acks(b).find((x) => x.cmdId === forB.id && x.status === 'refused')).toMatchObject({ reason: 'replay' });
    expect(state(b)).toMatchObject({ volume: 40, lastSeq: 3 });
  });

  it("drops a forged plan (version 2^53-1) and a forged clock answer, and keeps taking the hub's", async () => {
    const id = 'forge-plan';
    const box = await startBox(id);
    const planTopic = clusterTopic(id, 'plan');
    const plan = (version: number) => ({ v: 1, version, generatedAt: Date.now(), from: Date.now(), until: Date.now() + 3_600_000, items: [] });
    await hostile.publishAsync(planTopic, JSON.stringify(plan(MAX_SEQ)), { qos: 1, retain: true });
    await hostile.publishAsync(clusterTopic(id, 'time'), JSON.stringify({ v: 1, id: 'x', t0: 1, t1: 1, t2: 1 }), { qos: 0 });
    const dropped = (channel: string) => box.logs().find((l) => l.msg === `dropped a ${channel} message the hub did not sign`);
    await watcher.waitFor('the forged plan and clock answer dropped', () => dropped('plan') && dropped('time'));
    expect(dropped('plan')).toMatchObject({ reason: 'unsigned', topic: planTopic });
    await watcher.client.publishAsync(planTopic, signedAsHub(planTopic, plan(7)), { qos: 1, retain: true });
    const taken = await watcher.waitFor("the hub's plan taken", () => box.logs().find((l) => l.msg === 'new plan'), 10_000);
    expect(taken).toMatchObject({ version: 7 });
    expect(box.logs().filter((l) => l.msg === 'new plan')).toHaveLength(1);
  });
});

// A box that reports the end of an item after the hub gave up on it (its link or the hub was down
// when the item ended) is believed: the log says it played, timed by the media position it
// reached, not by when the report arrived. Issue 13, item 20: a firmware written from
// docs/protocol.md alone finished an item while the hub was stopped and reconnected 59 s later;
// the hub had logged it expired (no-finish-report) and threw the late `finished` away.
// Real hub, real SQLite, real MQTT clients answering as a box (tests/helpers/scripted-box.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterTopic, type Command } from '../protocol/index.js';
import { outcomeOf } from '../hub/store/index.js';
import { makeTone } from './helpers/audio.js';
import { startTestHub, waitFor, type TestHub } from './helpers/hub.js';
import { connectDevice } from './helpers/mqtt.js';
import { scriptedBox } from './helpers/scripted-box.js';
import { makeTempDir } from './helpers/tmp.js';

const CONFIG = { dispatch: { leadMs: 300, commandTtlMs: 2000, finishGraceMs: 500 } };
let t: TestHub;
const tmp = makeTempDir();
const data = makeTempDir('loa-hub-');
const clients: MqttClient[] = [];
let mediaId: string; // 1.5 s

async function play(clusters: string[]) {
  const r = await t.api<{ broadcast: { id: string; startAt: number } }>('POST', '/api/v1/broadcasts', { mediaId, clusters });
  expect(r.status).toBe(201);
  return r.body.broadcast;
}

/** Publishes an ack of `cmd` as the box `id` would, from a client that is connected now. */
async function ack(c: MqttClient, id: string, cmd: Command, status: string, extra: object = {}) {
  await c.publishAsync(clusterTopic(id, 'ack'), JSON.stringify({ v: 1, cmdId: cmd.id, seq: cmd.seq, status, at: Date.now(), ...extra }), { qos: 1 });
}

function expiredTarget(broadcastId: string, clusterId: string) {
  return waitFor(
    () => {
      const x = t.hub.store.broadcasts.target(broadcastId, clusterId);
      return x?.status === 'expired' ? x : null;
    },
    { what: `${clusterId} expired` },
  );
}

beforeAll(async () => {
  t = await startTestHub({ dataDir: data.path, config: CONFIG });
  const file = makeTone(join(tmp.path, 'short.wav'), 1.5);
  const r = await t.api<{ media: { id: string } }>('POST', '/api/v1/media?name=short', new Uint8Array(readFileSync(file)));
  expect(r.status).toBe(201);
  mediaId = r.body.media.id;
});

afterAll(async () => {
  for (const c of clients) c.end(true);
  await t.stop();
  tmp.remove();
  data.remove();
});

describe('an end reported after the hub gave up', () => {
  it('a late `finished` turns no-finish-report into played, with times from the position reached', async () => {
    const k = await t.addCluster('late-fin');
    const box = await scriptedBox(t.addresses.mqttUrl, k.id, k.secret, { finish: false });
    clients.push(box.client);
    await waitFor(() => t.hub.store.clusters.get(k.id)?.online, { what: 'online' });
    const b = await play([k.id]);
    const expired = await expiredTarget(b.id, k.id);
    expect(expired.reason).toBe('no-finish-report');
    const startedAt = expired.startedAt!;
    expect(startedAt).not.toBeNull();

    const cmd = box.received.find((c) => c.type === 'play')!;
    await ack(box.client, k.id, cmd, 'finished', { positionMs: 1500 });
    const done = await waitFor(
      () => {
        const x = t.hub.store.broadcasts.target(b.id, k.id);
        return x?.status === 'finished' ? x : null;
      },
      { what: 'late finished accepted' },
    );
    expect(outcomeOf(done)).toBe('played');
    expect(done.finishedAt).toBe(startedAt + 1500);
    expect(done.playedMs).toBe(1500);
    expect(done.detail).toMatch(/reported late/);

    // A second copy (QoS 1 may deliver twice) changes nothing.
    await ack(box.client, k.id, cmd, 'stopped', { reason: 'shutdown', positionMs: 100 });
    await new Promise((r) => setTimeout(r, 300));
    expect(t.hub.store.broadcasts.target(b.id, k.id)).toMatchObject({ status: 'finished', playedMs: 1500 });
  });

  it("a position past the media's end is cut back to it (the box is not trusted)", async () => {
    const k = await t.addCluster('late-liar');
    const box = await scriptedBox(t.addresses.mqttUrl, k.id, k.secret, { finish: false });
    clients.push(box.client);
    await waitFor(() => t.hub.store.clusters.get(k.id)?.online, { what: 'online' });
    const b = await play([k.id]);
    const expired = await expiredTarget(b.id, k.id);
    await ack(box.client, k.id, box.received.find((c) => c.type === 'play')!, 'finished', { positionMs: 9_000_000_000 });
    const done = await waitFor(
      () => {
        const x = t.hub.store.broadcasts.target(b.id, k.id);
        return x?.status === 'finished' ? x : null;
      },
      { what: 'late finished accepted' },
    );
    expect(done.playedMs).toBe(1500);
    expect(done.finishedAt).toBe(expired.startedAt! + 1500);
  });

  it('the field case: the hub stops mid-item, the box finishes and reports the end after the restart', async () => {
    const k = await t.addCluster('late-restart');
    const box = await scriptedBox(t.addresses.mqttUrl, k.id, k.secret, { finish: false });
    clients.push(box.client);
    await waitFor(() => t.hub.store.clusters.get(k.id)?.online, { what: 'online' });
    const b = await play([k.id]);
    const started = await waitFor(
      () => {
        const x = t.hub.store.broadcasts.target(b.id, k.id);
        return x?.status === 'started' ? x : null;
      },
      { what: 'started' },
    );
    const cmd = box.received.find((c) => c.type === 'play')!;
    box.client.end(true);
    await t.stop({ keepData: true });
    // The hub is down past the item's end and its grace: on restart it gives up on the item.
    await new Promise((r) => setTimeout(r, 2500));
    t = await startTestHub({ dataDir: data.path, config: CONFIG });
    const expired = await expiredTarget(b.id, k.id);
    expect(expired.reason).toBe('no-finish-report');

    // The box is back, and its outbox still holds the `finished` it could not send.
    const back = await connectDevice(t.addresses.mqttUrl, k.id, k.secret);
    clients.push(back);
    await ack(back, k.id, cmd, 'finished', { positionMs: 1500 });
    const done = await waitFor(
      () => {
        const x = t.hub.store.broadcasts.target(b.id, k.id);
        return x?.status === 'finished' ? x : null;
      },
      { what: 'late finished accepted after the restart' },
    );
    expect(outcomeOf(done)).toBe('played');
    expect(done.finishedAt).toBe(started.startedAt! + 1500);
  });
});

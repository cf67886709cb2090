// Issue 14, item 7: a box must not write itself into other broadcasts. Its offline play log is
// merged only for broadcasts that named its cluster: an operator's broadcast with it among the
// targets, or a scheduled item of its own timeline (the plan the hub sent it). Real hub on a
// simulated clock, real SQLite, a real MQTT.js client as the hostile box.
import { createHash } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zonedToEpoch } from '../../hub/schedule/calendar.js';
import { broadcastIdFor } from '../../hub/scheduler/wanted.js';
import { clusterTopic } from '../../protocol/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { startTestHub, waitFor, type TestHub } from '../helpers/hub.js';
import { connectDevice } from '../helpers/mqtt.js';
import { scriptedBox } from '../helpers/scripted-box.js';

const TZ = 'Asia/Ho_Chi_Minh';
const date = '2026-12-07';
const at = (h: number, m: number) => zonedToEpoch(TZ, date, h * 3600 + m * 60);
const clock = new FakeClock(at(16, 50));
let t: TestHub;
let box: MqttClient;
let other: { id: string; secret: string };
let mediaId: string;
const ids = { own: 'pl-own', other: 'pl-other' };

// 17:00 for everyone; 17:10 only in the other cluster's zone.
const schedule = `site: loa-test
timezone: ${TZ}
zones:
  xa: [${ids.other}]
programmes:
  - id: tin-chung
    at: "17:00"
    zones: [all]
    items: [tin-xa]
  - id: tin-rieng
    at: "17:10"
    zones: [xa]
    items: [tin-xa]
  - id: tin-toi
    at: "17:30"
    zones: [all]
    items: [tin-xa]
`;

beforeAll(async () => {
  t = await startTestHub({ clock, config: { dispatch: { leadMs: 3000 } } });
  const own = await t.addCluster(ids.own);
  other = await t.addCluster(ids.other);
  mediaId = createHash('sha256').update('tin-xa').digest('hex');
  t.hub.store.media.upsert({
    id: mediaId,
    name: 'tin-xa',
    originalName: 'tin-xa.ogg',
    durationMs: 60_000,
    bytes: 4000,
    format: 'ogg/opus',
    createdAt: clock.now(),
  });
  t.hub.bus.emit('mediaChanged', { mediaId, removed: false });
  const applied = t.hub.schedules.apply(schedule, 'playlog.yaml', 'test', false);
  expect(applied.problems.filter((p) => p.severity === 'error')).toEqual([]);
  box = await connectDevice(t.addresses.mqttUrl, own.id, own.secret);
  box.on('message', (_topic, payload) => answers.push((JSON.parse(payload.toString()) as { id: string }).id));
  await box.subscribeAsync(clusterTopic(ids.own, 'time'), { qos: 0 });
});

afterAll(async () => {
  box.end(true);
  otherBox?.end(true);
  await t.stop();
});

/** What the hostile box claims it played while away, sent as loa-edge sends its log. */
async function claim(broadcastId: string, startedAt: number): Promise<void> {
  const entry = { broadcastId, startedAt, endedAt: startedAt + 60_000, startOffsetMs: 0, positionMs: 60_000, outcome: 'finished' };
  await box.publishAsync(clusterTopic(ids.own, 'playlog'), JSON.stringify({ v: 1, entries: [entry] }), { qos: 1 });
}

let mine = '';
let otherBox: MqttClient | null = null;
const answers: string[] = [];
let marks = 0;

/** Waits until the hub has read what the box sent so far: the box asks the time after it, and the
 *  hub reads one box's messages in order. */
async function settle(): Promise<void> {
  const id = `mark-${++marks}`;
  await box.publishAsync(clusterTopic(ids.own, 'timereq'), JSON.stringify({ v: 1, id, t0: Date.now() }), { qos: 1 });
  await waitFor(() => answers.includes(id), { what: 'the time answer after the claim' });
}

describe('an offline play log', () => {
  it("is merged for a scheduled item of the box's own plan", async () => {
    // Everyone's item went by while this box was away: the hub logged it offline.
    await clock.runUntil(at(17, 20), 20);
    mine = broadcastIdFor(t.hub.scheduler.timeline.between(ids.own, at(17, 0), at(17, 1))[0]!.key);
    expect(t.hub.store.broadcasts.target(mine, ids.own)?.status).toBe('offline');
    await claim(mine, at(17, 0));
    await waitFor(() => t.hub.store.broadcasts.target(mine, ids.own)?.reason === 'played-offline', { what: 'its own item merged' });
  });

  it('is not merged for a scheduled item of another zone', async () => {
    const theirs = broadcastIdFor(t.hub.scheduler.timeline.between(ids.other, at(17, 10), at(17, 11)).find((e) => e.programmeId === 'tin-rieng')!.key);
    expect(t.hub.store.broadcasts.exists(theirs)).toBe(true);
    await claim(theirs, at(17, 10));
    await settle();
    expect(t.hub.store.broadcasts.target(theirs, ids.own)).toBeUndefined();
  });

  it("is not merged for an operator's broadcast to other clusters, nor counted in the month's report", async () => {
    const r = await t.api<{ broadcast: { id: string; startAt: number } }>('POST', '/api/v1/broadcasts', { mediaId, clusters: [ids.other] });
    expect(r.status).toBe(201);
    await claim(r.body.broadcast.id, r.body.broadcast.startAt);
    await settle();
    expect(t.hub.store.broadcasts.target(r.body.broadcast.id, ids.own)).toBeUndefined();
    const report = await t.api<{ clusters: { clusterId: string; played?: number }[] }>('GET', '/api/v1/report?month=2026-12');
    expect(report.status).toBe(200);
    // Only its own 17:00 item is counted for the box.
    expect(report.body.clusters.find((c) => c.clusterId === ids.own)).toMatchObject({ played: 1 });
  });

  it("is merged for an operator's broadcast that named the box", async () => {
    const r = await t.api<{ broadcast: { id: string; startAt: number } }>('POST', '/api/v1/broadcasts', { mediaId, clusters: [ids.own, ids.other] });
    expect(r.status).toBe(201);
    await waitFor(() => t.hub.store.broadcasts.target(r.body.broadcast.id, ids.own), { what: 'its target' });
    await claim(r.body.broadcast.id, r.body.broadcast.startAt);
    await waitFor(() => t.hub.store.broadcasts.target(r.body.broadcast.id, ids.own)?.reason === 'played-offline', { what: 'the broadcast merged' });
  });

  it('is merged for a scheduled item of its plan that the hub has not logged for it yet', async () => {
    // The other cluster is on air at 17:30; this box, away, says it played the item from its plan
    // before the hub logs the item's end for it.
    otherBox = (await scriptedBox(t.addresses.mqttUrl, other.id, other.secret, { finish: false })).client;
    await waitFor(() => t.hub.store.clusters.get(other.id)?.online, { what: 'the other cluster online' });
    await clock.runUntil(at(17, 30), 20);
    const evening = broadcastIdFor(t.hub.scheduler.timeline.between(ids.own, at(17, 30), at(17, 31))[0]!.key);
    await waitFor(() => t.hub.store.broadcasts.target(evening, ids.other), { what: 'the item sent to the other cluster' });
    expect(t.hub.store.broadcasts.target(evening, ids.own)).toBeUndefined();
    await claim(evening, at(17, 30));
    await waitFor(() => t.hub.store.broadcasts.target(evening, ids.own)?.reason === 'played-offline', { what: 'its planned item merged' });
  });
});

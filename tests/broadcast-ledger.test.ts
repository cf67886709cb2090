// The broadcast ledger (hub/broadcasts/): a target's whole lifecycle through the one place a play
// is sent. Create → send (command built with its media and URL, target marked sent, published) →
// the box's acks patch it; a play that cannot be built fails its target alone; a silent box's
// target is swept to expired; a cluster back online is sent what it missed; after a restart the
// broadcasts still to come are sent and the ones whose time passed are logged so. Real hub, real
// SQLite, real MQTT clients answering as boxes (tests/helpers/scripted-box.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOT_BUILT } from '../hub/broadcasts/commands.js';
import { makeTone } from './helpers/audio.js';
import { startTestHub, waitFor, type TestHub } from './helpers/hub.js';
import { scriptedBox, type ScriptedBoxOptions } from './helpers/scripted-box.js';
import { makeTempDir } from './helpers/tmp.js';

const CONFIG = { dispatch: { leadMs: 300, commandTtlMs: 2000, finishGraceMs: 500 } };
const tmp = makeTempDir();
const data = makeTempDir('loa-hub-');
const clients: MqttClient[] = [];
let t: TestHub;
let mediaId: string; // 1 s
let longId: string; // 20 s: room on a loaded machine
const secrets = new Map<string, string>();
let n = 0;

async function box(id: string, opts: ScriptedBoxOptions = {}) {
  const b = await scriptedBox(t.addresses.mqttUrl, id, secrets.get(id)!, opts);
  clients.push(b.client);
  await waitFor(() => t.hub.store.clusters.get(id)?.online, { what: `${id} online` });
  return b;
}

async function cluster(id: string): Promise<string> {
  secrets.set(id, (await t.addCluster(id)).secret);
  return id;
}

async function upload(seconds: number, name: string): Promise<string> {
  const file = makeTone(join(tmp.path, `${name}.wav`), seconds);
  const r = await t.api<{ media: { id: string } }>('POST', `/api/v1/media?name=${name}`, new Uint8Array(readFileSync(file)));
  expect(r.status).toBe(201);
  return r.body.media.id;
}

/** An ad-hoc row made through the ledger itself (the dispatcher's checks and placement aside). */
function create(clusterIds: string[], startAt: number, media = mediaId): string {
  const id = `b-ledger-${++n}`;
  const durationMs = t.hub.store.media.get(media)!.durationMs;
  t.hub.ledger.create({
    id,
    mediaId: media,
    startAt,
    plannedEnd: startAt + durationMs,
    createdAt: Date.now(),
    createdBy: 'test',
    volume: null,
    priority: 'priority',
    clusterIds,
  });
  return id;
}

const target = (broadcastId: string, clusterId: string) => t.hub.store.broadcasts.target(broadcastId, clusterId);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  t = await startTestHub({ dataDir: data.path, config: CONFIG });
  mediaId = await upload(1, 'short');
  longId = await upload(20, 'long');
});

afterAll(async () => {
  for (const c of clients) c.end(true);
  await t.stop();
  tmp.remove();
  data.remove();
});

describe('the broadcast ledger', () => {
  it('sends a play with its media and URL, marks the target sent, and follows the acks to finished', async () => {
    const id = await cluster('lg-send');
    const b = await box(id);
    const broadcastId = create([id], Date.now() + 1000);
    expect(target(broadcastId, id)?.status).toBe('pending');
    await t.hub.ledger.sendPending(broadcastId);
    const sent = target(broadcastId, id)!;
    const cmd = await waitFor(() => b.received.find((c) => c.type === 'play'), { what: 'the play' });
    expect(cmd.type === 'play' && cmd.media).toMatchObject({ id: mediaId, url: `/api/v1/media/${mediaId}/content`, durationMs: 1000 });
    // The target knew its command before the box could answer it.
    expect(sent).toMatchObject({ cmdId: cmd.id, seq: cmd.seq, deadlineAt: cmd.expiresAt });
    expect(['sent', 'accepted', 'started', 'finished']).toContain(sent.status);
    const done = await waitFor(() => (target(broadcastId, id)?.status === 'finished' ? target(broadcastId, id) : null), { what: 'finished' });
    expect(done.startedAt).not.toBeNull();
    expect(done.acceptedAt).not.toBeNull();
    expect(done.deadlineAt).toBeNull();
  });

  it('fails a play that cannot be built on its cluster only; the others of the same send go out', async () => {
    const good = await cluster('lg-good');
    const bad = await cluster('lg-bad');
    const b = await box(good);
    await box(bad);
    const broadcastId = create([good, bad], Date.now() + 1000);
    const media = t.hub.ledger.mediaRef(mediaId)!;
    const body = (volume: number) => ({ type: 'play' as const, broadcastId, media, startAt: Date.now() + 1000, offsetMs: 0, volume });
    const expiresAt = Date.now() + 3000;
    const results = await t.hub.ledger.sendPlays(broadcastId, [
      { clusterId: good, body: body(50), expiresAt },
      // Out of the protocol's range: the hub's own check refuses to build it.
      { clusterId: bad, body: body(1000), expiresAt },
    ]);
    expect(results.map((r) => [r.clusterId, r.status])).toEqual([
      [good, 'sent'],
      [bad, 'failed'],
    ]);
    expect(target(broadcastId, bad)).toMatchObject({ status: 'failed', reason: 'send-failed', detail: NOT_BUILT, cmdId: null });
    await waitFor(() => b.received.find((c) => c.type === 'play' && c.broadcastId === broadcastId), { what: 'the good play' });
  });

  it("sweeps a target whose box never answers to expired (no answer) at its command's deadline", async () => {
    const id = await cluster('lg-silent');
    const b = await box(id, { answer: false });
    const broadcastId = create([id], Date.now() + 500);
    await t.hub.ledger.sendPending(broadcastId);
    await waitFor(() => b.received.find((c) => c.type === 'play'), { what: 'the play' });
    const { deadlineAt } = target(broadcastId, id)!;
    expect(deadlineAt).not.toBeNull();
    const swept = await waitFor(() => (target(broadcastId, id)?.status === 'expired' ? target(broadcastId, id) : null), { what: 'expired', timeoutMs: 15_000 });
    expect(swept).toMatchObject({ reason: 'no-answer', deadlineAt: null });
    expect(swept.updatedAt).toBeGreaterThanOrEqual(deadlineAt!);
  });

  it('sends a cluster that comes back the play it missed while offline', async () => {
    const here = await cluster('lg-here');
    const away = await cluster('lg-away');
    await box(here, { finish: false });
    const r = await t.api<{ broadcast: { id: string; startAt: number } }>('POST', '/api/v1/broadcasts', { mediaId: longId, clusters: [here, away] });
    expect(r.status).toBe(201);
    const broadcastId = r.body.broadcast.id;
    await waitFor(() => target(broadcastId, away)?.status === 'offline', { what: `${away} logged offline` });
    expect(target(broadcastId, away)?.reason).toBe('cluster-offline');
    const back = await box(away, { finish: false });
    const cmd = await waitFor(() => back.received.find((c) => c.type === 'play'), { what: 'the missed play' });
    expect(cmd.type === 'play' && cmd.broadcastId).toBe(broadcastId);
    expect(cmd.type === 'play' && cmd.startAt).toBe(r.body.broadcast.startAt);
    await waitFor(() => target(broadcastId, away)?.status === 'started', { what: `${away} started` });
    expect(target(broadcastId, away)?.cmdId).toBe(cmd.id);
    await t.api('POST', '/api/v1/broadcasts/stop', { broadcastId });
  });

  it('after a restart: sends what is still to come at its time and logs what the hub was down for', async () => {
    const id = await cluster('lg-restart');
    const now = Date.now();
    const missed = create([id], now + 800);
    const later = create([id], now + 7000);
    await t.stop({ keepData: true });
    // Down past the first one's start and its command's life.
    await sleep(Math.max(0, now + 800 + CONFIG.dispatch.commandTtlMs + 500 - Date.now()));
    t = await startTestHub({ dataDir: data.path, config: CONFIG });
    expect(target(missed, id)).toMatchObject({ status: 'expired', reason: 'hub-down' });
    expect(target(later, id)?.status).toBe('pending');
    const b = await box(id);
    const cmd = await waitFor(() => b.received.find((c) => c.type === 'play' && c.broadcastId === later), {
      what: 'the play still to come',
      timeoutMs: 15_000,
    });
    // Sent a lead time before its start, not at once on the restart.
    expect(b.receivedAt[b.received.indexOf(cmd)]).toBeGreaterThanOrEqual(now + 7000 - CONFIG.dispatch.leadMs - 50);
    await waitFor(() => target(later, id)?.status === 'finished', { what: 'finished after the restart', timeoutMs: 15_000 });
    expect(b.received.some((c) => c.type === 'play' && c.broadcastId === missed)).toBe(false);
  });
});

// A cluster that was away when an ad-hoc broadcast went out joins it when it comes back, where
// the others are; one stopped while away, or back after the end, is sent nothing; the hub
// remembers the broadcasts still running across a restart. A play lost with a dying connection is
// sent again when the box, back, reports it has not seen it. Real hub, real SQLite, real MQTT
// clients answering as a box (tests/helpers/scripted-box.ts).
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTone } from './helpers/audio.js';
import { startTestHub, waitFor, type TestHub } from './helpers/hub.js';
import { scriptedBox, type ScriptedBoxOptions } from './helpers/scripted-box.js';
import { makeTempDir } from './helpers/tmp.js';

const CONFIG = { dispatch: { leadMs: 300, commandTtlMs: 2000, finishGraceMs: 500 } };
let t: TestHub;
const tmp = makeTempDir();
const data = makeTempDir('loa-hub-');
const clients: MqttClient[] = [];
let longId: string; // 20 s: room on a loaded machine
let shortId: string; // 1.5 s

async function box(id: string, secret: string, hub = t, opts: ScriptedBoxOptions = {}) {
  const b = await scriptedBox(hub.addresses.mqttUrl, id, secret, { finish: false, ...opts });
  clients.push(b.client);
  await waitFor(() => hub.hub.store.clusters.get(id)?.online, { what: `${id} online` });
  return b;
}

async function upload(seconds: number, name: string): Promise<string> {
  const file = makeTone(join(tmp.path, `${name}.wav`), seconds);
  const { readFileSync } = await import('node:fs');
  const r = await t.api<{ media: { id: string } }>('POST', `/api/v1/media?name=${name}`, new Uint8Array(readFileSync(file)));
  expect(r.status).toBe(201);
  return r.body.media.id;
}

async function play(mediaId: string, clusters: string[]) {
  const r = await t.api<{ broadcast: { id: string; startAt: number } }>('POST', '/api/v1/broadcasts', { mediaId, clusters });
  expect(r.status).toBe(201);
  return r.body.broadcast;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  t = await startTestHub({ dataDir: data.path, config: CONFIG });
  longId = await upload(20, 'long');
  shortId = await upload(1.5, 'short');
});

afterAll(async () => {
  for (const c of clients) c.end(true);
  await t.stop();
  tmp.remove();
  data.remove();
});

describe('a cluster back online during an ad-hoc broadcast', () => {
  it('is sent the play it missed, with the same start time, and joins where the others are', async () => {
    const here = await t.addCluster('rj-here');
    const away = await t.addCluster('rj-away');
    const onAir = await box(here.id, here.secret);
    const b = await play(longId, ['rj-here', 'rj-away']);
    const missed = await waitFor(
      () => {
        const x = t.hub.store.broadcasts.target(b.id, 'rj-away');
        return x?.status === 'offline' ? x : null;
      },
      { what: 'rj-away logged offline' },
    );
    expect(missed.reason).toBe('cluster-offline');
    await waitFor(() => t.hub.store.broadcasts.target(b.id, 'rj-here')?.status === 'started', { what: 'rj-here started' });
    await sleep(Math.max(0, b.startAt + 1000 - Date.now()));

    const back = await box(away.id, away.secret);
    const cmd = await waitFor(() => back.received.find((c) => c.type === 'play'), { what: 'the missed play' });
    expect(cmd.type === 'play' && cmd.broadcastId).toBe(b.id);
    expect(cmd.type === 'play' && cmd.startAt).toBe(b.startAt);
    expect(cmd.expiresAt).toBeGreaterThan(back.receivedAt[0]!);
    const joined = await waitFor(
      () => {
        const x = t.hub.store.broadcasts.target(b.id, 'rj-away');
        return x?.status === 'started' ? x : null;
      },
      { what: 'rj-away started' },
    );
    expect(joined.reason).toBeNull();
    expect(joined.cmdId).toBe(cmd.id);
    // It joined about a second in, where the others were.
    expect(joined.firstOffsetMs).toBeGreaterThanOrEqual(900);
    // The one that was there all along was told once.
    expect(onAir.received.filter((c) => c.type === 'play')).toHaveLength(1);
    // The broadcast shows it running again on both.
    const shown = await t.api<{ broadcast: { status: string } }>('GET', `/api/v1/broadcasts/${b.id}`);
    expect(shown.body.broadcast.status).toBe('running');
  });

  it('is sent nothing when the operator stopped it there while it was away (another away one is)', async () => {
    const here = await t.addCluster('rj-stay');
    const away = await t.addCluster('rj-gone');
    const other = await t.addCluster('rj-other');
    await box(here.id, here.secret);
    const b = await play(longId, ['rj-stay', 'rj-gone', 'rj-other']);
    await waitFor(() => t.hub.store.broadcasts.target(b.id, 'rj-gone')?.status === 'offline', { what: 'rj-gone offline' });
    const stop = await t.api<{ stopped: { broadcastId: string; clusterId: string }[] }>('POST', '/api/v1/broadcasts/stop', { clusters: ['rj-gone'] });
    expect(stop.status).toBe(200);
    expect(stop.body.stopped).toEqual([{ broadcastId: b.id, clusterId: 'rj-gone' }]);
    const x = t.hub.store.broadcasts.target(b.id, 'rj-gone')!;
    expect(x.status).toBe('stopped');
    expect(x.reason).toBe('stop-command');
    expect(x.detail).toMatch(/away/);

    const [back, control] = await Promise.all([box(away.id, away.secret), box(other.id, other.secret)]);
    await waitFor(() => control.received.find((c) => c.type === 'play'), { what: 'the play to rj-other' });
    await sleep(500);
    expect(back.received).toEqual([]);
    expect(t.hub.store.broadcasts.target(b.id, 'rj-gone')?.status).toBe('stopped');
    expect(t.hub.store.broadcasts.target(b.id, 'rj-stay')?.status).toBe('started');
  });

  it('is sent nothing when the broadcast is over (or has less than a second left); a longer one it joins', async () => {
    const away = await t.addCluster('rj-late');
    const short = await play(shortId, ['rj-late']);
    const long = await play(longId, ['rj-late']);
    await waitFor(() => t.hub.store.broadcasts.target(short.id, 'rj-late')?.status === 'offline', { what: 'rj-late offline' });
    await waitFor(() => t.hub.store.broadcasts.target(long.id, 'rj-late')?.status === 'offline', { what: 'rj-late offline (long)' });
    // The short one (1.5 s) has under a second left.
    await sleep(Math.max(0, short.startAt + 700 - Date.now()));
    const back = await box(away.id, away.secret);
    await waitFor(() => back.received.find((c) => c.type === 'play'), { what: 'the long play' });
    await sleep(500);
    expect(back.received.map((c) => c.type === 'play' && c.broadcastId)).toEqual([long.id]);
    expect(t.hub.store.broadcasts.target(short.id, 'rj-late')?.status).toBe('offline');
  });

  it('a play lost with its connection is sent again when the box says it has not seen it; one it has seen is not', async () => {
    const lost = await t.addCluster('rj-lost');
    const seen = await t.addCluster('rj-seen');
    const deaf = await scriptedBox(t.addresses.mqttUrl, lost.id, lost.secret, { subscribe: false });
    const quiet = await scriptedBox(t.addresses.mqttUrl, seen.id, seen.secret, { answer: false });
    await waitFor(() => t.hub.store.clusters.get('rj-lost')?.online && t.hub.store.clusters.get('rj-seen')?.online, { what: 'both online' });
    const b = await play(longId, ['rj-lost', 'rj-seen']);
    const first = await waitFor(() => quiet.received.find((c) => c.type === 'play'), { what: 'rj-seen got the play' });
    const sent = t.hub.store.broadcasts.target(b.id, 'rj-lost')!;
    expect(sent.status).toBe('sent');
    // Both links die (no DISCONNECT: the broker publishes their last wills).
    deaf.client.end(true);
    quiet.client.end(true);
    await waitFor(() => !t.hub.store.clusters.get('rj-lost')?.online && !t.hub.store.clusters.get('rj-seen')?.online, { what: 'both offline' });

    const back = await box(lost.id, lost.secret, t, { lastSeq: 0 });
    const again = await box(seen.id, seen.secret, t, { lastSeq: first.seq });
    const cmd = await waitFor(() => back.received.find((c) => c.type === 'play'), { what: 'the lost play, sent again' });
    expect(cmd.type === 'play' && cmd.broadcastId).toBe(b.id);
    expect(cmd.seq).toBeGreaterThan(sent.seq!);
    await waitFor(() => t.hub.store.broadcasts.target(b.id, 'rj-lost')?.status === 'started', { what: 'rj-lost started' });
    await sleep(500);
    expect(again.received).toEqual([]);
    expect(t.hub.store.broadcasts.target(b.id, 'rj-seen')?.cmdId).toBe(first.id);
  });

  it('a box that reconnects before its old connection was seen to end (session takeover) gets the lost play too', async () => {
    const c = await t.addCluster('rj-takeover');
    const deaf = await scriptedBox(t.addresses.mqttUrl, c.id, c.secret, { subscribe: false });
    clients.push(deaf.client);
    await waitFor(() => t.hub.store.clusters.get('rj-takeover')?.online, { what: 'rj-takeover online' });
    const b = await play(longId, ['rj-takeover']);
    await waitFor(() => t.hub.store.broadcasts.target(b.id, 'rj-takeover')?.status === 'sent', { what: 'play sent' });
    // The same box again while the broker still holds the old connection.
    const back = await scriptedBox(t.addresses.mqttUrl, c.id, c.secret, { finish: false, lastSeq: 0 });
    clients.push(back.client);
    const cmd = await waitFor(() => back.received.find((x) => x.type === 'play'), { what: 'the lost play after a takeover' });
    expect(cmd.type === 'play' && cmd.broadcastId).toBe(b.id);
  });

  it('a play given up on while the box was away (expired, no answer) is sent again when the box says it has not seen it', async () => {
    const c = await t.addCluster('rj-expired');
    const deaf = await scriptedBox(t.addresses.mqttUrl, c.id, c.secret, { subscribe: false });
    await waitFor(() => t.hub.store.clusters.get('rj-expired')?.online, { what: 'rj-expired online' });
    const b = await play(longId, ['rj-expired']);
    const gaveUp = await waitFor(
      () => {
        const x = t.hub.store.broadcasts.target(b.id, 'rj-expired');
        return x?.status === 'expired' ? x : null;
      },
      { what: 'rj-expired expired', timeoutMs: 8000 },
    );
    expect(gaveUp.reason).toBe('no-answer');
    deaf.client.end(true);
    await waitFor(() => !t.hub.store.clusters.get('rj-expired')?.online, { what: 'rj-expired offline' });
    const back = await box(c.id, c.secret, t, { lastSeq: 0 });
    await waitFor(() => back.received.find((x) => x.type === 'play'), { what: 'the play sent again' });
    await waitFor(() => t.hub.store.broadcasts.target(b.id, 'rj-expired')?.status === 'started', { what: 'rj-expired started' });
  });

  it('a play the operator stopped while it was in flight is not sent again when the box is back', async () => {
    const c = await t.addCluster('rj-halt');
    const other = await t.addCluster('rj-halt-other');
    const deaf = await scriptedBox(t.addresses.mqttUrl, c.id, c.secret, { subscribe: false });
    await box(other.id, other.secret); // plays on: the broadcast stays open
    await waitFor(() => t.hub.store.clusters.get('rj-halt')?.online, { what: 'rj-halt online' });
    const b = await play(longId, ['rj-halt', 'rj-halt-other']);
    await waitFor(() => t.hub.store.broadcasts.target(b.id, 'rj-halt')?.status === 'sent', { what: 'play sent' });
    const stop = await t.api<{ stopped: { clusterId: string }[] }>('POST', '/api/v1/broadcasts/stop', { clusters: ['rj-halt'] });
    expect(stop.body.stopped.map((x) => x.clusterId)).toEqual(['rj-halt']);
    deaf.client.end(true);
    await waitFor(() => !t.hub.store.clusters.get('rj-halt')?.online, { what: 'rj-halt offline' });
    const back = await box(c.id, c.secret, t, { lastSeq: 0 });
    await sleep(1000);
    expect(back.received.filter((x) => x.type === 'play')).toEqual([]);
    expect(t.hub.store.broadcasts.target(b.id, 'rj-halt-other')?.status).toBe('started');
  });

  it('a stop after a broadcast is over leaves the cluster that missed it as it was', async () => {
    await t.addCluster('rj-stale');
    const b = await play(shortId, ['rj-stale']);
    await waitFor(() => t.hub.store.broadcasts.target(b.id, 'rj-stale')?.status === 'offline', { what: 'rj-stale offline' });
    await sleep(Math.max(0, b.startAt + 1700 - Date.now()));
    const stop = await t.api<{ stopped: { broadcastId: string }[] }>('POST', '/api/v1/broadcasts/stop', { clusters: ['rj-stale'] });
    expect(stop.body.stopped.map((x) => x.broadcastId)).not.toContain(b.id);
    expect(t.hub.store.broadcasts.target(b.id, 'rj-stale')?.status).toBe('offline');
    expect(t.hub.store.broadcasts.get(b.id)?.stoppedAt).toBeNull();
  });

  it('a box back during an emergency gets the emergency, not the ad-hoc broadcast it missed', async () => {
    const c = await t.addCluster('rj-emerg');
    const b = await play(longId, ['rj-emerg']);
    await waitFor(() => t.hub.store.broadcasts.target(b.id, 'rj-emerg')?.status === 'offline', { what: 'rj-emerg offline' });
    const e = await t.api<{ emergency: { id: string } }>('POST', '/api/v1/emergency', { all: true, mediaId: longId });
    expect(e.status).toBe(201);
    try {
      const back = await box(c.id, c.secret, t);
      const first = await waitFor(() => back.received.find((x) => x.type === 'play'), { what: 'the emergency play', timeoutMs: 8000 });
      expect(first.type === 'play' && first.broadcastId).not.toBe(b.id);
      await sleep(500);
      expect(back.received.filter((x) => x.type === 'play' && x.broadcastId === b.id)).toEqual([]);
      expect(t.hub.store.broadcasts.target(b.id, 'rj-emerg')?.status).toBe('offline');
    } finally {
      await t.api('POST', '/api/v1/emergency/stop', { id: e.body.emergency.id });
    }
  });

  it('still joins after a hub restart: the running broadcasts are read back from the store', async () => {
    const away = await t.addCluster('rj-restart');
    const b = await play(longId, ['rj-restart']);
    await waitFor(() => t.hub.store.broadcasts.target(b.id, 'rj-restart')?.status === 'offline', { what: 'rj-restart offline' });
    await t.stop({ keepData: true });
    t = await startTestHub({ dataDir: data.path, config: CONFIG });
    const back = await box(away.id, away.secret);
    const cmd = await waitFor(() => back.received.find((c) => c.type === 'play'), { what: 'the missed play after the restart' });
    expect(cmd.type === 'play' && cmd.broadcastId).toBe(b.id);
    await waitFor(() => t.hub.store.broadcasts.target(b.id, 'rj-restart')?.status === 'started', { what: 'rj-restart started' });
  });
});

// Quick ad-hoc broadcasts wait for each other instead of replacing each other (issue 13, item 21).
// A box keeps one item playing and one waiting, and a newer play drops the waiting one
// (docs/protocol.md), so three `loa broadcast play` in a row used to leave only the last heard.
// Now each waits for the one before on its clusters; `--now` replaces them, and the CLI says which
// it does. Real hub, real SQLite, real MQTT clients answering as boxes, the real `loa` process.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTone } from './helpers/audio.js';
import { spawnLoa } from './helpers/cli-run.js';
import { startTestHub, waitFor, type TestHub } from './helpers/hub.js';
import { scriptedBox, type ScriptedBox } from './helpers/scripted-box.js';
import { makeTempDir } from './helpers/tmp.js';

const LEAD = 400;
const CONFIG = { dispatch: { leadMs: LEAD, commandTtlMs: 3000, finishGraceMs: 500 } };
let t: TestHub;
const tmp = makeTempDir();
const clients: MqttClient[] = [];
let shortId: string; // 1.2 s
let tinyId: string; // 0.2 s: shorter than the lead
// 'long' (20 s): the CLI test needs room, as each `loa` process takes a while to start.

type Answer = { broadcast: { id: string; startAt: number; plannedEnd: number }; queuedAfter: string[]; replaces: string[] };

async function upload(seconds: number, name: string): Promise<string> {
  const file = makeTone(join(tmp.path, `${name}.wav`), seconds);
  const r = await t.api<{ media: { id: string } }>('POST', `/api/v1/media?name=${name}`, new Uint8Array(readFileSync(file)));
  expect(r.status).toBe(201);
  return r.body.media.id;
}

async function play(mediaId: string, clusters: string[], extra: object = {}): Promise<Answer> {
  const r = await t.api<Answer>('POST', '/api/v1/broadcasts', { mediaId, clusters, ...extra });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

async function box(id: string): Promise<ScriptedBox> {
  const k = await t.addCluster(id);
  const b = await scriptedBox(t.addresses.mqttUrl, k.id, k.secret, { finish: false });
  clients.push(b.client);
  await waitFor(() => t.hub.store.clusters.get(id)?.online, { what: `${id} online` });
  return b;
}

beforeAll(async () => {
  t = await startTestHub({ config: CONFIG });
  shortId = await upload(1.2, 'short');
  tinyId = await upload(0.2, 'tiny');
  await upload(20, 'long');
});

afterAll(async () => {
  for (const c of clients) c.end(true);
  await t.stop();
  tmp.remove();
});

describe('ad-hoc broadcasts in a row', () => {
  it('queue: each starts when the one before ends, and its play goes out only after that one started', async () => {
    const b = await box('q-one');
    const first = await play(shortId, ['q-one']);
    const second = await play(shortId, ['q-one']);
    const third = await play(tinyId, ['q-one']);
    const fourth = await play(shortId, ['q-one']);
    expect(first.queuedAfter).toEqual([]);
    expect(second.queuedAfter).toEqual([first.broadcast.id]);
    expect(second.broadcast.startAt).toBe(first.broadcast.plannedEnd);
    expect(third.queuedAfter).toEqual([first.broadcast.id, second.broadcast.id]);
    expect(third.broadcast.startAt).toBe(second.broadcast.plannedEnd);
    // The third is shorter than the lead: the fourth starts a lead after it, so that its command
    // is not sent while the third still waits on the box (which would drop it).
    expect(fourth.broadcast.startAt).toBe(third.broadcast.startAt + LEAD);
    for (const a of [first, second, third, fourth]) expect(a.replaces).toEqual([]);

    const plays = await waitFor(() => (b.received.filter((c) => c.type === 'play').length === 4 ? b.received : null), {
      what: 'four plays',
      timeoutMs: 15_000,
    });
    const order = plays.filter((c) => c.type === 'play').map((c) => (c.type === 'play' ? c.broadcastId : ''));
    expect(order).toEqual([first, second, third, fourth].map((a) => a.broadcast.id));
    // Each play reached the box no earlier than the start of the one before (the protocol's rule).
    const idx = (id: string) => b.received.findIndex((c) => c.type === 'play' && c.broadcastId === id);
    for (const [prev, next] of [
      [first, second],
      [second, third],
      [third, fourth],
    ] as const) {
      expect(b.receivedAt[idx(next.broadcast.id)]! + 50).toBeGreaterThanOrEqual(prev.broadcast.startAt);
    }
  });

  it("a cluster of its own is not held up by another cluster's queue; a shared one holds up all", async () => {
    await box('q-a');
    await box('q-b');
    const onA = await play(shortId, ['q-a']);
    const onB = await play(shortId, ['q-b']);
    expect(onB.queuedAfter).toEqual([]);
    const both = await play(shortId, ['q-a', 'q-b']);
    expect(both.queuedAfter.sort()).toEqual([onA.broadcast.id, onB.broadcast.id].sort());
    expect(both.broadcast.startAt).toBe(Math.max(onA.broadcast.plannedEnd, onB.broadcast.plannedEnd));
  });

  it('queue: false replaces what plays and drops what waits; a start time given replaces what covers it', async () => {
    await box('q-now');
    const playing = await play(shortId, ['q-now']);
    const waiting = await play(shortId, ['q-now']);
    expect(waiting.queuedAfter).toEqual([playing.broadcast.id]);
    await waitFor(() => t.hub.store.broadcasts.target(playing.broadcast.id, 'q-now')?.status === 'started', { what: 'first started' });
    const now = await play(shortId, ['q-now'], { queue: false });
    expect(now.queuedAfter).toEqual([]);
    expect(now.replaces.sort()).toEqual([playing.broadcast.id, waiting.broadcast.id].sort());
    expect(now.broadcast.startAt).toBeLessThan(playing.broadcast.plannedEnd);
    // The one that waited would have cut the new one off at its own start: it is stopped here.
    await waitFor(() => t.hub.store.broadcasts.target(waiting.broadcast.id, 'q-now')?.status === 'stopped', { what: 'waiting one stopped' });

    const at = now.broadcast.startAt + 300;
    const timed = await play(shortId, ['q-now'], { startAt: at });
    expect(timed.broadcast.startAt).toBe(at);
    // (The scripted box does not ack the first `replaced`, so the hub may still count it as playing.)
    expect(timed.replaces).toContain(now.broadcast.id);
  });

  it('the CLI says the second waits for the first, and --now that it replaces it', async () => {
    await box('q-cli');
    const loa = (args: string[]) => spawnLoa(['--hub', t.addresses.httpUrl, '--token', t.token, ...args], { cwd: tmp.path, env: { LOA_LANG: 'en' } });
    const one = await loa(['broadcast', 'play', '--media', 'long', '--clusters', 'q-cli', '--json']);
    expect(one.code, one.stderr).toBe(0);
    const firstId = (JSON.parse(one.stdout) as Answer).broadcast.id;
    const two = await loa(['broadcast', 'play', '--media', 'long', '--clusters', 'q-cli']);
    expect(two.code, two.stderr).toBe(0);
    expect(two.stdout).toMatch(new RegExp(`It waits for ${firstId} and starts at \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}; give --now to replace them instead\\.`));
    const three = await spawnLoa(['--hub', t.addresses.httpUrl, '--token', t.token, 'broadcast', 'play', '--media', 'long', '--clusters', 'q-cli', '--now'], {
      cwd: tmp.path,
      env: { LOA_LANG: 'vi' },
    });
    expect(three.code, three.stderr).toBe(0);
    const secondId = /Broadcast (b-[0-9a-f]+) created/.exec(two.stdout)![1]!;
    expect(three.stdout).toMatch(new RegExp(`Lượt phát này thay thế ${firstId}, ${secondId} trên các cụm loa này`));
    const both = await loa(['broadcast', 'play', '--media', 'long', '--clusters', 'q-cli', '--now', '--at', '23:59']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--now or --at, not both/);
  });
});

// The test issue 4 asks for: a real `loa-edge` child process reaches the real hub only through a
// TCP proxy the test cuts (a blackhole: nothing passes, nothing closes, like a 4G link that lost
// its carrier). A scheduled programme due a few seconds after the cut still plays on time, from
// the box's cache and plan; once the link is back the hub's log has it, once, as played offline.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EdgeProcess } from '../harness/edge-process.js';
import { spawnEdgeWithCa as spawnEdge } from './helpers/edge-process.js';
import { epochToZoned, formatTimeOfDay } from '../hub/schedule/calendar.js';
import { planSchema, playLogEntrySchema, type PlanItem } from '../protocol/index.js';
import { decodedDurationS, makeTone } from './helpers/audio.js';
import { startTestHub, waitFor, type TestHub } from './helpers/hub.js';
import { LinkProxy } from './helpers/hub-link-proxy.js';
import { makeTempDir } from './helpers/tmp.js';

const TZ = 'Asia/Ho_Chi_Minh';
const ID = 'ban-xa';
const tmp = makeTempDir('loa-edge-offline-');
let t: TestHub;
let proxy: LinkProxy;
let edge: EdgeProcess;
let mediaId = '';

const dataDir = () => join(edge.dir, 'data');
const playLogLines = () => {
  const f = join(dataDir(), 'playlog.jsonl');
  return existsSync(f)
    ? readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
    : [];
};
const explain = (e: Error) => new Error(`${e.message}\n--- daemon output ---\n${edge.output().slice(-4000)}`);

beforeAll(async () => {
  t = await startTestHub({ config: { dispatch: { leadMs: 1000 } } });
  const { secret } = await t.addCluster(ID, { village: 'Bản Xa' });
  const wav = makeTone(join(tmp.path, 'tin.wav'), 2);
  const up = await t.api<{ media: { id: string } }>('POST', '/api/v1/media?name=tin-offline', readFileSync(wav), { headers: { accept: 'application/json' } });
  if (up.status !== 201) throw new Error(`import failed: ${JSON.stringify(up.body)}`);
  mediaId = up.body.media.id;
  proxy = new LinkProxy({ host: '127.0.0.1', port: t.addresses.mqttsPort! });
  await proxy.start();
  edge = spawnEdge({
    hubKeys: t.hub.hubKeys(),
    clusterId: ID,
    secret,
    mqttUrl: `mqtts://127.0.0.1:${proxy.port}`,
    httpUrl: t.addresses.httpUrl,
    dir: join(tmp.path, ID),
    // A dead link is noticed in about two keep-alives on both sides.
    keepaliveSec: 1,
    reconnect: { minMs: 200, maxMs: 1000 },
    healthIntervalSec: 1,
  });
  await waitFor(() => t.hub.store.clusters.get(ID)?.online, { what: 'the daemon online', timeoutMs: 15_000 }).catch((e: Error) => {
    throw explain(e);
  });
}, 30_000);

afterAll(async () => {
  await edge?.stop();
  await proxy?.stop();
  await t?.stop();
  tmp.remove();
});

describe('loa-edge with its link to the hub cut', () => {
  it('plays a scheduled item on time from its plan and cache while cut; the hub logs it once, played offline', async () => {
    // A programme at a fixed local time ~8 s from now (the real clock: the daemon runs on it).
    const startAt = Math.ceil((Date.now() + 8000) / 1000) * 1000;
    const at = formatTimeOfDay(epochToZoned(TZ, startAt).seconds);
    const yaml = [
      `site: test`,
      `timezone: ${TZ}`,
      `programmes:`,
      `  - id: tin-mat-mang`,
      `    at: "${at}"`,
      `    clusters: [${ID}]`,
      `    items: [tin-offline]`,
      '',
    ].join('\n');
    const applied = t.hub.schedules.apply(yaml, 'x.yaml', 'test', false);
    // Outside every slot: a warning, not an error.
    expect(applied.problems.filter((p) => p.severity === 'error')).toEqual([]);

    // The daemon keeps the plan on disk and has the media in its cache before the cut.
    let item: PlanItem | undefined;
    await waitFor(
      () => {
        const f = join(dataDir(), 'plan.json');
        item = existsSync(f) ? planSchema.parse(JSON.parse(readFileSync(f, 'utf8'))).items.find((i) => i.startAt === startAt) : undefined;
        return item;
      },
      { what: 'the plan on the daemon disk' },
    ).catch((e: Error) => {
      throw explain(e);
    });
    expect(item!.media.id).toBe(mediaId);
    await waitFor(() => t.hub.store.health.latest(ID)?.cache?.planMissingBytes === 0 && existsSync(join(dataDir(), 'media', mediaId)), {
      what: 'media cached',
    });

    proxy.freeze();
    await waitFor(() => !t.hub.store.clusters.get(ID)?.online, { what: 'the hub to notice the cut', timeoutMs: 5000 });
    // Cut before the hub would have sent the play (leadMs 1 s): the box is on its own.
    expect(Date.now()).toBeLessThan(startAt - 1000);

    const broadcastId = item!.broadcastId;
    const lines = await waitFor(() => (playLogLines().length > 0 ? playLogLines() : null), {
      what: 'the offline play logged',
      timeoutMs: startAt + 8000 - Date.now(),
    }).catch((e: Error) => {
      throw explain(e);
    });
    // Still cut: this was played with no word from the hub.
    expect(proxy.liveSessions).toBe(0);
    expect(lines).toHaveLength(1);
    const entry = playLogEntrySchema.parse(JSON.parse(lines[0]!));
    expect(entry).toMatchObject({ broadcastId, outcome: 'finished' });
    // From the top (a timer firing a millisecond late makes it seek by that much).
    expect(entry.startOffsetMs).toBeLessThan(50);
    expect(Math.abs(entry.startedAt - startAt)).toBeLessThan(250);
    expect(entry.positionMs).toBeGreaterThan(1900);
    // The sink's WAV is named by startAt and broadcast, and holds the whole item.
    const wav = join(edge.sinkDir, `${startAt}-${broadcastId}.wav`);
    expect(existsSync(wav)).toBe(true);
    expect(decodedDurationS(wav)).toBeCloseTo(2, 1);
    // The daemon's own estimate of its start error (hub time), logged as it started: its first
    // sample within 100 ms of startAt. ffmpeg takes a moment from spawn to first sample (a few ms
    // for a static build, 100-450 ms for Debian's, which loads its shared libraries); the box
    // measured that at start-up and spawned it that much before startAt.
    const started = edge
      .output()
      .split('\n')
      .filter((l) => l.includes('"playback started"') && l.includes(broadcastId))
      .map((l) => JSON.parse(l) as { startErrorMs: number; startupLatencyMs: number });
    expect(started).toHaveLength(1);
    expect(started[0]!.startupLatencyMs).toBeGreaterThan(0);
    expect(Math.abs(started[0]!.startErrorMs)).toBeLessThan(100);

    proxy.thaw();
    const target = await waitFor(
      () => (t.hub.store.broadcasts.target(broadcastId, ID)?.reason === 'played-offline' ? t.hub.store.broadcasts.target(broadcastId, ID) : null),
      {
        what: 'the play log merged',
        timeoutMs: 10_000,
      },
    ).catch((e: Error) => {
      throw explain(e);
    });
    expect(target.status).toBe('finished');
    const log = t.hub.store.broadcasts.log({ from: startAt - 3600_000, to: startAt + 3600_000, clusterId: ID }).filter((e) => e.broadcastId === broadcastId);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ outcome: 'played', reason: 'played-offline', startedAt: entry.startedAt });
    // Removed from the box once the hub confirmed it, and not sent twice.
    await waitFor(() => playLogLines().length === 0, { what: 'the play log emptied' });
    expect(t.hub.playlog.merged).toBe(1);
  }, 30_000);
});

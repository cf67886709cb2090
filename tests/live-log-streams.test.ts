// Live streams in the broadcast log: a relay started by POST /api/v1/live and a pushed announcement
// (POST /api/v1/live/push) each get an ad-hoc broadcast row with one target per cluster that follows
// the simulated boxes' acks and closes at the stream's end; GET /api/v1/log and /api/v1/broadcasts show them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BroadcastRow, LogEntry } from '../hub/store/index.js';
import { makeTone } from './helpers/audio.js';
import { waitFor, type TestHub } from './helpers/hub.js';
import { startUpstream, type Upstream } from './helpers/live-upstream.js';
import { startSimRig, type SimRig } from './helpers/sim-rig.js';

describe('live streams in the broadcast log', () => {
  const ids = ['sim-log-1', 'sim-log-2'];
  let rig: SimRig;
  let t: TestHub;
  let up: Upstream;

  beforeAll(async () => {
    up = await startUpstream();
    rig = await startSimRig({ prefix: 'loa-live-log-', ids });
    t = rig.t;
  });
  afterAll(async () => {
    await rig?.stop();
    await up?.close();
  });

  const log = async (broadcastId: string) =>
    (await t.api<{ entries: LogEntry[] }>('GET', '/api/v1/log?from=0')).body.entries.filter((e) => e.broadcastId === broadcastId);

  it('a relay started by hand: one row, targets follow the acks, stopped with the lost time noted', async () => {
    const r = await t.api<{ stream: { id: string } }>('POST', '/api/v1/live', { source: { url: up.url }, clusters: ids });
    expect(r.status).toBe(201);
    const id = r.body.stream.id;
    // No end time given: it ends after live.maxOpenHours (24), which the row plans and the boxes get.
    const info = t.hub.live.get(id)!;
    expect(info.until! - info.startedAt).toBeGreaterThan(23.9 * 3600_000);
    expect(t.hub.store.broadcasts.get(id)!.plannedEnd).toBe(info.until);
    // The row's targets follow the boxes' acks, as for a media broadcast.
    await waitFor(async () => (await log(id)).every((e) => e.status === 'started') && (await log(id)).length === 2, { what: 'targets started' });
    const running = await log(id);
    expect(running.map((e) => e.clusterId)).toEqual(ids);
    expect(running[0]).toMatchObject({ kind: 'adhoc', priority: 'live', streamUrl: up.url, mediaName: `relay ${up.url}`, outcome: 'pending' });
    expect(running[0]!.acceptedAt).not.toBeNull();
    // The station goes away for a while and comes back: the relay is lost meanwhile.
    await waitFor(() => t.hub.live.get(id)!.state === 'live' && t.hub.live.get(id)!.audioMs > 1000, { what: 'station audio flowing', timeoutMs: 10_000 });
    await up.kill();
    await waitFor(() => t.hub.live.get(id)!.state === 'gap', { what: 'gap noticed', timeoutMs: 15_000 });
    await new Promise((res) => setTimeout(res, 1200));
    await up.revive();
    await waitFor(() => t.hub.live.get(id)!.state === 'live', { what: 'relay recovered', timeoutMs: 15_000 });
    expect((await t.api('DELETE', `/api/v1/live/${id}`)).status).toBe(200);
    const done = await log(id);
    expect(done.map((e) => [e.clusterId, e.status, e.outcome])).toEqual(ids.map((c) => [c, 'stopped', 'partial']));
    for (const e of done) {
      expect(e.detail).toMatch(/relay lost \d+ s/);
      expect(e.playedMs).toBeGreaterThan(0);
      expect(e.reason).toBe('stop-command');
    }
    // `loa broadcast list` (GET /api/v1/broadcasts) shows it, stopped.
    const list = (await t.api<{ broadcasts: (BroadcastRow & { status: string })[] }>('GET', '/api/v1/broadcasts')).body.broadcasts;
    expect(list.find((b) => b.id === id)).toMatchObject({ streamUrl: up.url, status: 'stopped' });
    // Late acks of the stop change nothing: the row stays closed.
    await new Promise((res) => setTimeout(res, 300));
    expect((await log(id)).map((e) => e.status)).toEqual(['stopped', 'stopped']);
  }, 60_000);

  it('a relay with an end time: the targets finish, and the log says played', async () => {
    const r = await t.api<{ stream: { id: string } }>('POST', '/api/v1/live', { source: { url: up.url }, clusters: ids, until: Date.now() + 1500 });
    const id = r.body.stream.id;
    await waitFor(async () => (await log(id)).every((e) => e.status === 'finished'), { what: 'finished at until', timeoutMs: 8000 });
    expect((await log(id)).map((e) => e.outcome)).toEqual(['played', 'played']);
    expect((await log(id))[0]!.detail).toBeNull();
  }, 15_000);

  it('a relay whose station never sent any audio: the whole time is noted as lost, not logged as played clean', async () => {
    // Nothing listens on this port: the hub's ffmpeg never gets a byte from the station.
    const gone = await startUpstream();
    const deadUrl = gone.url;
    await gone.close();
    const r = await t.api<{ stream: { id: string } }>('POST', '/api/v1/live', { source: { url: deadUrl }, clusters: ids, until: Date.now() + 2500 });
    const id = r.body.stream.id;
    await waitFor(() => t.hub.live.get(id)!.state === 'ended', { what: 'relay ended at until', timeoutMs: 12_000 });
    expect(t.hub.live.get(id)!.audioMs).toBe(0);
    await waitFor(async () => (await log(id)).every((e) => e.detail !== null), { what: 'the lost time noted', timeoutMs: 5_000 }).catch(() => undefined);
    for (const e of await log(id)) expect(e.detail).toMatch(/relay lost \d+ s/);
  }, 20_000);

  it("`loa broadcast stop` on a relay's row stops the boxes and ends the hub's stream", async () => {
    const r = await t.api<{ stream: { id: string } }>('POST', '/api/v1/live', { source: { url: up.url }, clusters: ids });
    const id = r.body.stream.id;
    await waitFor(async () => (await log(id)).every((e) => e.status === 'started'), { what: 'targets started' });
    const stop = await t.api<{ stopped: { broadcastId: string }[] }>('POST', '/api/v1/broadcasts/stop', { broadcastId: id });
    expect(stop.body.stopped.map((s) => s.broadcastId)).toEqual([id, id]);
    await waitFor(() => t.hub.live.get(id)!.state === 'ended', { what: 'stream ended' });
    await waitFor(async () => (await log(id)).every((e) => e.status === 'stopped'), { what: 'targets stopped' });
  }, 20_000);

  it('a pushed announcement: one row named after the operator, finished when the push ends', async () => {
    const tone = makeTone(join(rig.tmp.path, 'loi-nhan.mp3'), 3);
    const res = await fetch(`${t.addresses.httpUrl}/api/v1/live/push?clusters=${ids.join(',')}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'audio/mpeg' },
      body: readFileSync(tone),
    });
    expect(res.status).toBe(200);
    const out = (await res.json()) as { stream: { id: string; createdBy: string }; end: string };
    expect(out.end).toBe('ended');
    const entries = await log(out.stream.id);
    expect(entries.map((e) => e.clusterId)).toEqual(ids);
    for (const e of entries) {
      expect(e).toMatchObject({ kind: 'adhoc', priority: 'live', streamUrl: `live:${out.stream.createdBy || 'operator'}` });
      expect(['played', 'partial']).toContain(e.outcome);
      expect(['finished', 'stopped']).toContain(e.status);
    }
  }, 20_000);
});

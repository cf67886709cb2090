// The broadcast log's outcome of an item that played to its planned end: a real loa-edge hands over
// from one item to the next at the next one's start, so an item followed at once by another ends
// `stopped/replaced` a few ms before its audio would have (ffmpeg starts a moment after startAt);
// it played its whole planned length and is `played`, in the log and in the monthly report. Rows
// written by older hubs are read the same way (the outcome is derived when read).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { epochToZoned, formatTimeOfDay } from '../hub/schedule/calendar.js';
import { openStore } from '../hub/store/index.js';
import type { LogEntry } from '../hub/store/index.js';
import { makeTone } from './helpers/audio.js';
import { startEdge, type EdgeUnderTest } from './helpers/daemon-edge.js';
import { startTestHub, waitFor, type TestHub } from './helpers/hub.js';
import { makeTempDir } from './helpers/tmp.js';

const TZ = 'Asia/Ho_Chi_Minh';
const tmp = makeTempDir('loa-log-outcomes-');
let t: TestHub | null = null;
let edge: EdgeUnderTest | null = null;
afterAll(async () => {
  await edge?.stop();
  await t?.stop();
  tmp.remove();
});

describe('an item followed at once by the next one', () => {
  it('on a real loa-edge ends stopped/replaced at its planned end and is logged and reported played', async () => {
    t = await startTestHub({ dataDir: join(tmp.path, 'hub'), config: { dispatch: { leadMs: 2000 } } });
    const { secret } = await t.addCluster('edge-a');
    for (const [name, hz] of [
      ['tone-a', 440],
      ['tone-b', 660],
    ] as const) {
      const wav = makeTone(join(tmp.path, `${name}.wav`), 2, hz);
      const up = await t.api('POST', `/api/v1/media?name=${name}`, readFileSync(wav), { headers: { accept: 'application/json' } });
      expect(up.status).toBe(201);
    }
    edge = await startEdge({ clusterId: 'edge-a', secret, mqttUrl: t.addresses.mqttUrl, httpUrl: t.addresses.httpUrl, dataDir: join(tmp.path, 'edge-a') });
    await waitFor(() => t!.hub.store.clusters.get('edge-a')?.online, { what: 'edge-a online' });

    // Two items back to back, starting on a whole second a few seconds from now.
    const startAt = Math.ceil((Date.now() + 5000) / 1000) * 1000;
    const at = formatTimeOfDay(epochToZoned(TZ, startAt).seconds);
    const file = `site: test\ntimezone: ${TZ}\nprogrammes:\n  - id: hai-ban-tin\n    at: "${at}"\n    clusters: [edge-a]\n    items: [tone-a, tone-b]\n`;
    expect(t.hub.schedules.apply(file, 'lich.yaml', 'test', false).problems.filter((p) => p.severity === 'error')).toEqual([]);

    const rows = () => t!.hub.store.broadcasts.log({ from: startAt - 1, to: startAt + 5000 });
    await waitFor(() => rows().length === 2 && rows().every((r) => r.status !== 'sent' && r.status !== 'accepted' && r.status !== 'started'), {
      what: 'both items over',
      timeoutMs: 20_000,
    });
    const [first, second] = rows() as [LogEntry, LogEntry];
    // What the box said: the first item was replaced by the second at the second one's start, or
    // it reached its media's end a moment before (its ffmpeg started its startup lead early)…
    expect(first).toMatchObject({ mediaName: 'tone-a', plannedEnd: startAt + 2000 });
    expect([`${first.status}`, `${first.status}/${first.reason}`]).toContainEqual(expect.stringMatching(/^(finished|stopped\/replaced)$/));
    expect(first.finishedAt! - first.plannedEnd!).toBeLessThan(1000);
    // …which is the end the schedule planned for it: it played whole.
    expect(first.outcome).toBe('played');
    expect(second).toMatchObject({ mediaName: 'tone-b', outcome: 'played' });

    const month = epochToZoned(TZ, startAt).date.slice(0, 7);
    const r = await t.api<{ clusters: { clusterId: string; played: number; partial: number }[] }>('GET', `/api/v1/report?month=${month}`);
    expect(r.body.clusters.find((c) => c.clusterId === 'edge-a')).toMatchObject({ played: 2, partial: 0 });
  }, 40_000);
});

describe('outcomes of stored rows, old and new', () => {
  it('a stop at the planned end is played; a stop before it, a late join or a resume stays partial', () => {
    const store = openStore(join(tmp.path, 'old'), { now: () => 0, setTimeout: () => ({ cancel: () => undefined }) });
    const start = Date.UTC(2026, 10, 2, 22, 0, 0);
    const rows: [string, { finishedAt: number; segments?: number; firstOffsetMs?: number }, string][] = [
      ['at-end', { finishedAt: start + 60_000 }, 'played'],
      ['just-before', { finishedAt: start + 59_200 }, 'played'],
      ['cut-early', { finishedAt: start + 50_000 }, 'partial'],
      ['resumed', { finishedAt: start + 60_000, segments: 2 }, 'partial'],
      ['joined-late', { finishedAt: start + 60_000, firstOffsetMs: 20_000 }, 'partial'],
    ];
    store.media.upsert({ id: 'm1', name: 'tin', originalName: 'tin.mp3', durationMs: 60_000, bytes: 1, format: 'ogg/opus', createdAt: 0 });
    for (const [id, r] of rows) {
      store.broadcasts.ensure({
        id,
        mediaId: 'm1',
        startAt: start,
        plannedEnd: start + 60_000,
        createdAt: 0,
        createdBy: 'schedule',
        volume: null,
        kind: 'schedule',
        priority: 'normal',
        programmeId: 'p',
        programmeName: 'p',
      });
      store.broadcasts.ensureTarget(id, 'c1', 0);
      // As an older hub stored a box's stopped/replaced ack.
      store.broadcasts.updateTarget(
        id,
        'c1',
        {
          status: 'stopped',
          reason: 'replaced',
          startedAt: start,
          finishedAt: r.finishedAt,
          playedMs: r.finishedAt - start,
          segments: r.segments ?? 1,
          firstOffsetMs: r.firstOffsetMs ?? 0,
        },
        r.finishedAt,
      );
    }
    const log = store.broadcasts.log({ from: start, to: start });
    expect(Object.fromEntries(log.map((e) => [e.broadcastId, e.outcome]))).toEqual(Object.fromEntries(rows.map(([id, , o]) => [id, o])));
    store.db.close();
  });
});

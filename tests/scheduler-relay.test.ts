// Schedule `relay:` items on a simulated day: a relay of a local "station" (an HTTP server serving
// MP3) plays on its zone's clusters from the item's start to its end, one hub stream for the zone,
// other zones untouched; an emergency in the middle preempts it and it resumes at the live point.
// The schedule runs on a FakeClock while the live engine's ffmpeg reads the station in real time:
// the simulated boxes do not pull audio, so the test checks the plays, their acks and that the
// hub's stream reached the station, not the audio (tests/live-*.test.ts do that with real daemons).
import { afterEach, describe, expect, it } from 'vitest';
import type { Command } from '../protocol/index.js';
import { validateSchedule } from '../hub/schedule/validate.js';
import { startUpstream, type Upstream } from './helpers/live-upstream.js';
import { NA_LONG, naLongRelaySchedule, smallContext } from './helpers/schedule-fixtures.js';
import { waitFor } from './helpers/hub.js';
import type { Hub } from '../hub/hub.js';
import { local, restartHub, SITE, endRadioDay, startRadioDay, type RadioDay } from './helpers/radio-day.js';

let day: RadioDay | null = null;
let upstream: Upstream | null = null;
let extraHub: Hub | null = null;
afterEach(async () => {
  await endRadioDay(day, extraHub);
  extraHub = null;
  await upstream?.close();
  day = null;
  upstream = null;
});

const date = '2026-12-02';
const schedule = (url: string) => naLongRelaySchedule(url, 90);

describe('schedule relay items', () => {
  it('relays a station on its zone from start to end; an emergency preempts it and it resumes', async () => {
    upstream = await startUpstream();
    day = await startRadioDay(local(date, '19:59:00'));
    const { t, clock } = day;
    const applied = t.hub.schedules.apply(schedule(upstream.url), 'relay.yaml', 'test', false);
    expect(applied.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const short = 'c'.repeat(64);
    t.hub.store.media.upsert({
      id: short,
      name: 'canh-bao-ngan',
      originalName: 'c.mp3',
      durationMs: 10_000,
      bytes: 40_000,
      format: 'ogg/opus',
      createdAt: clock.now(),
    });

    // Every command the hub sends and every ack it hears, on the simulated clock.
    const cmds: (Command & { clusterId: string })[] = [];
    const publish = t.hub.broker.publish.bind(t.hub.broker);
    t.hub.broker.publish = (topic, payload, o) => {
      if (topic.endsWith('/cmd')) cmds.push({ ...(JSON.parse(String(payload)) as Command), clusterId: topic.split('/').at(-2)! });
      return publish(topic, payload, o);
    };
    const acks: { clusterId: string; cmdId: string; status: string; at: number }[] = [];
    t.hub.bus.on(acks, 'ack', ({ clusterId, ack, receivedAt }) => acks.push({ clusterId, cmdId: ack.cmdId, status: ack.status, at: receivedAt }));
    // Opening the stream takes real time (the first one encodes the hub's silence): wait for it
    // before the simulated clock moves on, as for any command in flight.
    const quiet = async () => {
      await day!.quiet();
      await t.hub.scheduler.relays.settled();
      await day!.quiet();
    };

    await clock.runUntil(local(date, '20:00:30'), quiet);
    const e = t.hub.schedules.startEmergency({ zones: ['na-long'], mediaId: short, repeat: false, volume: 100, by: 'test' });
    await clock.runUntil(local(date, '20:02:00'), quiet);

    const start = local(date, '20:00:00');
    const end = local(date, '20:01:30');
    const emergencyOn = e.startedAt + 1500;
    const emergencyOff = emergencyOn + 10_000;
    const plays = (c: string) => cmds.filter((x) => x.clusterId === c && x.type === 'play');
    const acksOf = (cmdId: string) => acks.filter((a) => a.cmdId === cmdId).map((a) => [a.status, a.at]);
    const urls = new Set<string>();
    for (const c of NA_LONG) {
      const p = plays(c);
      // The relay, the emergency's media (preempting it), the relay again.
      expect(
        p.map((x) => (x.type === 'play' && x.stream ? 'stream' : 'media')),
        c,
      ).toEqual(['stream', 'media', 'stream']);
      const [first, em, again] = p as Extract<Command, { type: 'play' }>[];
      // The item's start and end; the stream from the hub, not the station's address.
      expect(first).toMatchObject({ startAt: start, stopAt: end, offsetMs: 0, stream: { format: 'mp3' } });
      expect(first!.stream!.url).toMatch(/^\/api\/v1\/live\/live-[0-9a-f]+$/);
      expect(acksOf(first!.id)).toContainEqual(['started', start]);
      expect(acksOf(first!.id).map((a) => a[0])).not.toContain('finished');
      expect(em).toMatchObject({ startAt: emergencyOn, media: { id: short } });
      // After the warning: the same stream again, at the live point (no offset), to the same end.
      expect(again).toMatchObject({ broadcastId: first!.broadcastId, startAt: emergencyOff, stopAt: end, offsetMs: 0, stream: first!.stream });
      expect(acksOf(again!.id)).toEqual(
        expect.arrayContaining([
          ['started', emergencyOff],
          ['finished', end],
        ]),
      );
      urls.add(first!.stream!.url);
    }
    // One stream (one ffmpeg) for the zone's two clusters, and it really read the station.
    expect(urls.size).toBe(1);
    await waitFor(() => upstream!.requests >= 1, { what: 'the hub reading the station' });
    const streams = t.hub.live.list().filter((s) => 'url' in s.source && s.source.url === upstream!.url);
    expect(streams).toHaveLength(1);
    // It ends by itself a moment after the item's end.
    expect(streams[0]!.state).toBe('ended');
    // Other zones are untouched.
    for (const c of SITE.clusters.map((x) => x.id).filter((x) => !NA_LONG.includes(x))) expect(plays(c), c).toEqual([]);

    // The broadcast log: one row per cluster of the zone, named after the station, cut by the
    // emergency and resumed (partial: two segments), finished at the item's end.
    const log = t.hub.store.broadcasts.log({ from: local(date, '19:00:00'), to: local(date, '21:00:00') }).filter((x) => x.kind === 'schedule');
    expect(log.map((x) => x.clusterId)).toEqual(NA_LONG);
    const lostMs = streams[0]!.gaps.reduce((sum, g) => sum + g.lengthMs, 0);
    for (const row of log) {
      expect(row).toMatchObject({
        mediaName: `relay ${upstream.url}`,
        streamUrl: upstream.url,
        mediaId: '',
        programmeId: 'tiep-song-vov',
        plannedStart: start,
        plannedEnd: end,
        outcome: 'partial',
        status: 'finished',
        finishedAt: end,
      });
      expect(t.hub.store.broadcasts.target(row.broadcastId, row.clusterId)).toMatchObject({ segments: 2, startedAt: start });
      // The live engine's ffmpeg runs in real time under a simulated clock that races ahead, so
      // whether the station "stalled" is not up to the test: the row says what the engine saw.
      // (The row is written at the item's end; a gap still open then runs on to the stream's end a
      // moment later, as does a station that never gave audio: they agree within a second.)
      if (lostMs < 500) expect(row.detail).toBeNull();
      else expect(Math.abs(Number(/^relay lost (\d+) s$/.exec(row.detail ?? '')?.[1]) - lostMs / 1000)).toBeLessThanOrEqual(1.5);
    }
    expect(log.every((x) => x.broadcastId === log[0]!.broadcastId)).toBe(true);
  });
});

describe('schedule relay items after a hub restart', () => {
  it('a hub back mid-relay opens the station again and joins the live point until the end', async () => {
    upstream = await startUpstream();
    day = await startRadioDay(local(date, '19:59:00'), { backoff: { minMs: 1000, maxMs: 3000 } });
    const { t, clock } = day;
    t.hub.schedules.apply(schedule(upstream.url), 'relay.yaml', 'test', false);
    const quietFor = (hub: Hub) => {
      const q = day!.quietFor(hub);
      return async () => {
        await q();
        await hub.scheduler.relays.settled();
        await q();
      };
    };
    await clock.runUntil(local(date, '20:00:30'), quietFor(t.hub));
    const before = t.hub.live.list().find((s) => s.state !== 'ended')!;
    expect(before).toBeDefined();
    // Ten seconds with no hub: the stream (in the hub's memory) is gone with it.
    extraHub = await restartHub(day, local(date, '20:00:40'), 500);
    // The new hub sends the relay again once the boxes have said what they play (before this
    // returns, so its commands are checked through the store, not a publish hook).
    await clock.runUntil(local(date, '20:02:00'), quietFor(extraHub));
    const end = local(date, '20:01:30');
    const again = extraHub.live.list().filter((s) => 'url' in s.source && s.source.url === upstream!.url);
    expect(again).toHaveLength(1);
    expect(again[0]!.id).not.toBe(before.id);
    const rows = extraHub.store.broadcasts.log({ from: local(date, '19:00:00'), to: local(date, '21:00:00') }).filter((x) => x.kind === 'schedule');
    expect(rows.map((r) => [r.clusterId, r.status, r.finishedAt])).toEqual(NA_LONG.map((c) => [c, 'finished', end]));
    for (const r of rows) {
      // Started at 20:00:00, then again after the restart (a second segment, at the live point).
      expect(extraHub.store.broadcasts.target(r.broadcastId, r.clusterId)).toMatchObject({ segments: 2, startedAt: local(date, '20:00:00') });
      expect(extraHub.store.broadcasts.target(r.broadcastId, r.clusterId)!.sentAt).toBeGreaterThan(local(date, '20:00:40'));
    }
  });
});

describe('relay items in the schedule file', () => {
  const file = (item: string[]) =>
    `${[
      'site: t',
      'slots:',
      '  sang: { start: "05:00", end: "07:30" }',
      'programmes:',
      '  - id: p1',
      '    slot: sang',
      '    clusters: [a1]',
      '    items:',
      ...item,
    ].join('\n')}\n`;
  const problems = (item: string[]) =>
    validateSchedule(file(item), 'lich.yaml', smallContext()).problems.map((p) => `${p.code} ${p.line}:${p.col} ${p.message}`);

  it('accepts an http(s) address with a duration; the item lasts that long', () => {
    const r = validateSchedule(file(['      - relay: https://stream.example.vn/vov1.mp3', '        duration: 30m']), 'lich.yaml', smallContext());
    expect(r.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(r.schedule!.programmes[0]!.items[0]).toMatchObject({ kind: 'relay', url: 'https://stream.example.vn/vov1.mp3', durationMs: 30 * 60_000 });
  });

  it('refuses other schemes, over-long and malformed addresses, and a relay without a length', () => {
    expect(problems(['      - relay: ftp://vov.vn/live.mp3', '        duration: 30m'])).toEqual([
      expect.stringMatching(/^SCHEDULE_BAD_RELAY_URL 9:16 .*only http:\/\/ and https:\/\//),
    ]);
    expect(problems([`      - relay: http://vov.vn/${'a'.repeat(2100)}`, '        duration: 30m'])).toEqual([
      expect.stringMatching(/^SCHEDULE_BAD_RELAY_URL 9:16 .*longer than 2048/),
    ]);
    expect(problems(['      - relay: "http://"', '        duration: 30m'])).toEqual([
      expect.stringMatching(/^SCHEDULE_BAD_RELAY_URL 9:16 .*not a valid address/),
    ]);
    expect(problems(['      - relay: http://vov.vn/live.mp3'])).toEqual([expect.stringMatching(/^SCHEDULE_MISSING_KEY 9:9 .*needs `duration`/)]);
    expect(problems(['      - relay: http://vov.vn/live.mp3', '        duration: lau'])).toEqual([expect.stringMatching(/^SCHEDULE_BAD_DURATION 10:19 /)]);
  });
});

// Filler hidden by a scheduled priority relay (simulated day, FakeClock): the rounds of background
// music that fall entirely under the relay never go to the boxes; the log says they were preempted
// by it, not missed, so the district report does not count them as failures.
import { afterEach, describe, expect, it } from 'vitest';
import { startUpstream, type Upstream } from './helpers/live-upstream.js';
import { NA_LONG } from './helpers/schedule-fixtures.js';
import { local, endRadioDay, startRadioDay, type RadioDay } from './helpers/radio-day.js';

let day: RadioDay | null = null;
let upstream: Upstream | null = null;
afterEach(async () => {
  await endRadioDay(day);
  await upstream?.close();
  day = null;
  upstream = null;
});

const date = '2026-12-02';
/** Filler (5 min of nhac-nen, 10 s of silence) from 17:00 to 17:20; a priority relay on Nà Lóng 17:06–17:16. */
const schedule = (url: string): string => `site: tu-le
timezone: Asia/Ho_Chi_Minh
zones:
  na-long: [na-long-1, na-long-2]
slots:
  chieu: { start: "17:00", end: "17:20" }
programmes:
  - id: nhac-nen-chieu
    slot: chieu
    zones: [all]
    priority: nen
    repeat: true
    items: [nhac-nen, { silence: 10s }]
  - id: tiep-song-vov
    at: "17:06"
    zones: [na-long]
    priority: uu-tien
    items:
      - relay: "${url}"
        duration: 10m
`;

describe('filler under a scheduled relay', () => {
  it('is logged preempted by the relay, both the round it cut and the round it hid', async () => {
    upstream = await startUpstream();
    day = await startRadioDay(local(date, '16:59:00'));
    const { t, clock } = day;
    const applied = t.hub.schedules.apply(schedule(upstream.url), 'relay.yaml', 'test', false);
    expect(applied.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const quiet = async () => {
      await day!.quiet();
      await t.hub.scheduler.relays.settled();
      await day!.quiet();
    };
    await clock.runUntil(local(date, '17:21:00'), quiet);

    const filler = (c: string) =>
      t.hub.store.broadcasts
        .log({ from: local(date, '17:00:00'), to: local(date, '17:20:00'), clusterId: c })
        .filter((e) => e.programmeId === 'nhac-nen-chieu');
    for (const c of NA_LONG) {
      const at = (hhmmss: string) => filler(c).find((e) => e.plannedStart === local(date, hhmmss));
      // 17:05:10–17:10:10 is cut at 17:06; 17:10:20–17:15:20 falls entirely under the relay.
      expect(at('17:05:10'), c).toMatchObject({ status: 'preempted', reason: 'preempted-by-priority', outcome: 'preempted' });
      expect(at('17:10:20'), c).toMatchObject({ status: 'preempted', reason: 'preempted-by-priority', outcome: 'preempted' });
      expect(at('17:10:20')!.detail, c).toContain('tiep-song-vov');
      // 17:15:30–17:20:00 (the slot's end) is heard again from 17:16 on.
      expect(at('17:15:30'), c).toMatchObject({ outcome: 'partial' });
      expect(
        filler(c).filter((e) => e.outcome === 'missed'),
        c,
      ).toEqual([]);
    }
    // Elsewhere the filler simply played.
    expect(filler('ban-luot').every((e) => e.outcome === 'played')).toBe(true);
    const r = await t.api<{ clusters: { clusterId: string; missed: number; preempted: number }[] }>('GET', '/api/v1/report?month=2026-12');
    for (const c of NA_LONG) expect(r.body.clusters.find((x) => x.clusterId === c)).toMatchObject({ missed: 0, preempted: 2 });
  }, 60_000);
});

// Preemption and joining: an emergency at 06:00 on one zone cuts the morning programme there
// only, and the programme resumes where it would have been; a hub restart at 06:10 joins the
// programme under way instead of restarting or skipping it.
import { afterEach, describe, expect, it } from 'vitest';
import type { Hub } from '../hub/hub.js';
import { local, restartHub, SITE, endRadioDay, startRadioDay, type RadioDay } from './helpers/radio-day.js';

let day: RadioDay | null = null;
let extraHub: Hub | null = null;
afterEach(async () => {
  await endRadioDay(day, extraHub);
  day = null;
  extraHub = null;
});

const date = '2026-12-02';
const NA_LONG = ['na-long-1', 'na-long-2'];

describe('emergency and restart', () => {
  it('an emergency at 06:00 preempts the na-long zone only; the programme resumes at the right offset', async () => {
    day = await startRadioDay(local(date, '05:50:00'));
    const { t, clock } = day;
    await clock.runUntil(local(date, '06:00:00'), day.quiet);
    // nhac-nen rounds of 5 min from 05:26:03: 05:56:03–06:01:03 is on air at 06:00.
    const running = t.hub.scheduler.wantedAt('na-long-1', clock.now())!;
    expect(running.programmeId).toBe('nhac-nen-sang');
    expect(running.startAt).toBe(local(date, '05:56:03'));

    const e = t.hub.schedules.startEmergency({ zones: ['na-long'], mediaId: day.mediaIds.get('canh-bao')!, repeat: false, volume: 100, by: 'test' });
    expect(e.clusters).toEqual(NA_LONG);
    await clock.runUntil(local(date, '06:10:00'), day.quiet);

    const log = t.hub.store.broadcasts.log({ from: local(date, '05:00:00'), to: local(date, '06:10:00') });
    const at = (c: string, start: string) => log.find((x) => x.clusterId === c && x.plannedStart === local(date, start) && x.kind === 'schedule');
    for (const c of NA_LONG) {
      expect(at(c, '05:56:03')?.outcome, c).toBe('preempted');
      const em = log.find((x) => x.clusterId === c && x.kind === 'emergency');
      expect(em?.outcome).toBe('played');
      expect(em?.startedAt).toBe(e.startedAt + 1500);
      // Right after the 90 s warning (on air 06:00:01.5–06:01:31.5) the round that began at
      // 06:01:03 is joined where it would be had it not been interrupted: 28.5 s in.
      expect(em?.finishedAt).toBe(local(date, '06:01:31') + 500);
      const resumed = at(c, '06:01:03')!;
      expect(resumed.outcome).toBe('partial');
      const t2 = t.hub.store.broadcasts.target(resumed.broadcastId, c)!;
      expect(t2.firstOffsetMs).toBe(28_500);
      expect(t2.startedAt).toBe(em!.finishedAt);
      expect(t2.finishedAt).toBe(local(date, '06:06:03'));
    }
    // A one-shot emergency ends by itself once its audio has played.
    expect(t.hub.store.schedules.activeEmergencies()).toEqual([]);
    expect(t.hub.store.schedules.emergencies(0, Number.MAX_SAFE_INTEGER)[0]).toMatchObject({ stoppedBy: 'ended', stoppedAt: local(date, '06:01:31') + 500 });
    for (const c of SITE.clusters.map((x) => x.id).filter((x) => !NA_LONG.includes(x))) {
      expect(at(c, '05:56:03')?.outcome, c).toBe('played');
      expect(at(c, '06:01:03')?.outcome, c).toBe('played');
      expect(log.some((x) => x.clusterId === c && x.kind === 'emergency')).toBe(false);
    }
  });

  // Over the morning programme (which then comes back): halfway through the 90 s warning, and 2 s
  // before its end, within the scheduler's lead, where the next round has been sent already.
  it.each([
    ['halfway through a round', 45_000],
    ['in the last seconds of a round', 88_000],
  ])("an emergency stopped %s stops there, not at the round's end", async (_when, intoRoundMs) => {
    day = await startRadioDay(local(date, '05:50:00'));
    const { t, clock } = day;
    await clock.runUntil(local(date, '06:00:00'), day.quiet);
    const e = t.hub.schedules.startEmergency({ zones: ['na-long'], mediaId: day.mediaIds.get('canh-bao')!, repeat: true, volume: 100, by: 'test' });
    // The first round of the 90 s warning is on air from 06:00:01.5.
    const stopAt = e.startedAt + 1500 + intoRoundMs;
    await clock.runUntil(stopAt, day.quiet);
    t.hub.schedules.stopEmergency('test', e.id);
    await clock.runUntil(stopAt + 10_000, day.quiet);
    const log = t.hub.store.broadcasts.log({ from: local(date, '05:50:00'), to: local(date, '06:05:00') });
    for (const c of NA_LONG) {
      const rounds = log.filter((x) => x.clusterId === c && x.kind === 'emergency');
      expect(rounds[0]).toMatchObject({ startedAt: e.startedAt + 1500, status: 'stopped', finishedAt: stopAt });
      // A round sent ahead never played.
      for (const r of rounds.slice(1)) expect(r.startedAt, c).toBeNull();
      // The programme's round under way is back on the cluster after the join lead.
      const round = t.hub.scheduler.wantedAt(c, stopAt)!;
      expect(round.kind).toBe('schedule');
      const back = t.hub.store.broadcasts.target(round.broadcastId, c)!;
      expect(back.segments, c).toBeGreaterThanOrEqual(1);
      expect(back.status, c).not.toBe('preempted');
      expect(back.startedAt === null ? null : Math.max(back.startedAt, back.segmentStartedAt ?? 0), c).toBeGreaterThan(stopAt);
      expect(back.segmentStartedAt ?? back.startedAt, c).toBeLessThan(stopAt + 3000);
    }
  });

  it('a hub restarted at 06:10 joins the item under way and plays the rest of the morning on time', async () => {
    day = await startRadioDay(local(date, '06:05:00'), { backoff: { minMs: 1000, maxMs: 3000 } });
    const { clock } = day;
    await clock.runUntil(local(date, '06:10:00'), day.quiet);
    const before = day.t.hub.scheduler.wantedAt('ta-cho', clock.now())!;
    expect(before.startAt).toBe(local(date, '06:06:03'));
    // Twenty seconds pass with no hub; the boxes keep playing on their own.
    extraHub = await restartHub(day, local(date, '06:10:20'), 500);
    await clock.runUntil(local(date, '06:40:00'), day.quietFor(extraHub));
    const log = extraHub.store.broadcasts.log({ from: local(date, '06:00:00'), to: local(date, '06:40:00') });
    for (const c of SITE.clusters) {
      const mine = log.filter((x) => x.clusterId === c.id);
      const under = mine.find((x) => x.plannedStart === before.startAt);
      // Adopted, not restarted: one segment from the start, finished at its planned end.
      expect(under?.outcome, c.id).toBe('played');
      expect(under?.finishedAt).toBe(local(date, '06:11:03'));
      const after = mine.filter((x) => x.plannedStart > before.startAt);
      expect(after.map((x) => x.plannedStart)).toEqual([local(date, '06:11:03'), local(date, '06:16:03'), local(date, '06:21:03'), local(date, '06:26:03')]);
      for (const x of after) {
        expect(x.outcome).toBe('played');
        expect(x.startedAt).toBe(x.plannedStart);
      }
    }
    await day.fleet.stop();
  });
});

describe('missed while the hub was down', () => {
  it('logs items that began and ended while the hub was down as missed, and joins the one under way', async () => {
    day = await startRadioDay(local(date, '06:08:00'), { backoff: { minMs: 20_000, maxMs: 60_000 } });
    const { clock } = day;
    await clock.runUntil(local(date, '06:12:00'), day.quiet);
    extraHub = await restartHub(day, local(date, '06:27:00'), 2000);
    await clock.runUntil(local(date, '06:35:00'), day.quietFor(extraHub));
    const log = extraHub.store.broadcasts.log({ from: local(date, '06:12:00'), to: local(date, '06:35:00') });
    for (const c of SITE.clusters) {
      const mine = log.filter((x) => x.clusterId === c.id);
      expect(
        mine.map((x) => [new Date(x.plannedStart).toISOString().slice(11, 19), x.outcome, x.reason]),
        c.id,
      ).toEqual([
        ['23:16:03', 'missed', 'hub-down'],
        ['23:21:03', 'missed', 'hub-down'],
        ['23:26:03', 'partial', null],
      ]);
      // Joined where it would be: the round began at 06:26:03 and is cut at 06:30 by `until`.
      const joined = mine[2]!;
      const target = extraHub.store.broadcasts.target(joined.broadcastId, c.id)!;
      expect(target.firstOffsetMs).toBeGreaterThanOrEqual(57_000);
      expect(joined.finishedAt).toBe(local(date, '06:30:00'));
    }
    await day.fleet.stop();
  });
});

describe('an operator announcement', () => {
  it('goes before the programme (ưu tiên), which resumes right after it where it would be', async () => {
    day = await startRadioDay(local(date, '05:58:00'));
    const { t, clock } = day;
    await clock.runUntil(local(date, '06:00:00'), day.quiet);
    const b = t.hub.dispatcher.play({ mediaId: day.mediaIds.get('canh-bao')!, clusterIds: ['ta-cho'], createdBy: 'test' });
    expect(b.startAt).toBe(local(date, '06:00:03'));
    await clock.runUntil(local(date, '06:12:00'), day.quiet);
    const log = t.hub.store.broadcasts.log({ from: local(date, '05:50:00'), to: local(date, '06:10:00'), clusterId: 'ta-cho' });
    const at = (start: string) => log.find((x) => x.plannedStart === local(date, start) && x.kind === 'schedule');
    expect(at('05:56:03')?.outcome).toBe('preempted');
    const mine = log.find((x) => x.kind === 'adhoc')!;
    expect(mine).toMatchObject({ outcome: 'played', startedAt: local(date, '06:00:03'), finishedAt: local(date, '06:01:33') });
    // The round due at 06:01:03 waited for the announcement, then joined 30 s in, with no gap.
    const resumed = at('06:01:03')!;
    expect(resumed.outcome).toBe('partial');
    expect(resumed.startedAt).toBe(local(date, '06:01:33'));
    expect(t.hub.store.broadcasts.target(resumed.broadcastId, 'ta-cho')!.firstOffsetMs).toBe(30_000);
    expect(at('06:06:03')?.outcome).toBe('played');
    // Other clusters were not touched (the round under way at 05:58, when this test's hub started, was joined late).
    const other = t.hub.store.broadcasts.log({ from: local(date, '05:50:00'), to: local(date, '06:10:00'), clusterId: 'bo-he' });
    expect(other.map((x) => x.outcome)).toEqual(['partial', 'played', 'played']);
  });
});

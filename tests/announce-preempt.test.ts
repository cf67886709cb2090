// An announcement read out by espeak-ng at 06:00 on the na-long zone, during the Tú Lệ morning
// programme on a simulated clock: the programme yields to it there only, and resumes right after it
// where it would have been (the real hub, scheduler and a simulated fleet; tests/helpers/radio-day.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { local, SITE, startRadioDay, type RadioDay } from './helpers/radio-day.js';
import { requireTool } from './helpers/tools.js';
import { priorityRank } from '../hub/schedule/model.js';

let day: RadioDay | null = null;
afterEach(async () => {
  await day?.stop();
  day = null;
});

const date = '2026-12-02';
const NA_LONG = ['na-long-1', 'na-long-2'];

describe.runIf(requireTool('espeak-ng'))('an announcement during a scheduled programme', () => {
  it('preempts the programme on its clusters, which resumes after it at the right offset', async () => {
    day = await startRadioDay(local(date, '05:50:00'));
    const { t, clock } = day;
    await clock.runUntil(local(date, '06:00:00'), day.quiet);
    expect(t.hub.scheduler.wantedAt('na-long-1', clock.now())!.programmeId).toBe('nhac-nen-sang');

    const { broadcast, media } = await t.hub.announce.announce({
      text: 'Thông báo: chiều nay 17 giờ họp dân tại nhà văn hoá bản.',
      chime: true,
      clusters: NA_LONG,
      by: 'test',
    });
    // On air dispatch.announceLeadMs after it is ready (the FakeClock stands still while it is made).
    expect(broadcast!.startAt).toBe(local(date, '06:00:00') + t.hub.config.dispatch.announceLeadMs);
    await clock.runUntil(local(date, '06:10:00'), day.quiet);

    const log = t.hub.store.broadcasts.log({ from: local(date, '05:00:00'), to: local(date, '06:10:00') });
    const at = (c: string, start: string) => log.find((x) => x.clusterId === c && x.plannedStart === local(date, start) && x.kind === 'schedule');
    for (const c of NA_LONG) {
      const a = log.find((x) => x.clusterId === c && x.broadcastId === broadcast!.id);
      expect(a?.outcome, c).toBe('played');
      expect(a?.startedAt).toBe(broadcast!.startAt);
      expect(a!.finishedAt).toBe(broadcast!.startAt + media.durationMs);
      // The 5-minute round under way yields for exactly the announcement and then goes on from
      // where it would be (a second segment): it misses only the announcement's length.
      const cut = at(c, '05:56:03')!;
      expect(cut.outcome, c).toBe('partial');
      const target = t.hub.store.broadcasts.target(cut.broadcastId, c)!;
      expect(target.segments).toBe(2);
      expect(target.playedMs).toBe(5 * 60_000 - media.durationMs);
      expect(target.finishedAt).toBe(local(date, '06:01:03'));
      expect(at(c, '06:01:03')?.outcome, c).toBe('played');
    }
    for (const c of SITE.clusters.map((x) => x.id).filter((x) => !NA_LONG.includes(x))) {
      expect(at(c, '05:56:03')?.outcome, c).toBe('played');
      expect(t.hub.store.broadcasts.target(at(c, '05:56:03')!.broadcastId, c)!.segments).toBe(1);
      expect(log.some((x) => x.clusterId === c && x.broadcastId === broadcast!.id)).toBe(false);
    }
  });
  it('ranks live: it holds off an ưu tiên (priority) item due during it, which then plays the rest', async () => {
    // Live outranks priority, and an emergency outranks live.
    expect(priorityRank('live')).toBeGreaterThan(priorityRank('priority'));
    expect(priorityRank('emergency')).toBeGreaterThan(priorityRank('live'));
    // 2026-12-05: the ưu tiên event "hop-dan-na-long" opens the afternoon slot on na-long with
    // thong-bao-hop, 2 s of silence, thong-bao-hop. The announcement starts 1 s before the second
    // one: ranked `priority` (as a hand broadcast) the newer programme item would cut it.
    const d = '2026-12-05';
    day = await startRadioDay(local(d, '16:58:00'));
    const { t, clock } = day;
    const entries = t.hub.schedules.plan(d, 'na-long-1').entries.filter((e) => e.programmeId === 'hop-dan-na-long');
    expect(entries.map((e) => e.item.kind)).toEqual(['media', 'silence', 'media']);
    expect(entries[0]!.priority).toBe('priority');
    const second = entries[2]!;
    await clock.runUntil(second.startAt - 1000 - t.hub.config.dispatch.announceLeadMs, day.quiet);

    const { broadcast, media } = await t.hub.announce.announce({ text: 'Mời bà con bản Nà Lóng đến nhà văn hoá.', chime: true, clusters: NA_LONG, by: 'test' });
    expect(broadcast!.startAt).toBe(second.startAt - 1000);
    expect(media.durationMs).toBeGreaterThan(2000);
    const end = broadcast!.startAt + media.durationMs;
    expect(t.hub.store.broadcasts.get(broadcast!.id)!.priority).toBe('live');
    await clock.runUntil(second.endAt + 10_000, day.quiet);

    const log = t.hub.store.broadcasts.log({ from: local(d, '16:00:00'), to: second.endAt + 10_000 });
    for (const c of NA_LONG) {
      const a = log.find((x) => x.clusterId === c && x.broadcastId === broadcast!.id);
      expect(a?.outcome, c).toBe('played');
      expect(a!.finishedAt).toBe(end);
      // The programme item waits for the announcement's end, then plays from where it would be.
      const item = log.find((x) => x.clusterId === c && x.kind === 'schedule' && x.plannedStart === second.startAt)!;
      const target = t.hub.store.broadcasts.target(item.broadcastId, c)!;
      expect(target.startedAt, c).toBe(end);
      expect(target.firstOffsetMs).toBe(end - second.startAt);
      expect(target.finishedAt).toBe(second.endAt);
      expect(target.playedMs).toBe(second.endAt - end);
    }
  });
});

// A relay started by hand in the middle of a scheduled programme (simulated day, FakeClock): its
// ad-hoc broadcast row makes the schedule yield (the programme is logged preempted, not stopped for
// silence), and once the relay is stopped the programme comes back at the live point.
import { afterEach, describe, expect, it } from 'vitest';
import type { Command } from '../protocol/index.js';
import { startUpstream, type Upstream } from './helpers/live-upstream.js';
import { NA_LONG, naLongRelaySchedule } from './helpers/schedule-fixtures.js';
import { local, endRadioDay, startRadioDay, type RadioDay } from './helpers/radio-day.js';

let day: RadioDay | null = null;
const ups: Upstream[] = [];
afterEach(async () => {
  await endRadioDay(day);
  for (const u of ups.splice(0)) await u.close();
  day = null;
});

const date = '2026-12-02';
const schedule = (url: string) => naLongRelaySchedule(url, 120);

describe('a hand-started relay against the schedule', () => {
  it('the programme yields to it and resumes after it is stopped', async () => {
    const station = await startUpstream();
    const other = await startUpstream(660);
    ups.push(station, other);
    day = await startRadioDay(local(date, '19:59:00'));
    const { t, clock } = day;
    t.hub.schedules.apply(schedule(station.url), 'relay.yaml', 'test', false);
    const cmds: (Command & { clusterId: string })[] = [];
    const publish = t.hub.broker.publish.bind(t.hub.broker);
    t.hub.broker.publish = (topic, payload, o) => {
      if (topic.endsWith('/cmd')) cmds.push({ ...(JSON.parse(String(payload)) as Command), clusterId: topic.split('/').at(-2)! });
      return publish(topic, payload, o);
    };
    const quiet = async () => {
      await day!.quiet();
      await t.hub.scheduler.relays.settled();
      await day!.quiet();
    };

    await clock.runUntil(local(date, '20:00:20'), quiet);
    const hand = await t.hub.live.start({ source: { url: other.url }, clusterIds: NA_LONG, createdBy: 'op' });
    await clock.runUntil(local(date, '20:00:30'), quiet);
    // While it runs the programme is logged as cut by a live item.
    for (const c of NA_LONG)
      expect(
        t.hub.store.broadcasts.log({ from: local(date, '19:00:00'), to: local(date, '21:00:00'), clusterId: c }).find((x) => x.kind === 'schedule'),
      ).toMatchObject({ status: 'preempted', reason: 'preempted-by-live' });
    await clock.runUntil(local(date, '20:00:40'), quiet);
    await t.hub.live.stop(hand.id);
    await clock.runUntil(local(date, '20:02:30'), quiet);

    for (const c of NA_LONG) {
      const plays = cmds.filter((x) => x.clusterId === c && x.type === 'play') as Extract<Command, { type: 'play' }>[];
      // The programme's stream, the operator's relay, the programme's stream again at the live point.
      expect(plays.map((p) => p.broadcastId === hand.id)).toEqual([false, true, false]);
      expect(plays[2]!.broadcastId).toBe(plays[0]!.broadcastId);
      expect(plays[2]!.startAt).toBeGreaterThanOrEqual(local(date, '20:00:40'));
      // The scheduler yielded: it stopped neither the programme (as if silence were wanted) nor the
      // operator's relay; the only stop is the operator's own.
      expect(cmds.filter((x) => x.clusterId === c && x.type === 'stop').map((x) => x.type === 'stop' && x.broadcastId)).toEqual([hand.id]);
    }
    const log = t.hub.store.broadcasts.log({ from: local(date, '19:00:00'), to: local(date, '21:00:00') });
    const mine = log.filter((x) => x.broadcastId === hand.id);
    expect(mine.map((x) => [x.clusterId, x.kind, x.priority, x.status, x.streamUrl])).toEqual(NA_LONG.map((c) => [c, 'adhoc', 'live', 'stopped', other.url]));
    const programme = log.filter((x) => x.kind === 'schedule');
    expect(programme.map((x) => x.clusterId)).toEqual(NA_LONG);
    // Cut by the relay, then resumed to the item's end: two segments, finished.
    for (const row of programme) {
      expect(row.status).toBe('finished');
      expect(t.hub.store.broadcasts.target(row.broadcastId, row.clusterId)!.segments).toBe(2);
    }
  }, 40_000);
});

// A whole broadcast day of the 12 Tú Lệ clusters in seconds: the real hub and scheduler on a
// simulated clock, the simulated fleet on the same clock, the Tú Lệ schedule in force.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { validateSchedule } from '../hub/schedule/validate.js';
import { local, SCHEDULE_FILE, SITE, startRadioDay, type RadioDay } from './helpers/radio-day.js';

let day: RadioDay | null = null;
afterEach(async () => {
  await day?.stop();
  day = null;
});

describe('a broadcast day', () => {
  it('plays both slots on time on every cluster, and the log has exactly the planned entries', async () => {
    const date = '2026-12-02'; // a Wednesday, no holiday, no event
    day = await startRadioDay(local(date, '04:55:00'));
    const { t, clock } = day;
    const plan = t.hub.schedules.plan(date).entries.filter((e) => e.item.kind === 'media');
    expect(plan.length).toBeGreaterThan(SITE.clusters.length * 5);

    await clock.runUntil(local(date, '23:59:00'), day.quiet);

    const log = t.hub.store.broadcasts.log({ from: local(date, '00:00:00'), to: local(date, '23:59:59') });
    const key = (c: string, p: string | null, s: number) => `${c} ${p} ${new Date(s).toISOString()}`;
    expect(log.map((e) => key(e.clusterId, e.programmeId, e.plannedStart)).sort()).toEqual(plan.map((e) => key(e.clusterId, e.programmeId, e.startAt)).sort());
    for (const e of log) {
      expect(e.outcome, `${e.clusterId} ${e.programmeId} ${e.reason}`).toBe('played');
      expect(e.startedAt).toBe(e.plannedStart);
      expect(e.finishedAt).toBe(e.plannedEnd);
    }
    // The slots: first sound at 05:00 and 17:00 on every cluster; nothing after 07:30 or 19:00.
    for (const c of SITE.clusters) {
      const mine = log.filter((e) => e.clusterId === c.id);
      const morning = mine.filter((e) => e.plannedStart < local(date, '12:00:00'));
      const evening = mine.filter((e) => e.plannedStart >= local(date, '12:00:00'));
      expect(Math.min(...morning.map((e) => e.startedAt!))).toBe(local(date, '05:00:00'));
      expect(Math.max(...morning.map((e) => e.finishedAt!))).toBeLessThanOrEqual(local(date, '07:30:00'));
      expect(Math.min(...evening.map((e) => e.startedAt!))).toBe(local(date, '17:00:00'));
      expect(Math.max(...evening.map((e) => e.finishedAt!))).toBe(local(date, '19:00:00'));
    }
    // The simulated boxes agree: every play they were sent, they finished.
    expect(day.fleet.counters.acks.finished).toBe(log.length);
    expect(day.fleet.counters.refused).toBe(0);

    // The monthly report adds it up: hours on air, items played, availability since the clusters
    // were added (04:55 on the 2nd, installation day), not since the 1st.
    const r = await t.api<{
      clusters: { clusterId: string; hoursOnAir: number; played: number; missed: number; availability: number; availabilityFrom: number }[];
      total: { played: number; availability: number };
    }>('GET', '/api/v1/report?month=2026-12');
    expect(r.status).toBe(200);
    for (const row of r.body.clusters) {
      const mine = plan.filter((e) => e.clusterId === row.clusterId);
      expect(row.played).toBe(mine.length);
      expect(row.missed).toBe(0);
      expect(row.hoursOnAir).toBeCloseTo(mine.reduce((s, e) => s + (e.endAt - e.startAt), 0) / 3_600_000, 2);
      // Online from the moment it was added until now (23:59 on the 2nd).
      expect(row.availabilityFrom).toBe(local(date, '04:55:00'));
      expect(row.availability).toBe(1);
    }
    expect(r.body.total).toMatchObject({ played: plan.length, availability: 1 });
  });

  it('the Tú Lệ schedule file is valid against the site', () => {
    const media = new Map(['quoc-ca', 'ban-tin-sang', 'tin-xa', 'nhac-nen', 'thong-bao-hop'].map((n) => [n, { id: n, durationMs: 60_000 }]));
    const { problems } = validateSchedule(readFileSync(SCHEDULE_FILE, 'utf8'), SCHEDULE_FILE, {
      clusterIds: SITE.clusters.map((c) => c.id),
      media,
      today: '2026-11-23',
    });
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  });
});

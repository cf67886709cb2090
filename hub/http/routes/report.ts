// /api/v1/report?month=YYYY-MM: the monthly broadcast report for the district office, per
// cluster and in total: hours on air, items played, partial, preempted and missed, availability.
// Availability counts from the start of the month or from when the cluster was added (a cluster
// installed mid-month was not "offline" before it existed), up to now or the month's end.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { badRequest } from '../../../common/errors.js';
import { zonedToEpoch } from '../../schedule/calendar.js';
import type { LogEntry } from '../../store/index.js';
import type { ReportAnswer, ReportRow } from '../api.js';
import type { HttpContext } from '../context.js';
import { parseWith } from '../errors.js';

const operator = { roles: ['operator'] as const };
const query = z.object({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'use YYYY-MM, e.g. 2026-11') });

/** Online time and counted time of a cluster, or of all of them together. */
interface Uptime {
  onlineMs: number;
  countedMs: number;
  from: number | null;
}

function tally(clusterId: string, entries: LogEntry[], up: Uptime): ReportRow {
  const count = (...o: string[]) => entries.filter((e) => o.includes(e.outcome)).length;
  return {
    clusterId,
    hoursOnAir: Math.round((entries.reduce((s, e) => s + (e.playedMs ?? 0), 0) / 3_600_000) * 100) / 100,
    played: count('played'),
    partial: count('partial', 'stopped'),
    preempted: count('preempted'),
    missed: count('missed', 'missed-offline'),
    failed: count('failed'),
    availability: up.countedMs > 0 ? Math.round((up.onlineMs / up.countedMs) * 1000) / 1000 : null,
    availabilityFrom: up.countedMs > 0 ? up.from : null,
  };
}

export function reportRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get('/api/v1/report', { config: operator }, async (req): Promise<ReportAnswer> => {
    const { month } = parseWith(query, req.query, 'query');
    const tz = ctx.config.timezone;
    const [y, m] = month.split('-').map(Number) as [number, number];
    const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
    const from = zonedToEpoch(tz, `${month}-01`, 0);
    const to = zonedToEpoch(tz, next, 0);
    const now = ctx.clock.now();
    if (from > now) throw badRequest(`${month} has not begun yet.`);
    const until = Math.min(to, now);
    const entries = ctx.store.broadcasts.log({ from, to: to - 1 });
    const ups: Uptime[] = [];
    const rows = ctx.store.clusters.list().map((c) => {
      const since = Math.max(from, c.createdAt);
      const up: Uptime =
        since < until
          ? { onlineMs: ctx.store.clusters.onlineMs(c.id, since, until), countedMs: until - since, from: since }
          : { onlineMs: 0, countedMs: 0, from: null };
      ups.push(up);
      return tally(
        c.id,
        entries.filter((e) => e.clusterId === c.id),
        up,
      );
    });
    // The total weighs each cluster by the time counted for it.
    const starts = ups.flatMap((u) => (u.from === null ? [] : [u.from]));
    const all: Uptime = {
      onlineMs: ups.reduce((s, u) => s + u.onlineMs, 0),
      countedMs: ups.reduce((s, u) => s + u.countedMs, 0),
      from: starts.length ? Math.min(...starts) : null,
    };
    return { month, timezone: tz, from, to, clusters: rows, total: tally('(all)', entries, all) };
  });
}

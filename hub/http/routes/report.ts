// /api/v1/report?month=YYYY-MM: the monthly broadcast report for the district office, per
// cluster and in total: hours on air, items played, partial, preempted and missed, availability.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LoaError } from '../../../common/errors.js';
import { zonedToEpoch } from '../../schedule/calendar.js';
import type { LogEntry } from '../../store/index.js';
import type { HttpContext } from '../context.js';
import { parseWith } from '../errors.js';

const operator = { roles: ['operator'] as const };
const query = z.object({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'use YYYY-MM, e.g. 2026-11') });

export interface ReportRow {
  clusterId: string;
  hoursOnAir: number;
  played: number;
  partial: number;
  preempted: number;
  missed: number;
  failed: number;
  /** Share of the month (up to now) the cluster was online, 0–1. */
  availability: number;
}

function tally(clusterId: string, entries: LogEntry[], availability: number): ReportRow {
  const count = (...o: string[]) => entries.filter((e) => o.includes(e.outcome)).length;
  return {
    clusterId,
    hoursOnAir: Math.round((entries.reduce((s, e) => s + (e.playedMs ?? 0), 0) / 3_600_000) * 100) / 100,
    played: count('played'),
    partial: count('partial', 'stopped'),
    preempted: count('preempted'),
    missed: count('missed', 'missed-offline'),
    failed: count('failed'),
    availability: Math.round(availability * 1000) / 1000,
  };
}

export function reportRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get('/api/v1/report', { config: operator }, async (req) => {
    const { month } = parseWith(query, req.query, 'query');
    const tz = ctx.config.timezone;
    const [y, m] = month.split('-').map(Number) as [number, number];
    const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
    const from = zonedToEpoch(tz, `${month}-01`, 0);
    const to = zonedToEpoch(tz, next, 0);
    const now = ctx.clock.now();
    if (from > now) throw new LoaError('LOA_BAD_REQUEST', `${month} has not begun yet.`);
    const until = Math.min(to, now);
    const entries = ctx.store.broadcasts.log({ from, to: to - 1 });
    const clusters = ctx.store.clusters.list();
    const rows = clusters.map((c) =>
      tally(c.id, entries.filter((e) => e.clusterId === c.id), until > from ? ctx.store.clusters.onlineMs(c.id, from, until) / (until - from) : 0),
    );
    const total = tally('(all)', entries, rows.length ? rows.reduce((s, r) => s + r.availability, 0) / rows.length : 0);
    return { month, timezone: tz, from, to, clusters: rows, total };
  });
}

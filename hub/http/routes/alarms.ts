// /api/v1/alarms: the alarms (open ones, or with the cleared), with the feed's cursor to follow them,
// for operators and the police post (whose answers carry no operator-only extra); and the operators'
// events feed of every raise and clear (`after=` the last id seen; `wait=` seconds to long-poll).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { policeAlarm } from '../../alarms/police.js';
import type { AlarmList, EventList } from '../api.js';
import type { HttpContext } from '../context.js';
import { parseWith } from '../errors.js';
import { feedAfter } from './events.js';

const operator = { roles: ['operator'] as const };
const readers = { roles: ['operator', 'police'] as const };
const flag = z.enum(['1', '0', 'true', 'false']).transform((v) => v === '1' || v === 'true');
const limit = z.coerce.number().int().min(1).max(1000);

const listQuery = z.object({ all: flag.default(false), limit: limit.default(100) });

export function alarmRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get('/api/v1/alarms', { config: readers }, async (req, reply): Promise<AlarmList> => {
    const q = parseWith(listQuery, req.query, 'query');
    // Read together (SQLite is synchronous here): every change after `cursor` is in the feed, so
    // a reader that follows /api/v1/events from it keeps this list current.
    const cursor = ctx.store.alarms.lastEventId();
    const alarms = q.all ? ctx.store.alarms.list(q.limit) : ctx.store.alarms.open().slice(0, q.limit);
    void reply.header('cache-control', 'no-store');
    return { alarms: req.principal?.role === 'police' ? alarms.map(policeAlarm) : alarms, cursor };
  });

  app.get('/api/v1/alarms/events', { config: operator }, async (req, reply): Promise<EventList> => {
    const { events, after } = await feedAfter(ctx, req.query, reply);
    return { events, cursor: events.at(-1)?.id ?? after };
  });
}

// /api/v1/events: the alarms feed (camera and cluster alarms, every raise and clear, oldest first)
// for the police post as well as operators. Same feed and cursor as /api/v1/alarms/events, which
// stays operator-only for the radio tools; this is the address the police post polls (docs/cameras.md).
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { policeEvent } from '../../alarms/police.js';
import type { EventList } from '../api.js';
import type { HttpContext } from '../context.js';
import { parseWith } from '../errors.js';

const readers = { roles: ['operator', 'police'] as const };

// The feed's query (docs/api.md), here and at /api/v1/alarms/events: both answer from one store cursor.
const eventsQuery = z.object({
  after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  /** Seconds to wait for an event when there is none after the cursor yet (long-poll). */
  wait: z.coerce.number().min(0).max(60).default(0),
});

/** The feed after the query's cursor (`after`, given back for the answer's cursor), waiting up to
 *  `wait=` s for an event: for /api/v1/events and /api/v1/alarms/events. A client that hangs up
 *  (the monitor page closed) ends its wait at once instead of holding a waiter for the full time
 *  (the response's 'close' is also when the connection goes; the request's fires once it is read). */
export async function feedAfter(ctx: HttpContext, query: unknown, reply: FastifyReply) {
  const q = parseWith(eventsQuery, query, 'query');
  const gone = new AbortController();
  reply.raw.once('close', () => gone.abort());
  return { events: await ctx.alarms.nextEvents(q.after, q.limit, q.wait * 1000, gone.signal), after: q.after };
}

export function eventRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get('/api/v1/events', { config: readers }, async (req, reply): Promise<EventList> => {
    const { events, after } = await feedAfter(ctx, req.query, reply);
    void reply.header('cache-control', 'no-store');
    // The police get the coded sentence, not what a box said in its own words (hub/alarms/police.ts).
    return { events: req.principal?.role === 'police' ? events.map(policeEvent) : events, cursor: events.at(-1)?.id ?? after };
  });
}

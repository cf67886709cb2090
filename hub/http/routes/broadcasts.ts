// /api/v1/broadcasts and /api/v1/log: playing media on clusters and what came of it.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { badRequest } from '../../../common/errors.js';
import { broadcastErrors } from '../../dispatcher/errors.js';
import { LIST_KINDS, LIST_STATUSES } from '../../store/broadcast-list.js';
import type { BroadcastList, BroadcastOne, LogList, PlayAnswer, StopAnswer } from '../api.js';
import { broadcastView } from '../broadcast-view.js';
import type { HttpContext } from '../context.js';
import { parseWith } from '../errors.js';

const operator = { roles: ['operator'] as const };
/** Names: cluster ids, zones of the schedule in force, villages (ScheduleService.resolveTargets). */
const clusterList = z.array(z.string().min(1).max(200)).max(100_000);
const playBody = z.strictObject({
  mediaId: z.string(),
  clusters: clusterList.optional(),
  all: z.boolean().optional(),
  startAt: z.number().int().nonnegative().optional(),
  volume: z.number().int().min(0).max(100).optional(),
  /** false: replace the ad-hoc broadcasts on these clusters instead of waiting for them. */
  queue: z.boolean().optional(),
});
const stopBody = z.strictObject({ broadcastId: z.string().optional(), clusters: clusterList.optional(), all: z.boolean().optional() });
/** "running,done" → ["running", "done"], each one of `values`. */
const oneOrMore = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(values)).min(1));
const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  /** Default running, done, stopped: what is on air and what happened (broadcast-list.ts). */
  status: oneOrMore(LIST_STATUSES).optional(),
  since: z.coerce.number().int().nonnegative().optional(),
  /** Names, as wherever clusters are chosen: ids, zones, villages (comma-separated). */
  cluster: z.string().min(1).max(2000).optional(),
  kind: oneOrMore(LIST_KINDS).optional(),
});
const logQuery = z.object({
  from: z.coerce.number().int().nonnegative().default(0),
  to: z.coerce.number().int().nonnegative().optional(),
  cluster: z.string().optional(),
});

export function broadcastRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.post('/api/v1/broadcasts', { config: operator }, async (req, reply) => {
    const body = parseWith(playBody, req.body, 'broadcast');
    if (Boolean(body.all) === Boolean(body.clusters)) {
      throw badRequest('give either "clusters" (cluster ids, zones or villages) or "all": true, not both or neither.');
    }
    const clusterIds = body.all ? ctx.store.clusters.list().map((c) => c.id) : ctx.schedules.resolveTargets(body.clusters!);
    const { queuedAfter, replaces, ...b } = ctx.dispatcher.play({
      mediaId: body.mediaId,
      clusterIds,
      createdBy: req.principal?.name ?? '',
      ...(body.startAt !== undefined ? { startAt: body.startAt } : {}),
      ...(body.volume !== undefined ? { volume: body.volume } : {}),
      ...(body.queue !== undefined ? { queue: body.queue } : {}),
    });
    return reply.code(201).send({ broadcast: broadcastView(b, ctx.clock.now()), queuedAfter, replaces } satisfies PlayAnswer);
  });

  app.get('/api/v1/broadcasts', { config: operator }, async (req): Promise<BroadcastList> => {
    const q = parseWith(listQuery, req.query, 'query');
    const clusterIds = q.cluster === undefined ? undefined : ctx.schedules.resolveTargets(q.cluster.split(','));
    const rows = ctx.store.broadcasts.list({
      now: ctx.clock.now(),
      limit: q.limit,
      ...(q.status ? { statuses: q.status } : {}),
      ...(q.since !== undefined ? { since: q.since } : {}),
      ...(clusterIds ? { clusterIds } : {}),
      ...(q.kind ? { kinds: q.kind } : {}),
    });
    return { broadcasts: rows.map((b) => broadcastView(b, ctx.clock.now())) };
  });

  app.get('/api/v1/broadcasts/:id', { config: operator }, async (req): Promise<BroadcastOne> => {
    const { id } = req.params as { id: string };
    const b = ctx.store.broadcasts.get(id);
    if (!b) throw broadcastErrors.notFound(id);
    return { broadcast: broadcastView(b, ctx.clock.now()) };
  });

  app.post('/api/v1/broadcasts/stop', { config: operator }, async (req): Promise<StopAnswer> => {
    const body = parseWith(stopBody, req.body ?? {}, 'stop request');
    if (body.clusters && body.all) throw badRequest('give "clusters" or "all", not both.');
    const stopped = await ctx.dispatcher.stopBroadcasts({
      ...(body.broadcastId ? { broadcastId: body.broadcastId } : {}),
      ...(body.clusters ? { clusterIds: ctx.schedules.resolveTargets(body.clusters) } : {}),
    });
    return { stopped };
  });

  app.get('/api/v1/log', { config: operator }, async (req): Promise<LogList> => {
    const q = parseWith(logQuery, req.query, 'query');
    return { entries: ctx.store.broadcasts.log({ from: q.from, to: q.to ?? Number.MAX_SAFE_INTEGER, clusterId: q.cluster }) };
  });
}

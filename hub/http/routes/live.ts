// /api/v1/live: live streams through the hub (docs/live.md). Operators start, list and stop them;
// boxes pull a stream as an endless chunked response with their own credentials (HTTP Basic
// cluster id + secret, as for media content), starting at the live point.
import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { badRequest } from '../../../common/errors.js';
import type { Logger } from '../../../common/logger.js';
import { startPushedStream } from '../../live/push.js';
import type { LiveList, LiveOne, PushAnswer } from '../api.js';
import type { HttpContext } from '../context.js';
import { requireCluster } from '../auth.js';
import { parseWith } from '../errors.js';
import { liveErrors } from '../../live/errors.js';

const operator = { roles: ['operator'] as const };

const startBody = z
  .strictObject({
    source: z.union([z.strictObject({ url: z.string().min(1).max(2000) }), z.strictObject({ mediaId: z.string().min(1).max(128) })]),
    /** Names: cluster ids, zones of the schedule in force, villages (ScheduleService.resolveTargets). */
    clusters: z.array(z.string().min(1).max(200)).min(1).max(10_000).optional(),
    all: z.literal(true).optional(),
    until: z.number().int().positive().optional(),
  })
  .refine((b) => (b.clusters === undefined) !== (b.all === undefined), { message: 'give exactly one of clusters or all', path: ['clusters'] });

const flag = z.enum(['0', '1', 'true', 'false']).optional();
const pushQuery = z
  .strictObject({ clusters: z.string().min(1).max(100_000).optional(), all: z.enum(['1', 'true']).optional(), chime: flag, emergency: flag })
  .refine((q) => (q.clusters === undefined) !== (q.all === undefined), { message: 'give exactly one of clusters or all', path: ['clusters'] });

const CONTENT_TYPES: Record<string, string> = { mp3: 'audio/mpeg', aac: 'audio/aac' };

export function liveRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get('/api/v1/live', { config: operator }, async (): Promise<LiveList> => ({ streams: ctx.live.list() }));

  app.post('/api/v1/live', { config: operator }, async (req, reply) => {
    const b = parseWith(startBody, req.body, 'body');
    const stream = await ctx.live.start({
      source: b.source,
      clusterIds: b.all ? 'all' : ctx.schedules.resolveTargets(b.clusters!),
      ...(b.until === undefined ? {} : { until: b.until }),
      createdBy: req.principal?.name ?? '',
    });
    return reply.code(201).send({ stream } satisfies LiveOne);
  });

  // The operator's microphone or a file pushed as live: the request body IS the source. The answer
  // comes when the stream is over (the body ended, stalled or broke off): { stream, end, durationMs }.
  // The body is never buffered: the raw stream goes to the stream's ffmpeg (no bodyLimit applies).
  if (!app.hasContentTypeParser('application/octet-stream')) app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));
  if (!app.hasContentTypeParser('audio/mpeg')) app.addContentTypeParser('audio/mpeg', (_req, payload, done) => done(null, payload));
  app.post('/api/v1/live/push', { config: operator }, async (req): Promise<PushAnswer> => {
    const q = parseWith(pushQuery, req.query, 'query');
    if (!(req.body && typeof (req.body as Readable).pipe === 'function')) {
      throw badRequest('send the audio as the request body with Content-Type: application/octet-stream or audio/mpeg.');
    }
    const clusterIds = q.all
      ? ('all' as const)
      : ctx.schedules.resolveTargets(
          q
            .clusters!.split(',')
            .map((c) => c.trim())
            .filter(Boolean),
        );
    const { done } = await startPushedStream(
      ctx.live,
      {
        input: req.body as Readable,
        clusterIds,
        createdBy: req.principal?.name ?? '',
        stallMs: ctx.config.live.pushStallMs,
        chime: q.chime === '1' || q.chime === 'true',
        emergency: q.emergency === '1' || q.emergency === 'true',
      },
      { clock: ctx.clock, logger: req.log as unknown as Logger },
    );
    return done;
  });

  app.delete('/api/v1/live/:id', { config: operator }, async (req): Promise<LiveOne> => {
    const { id } = req.params as { id: string };
    return { stream: await ctx.live.stop(id) };
  });

  // Boxes pull the stream with their MQTT credentials; operator tokens are not accepted here.
  app.get('/api/v1/live/:id', async (req, reply) => {
    const { id } = req.params as { id: string };
    const clusterId = await requireCluster(req, reply, ctx.clusterLogin, 'live');
    const stream = ctx.live.stream(id);
    if (!stream) throw liveErrors.notFound(id);
    // Endless: the response is written by the stream, frame by frame, until it ends or the box goes.
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[ctx.config.live.format] ?? 'application/octet-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.socket?.setNoDelay(true);
    const detach = stream.attach(res);
    req.log.info({ streamId: id, clusterId }, 'live listener joined');
    res.on('close', () => {
      detach();
      req.log.info({ streamId: id, clusterId }, 'live listener left');
    });
    return reply;
  });
}

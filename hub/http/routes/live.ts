// /api/v1/live: live streams through the hub (docs/live.md). Operators start, list and stop them;
// boxes pull a stream as an endless chunked response with their own credentials (HTTP Basic
// cluster id + secret, as for media content), starting at the live point.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LoaError } from '../../../common/errors.js';
import type { HttpContext } from '../context.js';
import { basicCredentials } from '../auth.js';
import { parseWith } from '../errors.js';

const operator = { roles: ['operator'] as const };

const startBody = z
  .strictObject({
    source: z.union([z.strictObject({ url: z.string().min(1).max(2000) }), z.strictObject({ mediaId: z.string().min(1).max(128) })]),
    clusters: z.array(z.string().min(1).max(63)).min(1).max(10_000).optional(),
    all: z.literal(true).optional(),
    until: z.number().int().positive().optional(),
  })
  .refine((b) => (b.clusters === undefined) !== (b.all === undefined), { message: 'give exactly one of clusters or all', path: ['clusters'] });

const CONTENT_TYPES: Record<string, string> = { mp3: 'audio/mpeg', aac: 'audio/aac' };

export function liveRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get('/api/v1/live', { config: operator }, async () => ({ streams: ctx.live.list() }));

  app.post('/api/v1/live', { config: operator }, async (req, reply) => {
    const b = parseWith(startBody, req.body, 'body');
    const stream = await ctx.live.start({
      source: b.source,
      clusterIds: b.all ? 'all' : b.clusters!,
      ...(b.until === undefined ? {} : { until: b.until }),
      createdBy: req.principal?.name ?? '',
    });
    return reply.code(201).send({ stream });
  });

  app.delete('/api/v1/live/:id', { config: operator }, async (req) => {
    const { id } = req.params as { id: string };
    return { stream: await ctx.live.stop(id) };
  });

  // Boxes pull the stream with their MQTT credentials; operator tokens are not accepted here.
  app.get('/api/v1/live/:id', async (req, reply) => {
    const { id } = req.params as { id: string };
    const creds = basicCredentials(req);
    if (!creds || !(await ctx.verifier.verify(creds.user, creds.password))) {
      void reply.header('www-authenticate', 'Basic realm="loa live", charset="UTF-8"');
      throw new LoaError('LOA_UNAUTHENTICATED', 'live streams are served to clusters only: use the cluster id and secret with HTTP Basic.', { status: 401 });
    }
    const stream = ctx.live.stream(id);
    if (!stream) throw new LoaError('LOA_LIVE_NOT_FOUND', `live stream ${id} does not exist or has ended.`, { status: 404 });
    // Endless: the response is written by the stream, frame by frame, until it ends or the box goes.
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': CONTENT_TYPES[ctx.config.live.format] ?? 'application/octet-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.socket?.setNoDelay(true);
    const detach = stream.attach(res);
    req.log.info({ streamId: id, clusterId: creds.user }, 'live listener joined');
    res.on('close', () => {
      detach();
      req.log.info({ streamId: id, clusterId: creds.user }, 'live listener left');
    });
    return reply;
  });
}

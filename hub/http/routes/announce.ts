// POST /api/v1/announcements: text read out (JSON) or an audio file (application/octet-stream, like
// the media upload), with an optional chime, put on air now as an announcement or an emergency.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AnnounceRequest, AnnounceResult } from '../../announce/service.js';
import type { AnnounceAnswer } from '../api.js';
import { broadcastView } from '../broadcast-view.js';
import type { HttpContext } from '../context.js';
import { internalError, parseWith } from '../errors.js';
import { answerWithProgress } from '../progress-lines.js';

const operator = { roles: ['operator'] as const };
const flag = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');
const textBody = z.strictObject({
  text: z.string().max(100_000),
  voice: z.string().min(1).max(100).optional(),
  chime: z.boolean().default(false),
  clusters: z.array(z.string()).max(100_000).optional(),
  all: z.boolean().optional(),
  emergency: z.boolean().default(false),
});
const fileQuery = z.object({
  filename: z.string().min(1).max(255).optional(),
  chime: flag.default(false),
  clusters: z.string().max(1_000_000).optional(),
  all: flag.optional(),
  emergency: flag.default(false),
});

export function announceRoutes(app: FastifyInstance, ctx: HttpContext, opts: { maxUploadBytes: number }): void {
  app.post('/api/v1/announcements', { config: operator, bodyLimit: opts.maxUploadBytes }, async (req, reply) => {
    const announcer = ctx.announce;
    if (!announcer) throw internalError('announcements are not set up in this hub.', 503);
    const by = req.principal?.name ?? '';
    const body = req.body as Readable | undefined;
    if (!(body && typeof body.pipe === 'function')) {
      const b = parseWith(textBody, req.body, 'announcement');
      const result = await announcer.announce({
        text: b.text,
        chime: b.chime,
        emergency: b.emergency,
        by,
        ...(b.voice ? { voice: b.voice } : {}),
        ...targets(b, ctx),
      });
      return reply.code(201).send(answer(result, ctx.clock.now()));
    }
    const q = parseWith(fileQuery, req.query, 'query');
    const uploadPath = join(ctx.media.uploadDir, `announce-${randomBytes(8).toString('hex')}`);
    const request: AnnounceRequest = {
      audioPath: uploadPath,
      originalName: q.filename ?? 'announcement',
      chime: q.chime,
      emergency: q.emergency,
      by,
      ...targets(
        {
          all: q.all,
          clusters:
            q.clusters === undefined
              ? undefined
              : q.clusters
                  .split(',')
                  .map((s) => s.trim())
                  .filter(Boolean),
        },
        ctx,
      ),
    };
    try {
      await pipeline(body, createWriteStream(uploadPath));
      if (!(req.headers.accept ?? '').includes('application/x-ndjson')) return reply.code(201).send(answer(await announcer.announce(request), ctx.clock.now()));
      // Progress as NDJSON, the last line says how it went (the same shape as POST /api/v1/media).
      return await answerWithProgress(
        req,
        reply,
        (onProgress) => announcer.announce({ ...request, onProgress }),
        (result) => answer(result, ctx.clock.now()),
        { sentence: 'the announcement failed; the hub log has the details.', log: 'announcement failed', details: false },
      );
    } finally {
      await rm(uploadPath, { force: true });
    }
  });
}

/** The clusters named (ids, zones, villages: resolved here, as for every route) or all. */
function targets(b: { clusters?: string[] | undefined; all?: boolean | undefined }, ctx: HttpContext): Pick<AnnounceRequest, 'clusters' | 'all'> {
  return { ...(b.clusters ? { clusters: ctx.schedules.resolveTargets(b.clusters) } : {}), ...(b.all ? { all: true } : {}) };
}

function answer(r: AnnounceResult, now: number): AnnounceAnswer {
  return {
    media: r.media,
    mediaId: r.media.id,
    ...(r.broadcast ? { broadcast: broadcastView(r.broadcast, now) } : {}),
    ...(r.emergency ? { emergency: r.emergency } : {}),
  };
}

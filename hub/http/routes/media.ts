// /api/v1/media: the media library for operators (upload with progress, list, remove) and the
// content route from which boxes fetch delivery files with their own credentials (Range works).
import send from '@fastify/send';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LoaError } from '../../../common/errors.js';
import type { HttpContext } from '../context.js';
import { basicCredentials } from '../auth.js';
import { parseWith } from '../errors.js';

const operator = { roles: ['operator'] as const };
const uploadQuery = z.object({ name: z.string().min(1).max(200).optional(), filename: z.string().min(1).max(255).optional() });

function notFound(id: string): LoaError {
  return new LoaError('LOA_MEDIA_NOT_FOUND', `media ${id} is not in the library; \`loa media list\` shows what is.`, { status: 404 });
}

export function mediaRoutes(app: FastifyInstance, ctx: HttpContext, opts: { maxUploadBytes: number }): void {
  // Uploads arrive as a raw stream; the route writes it to disk itself.
  app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));

  app.get('/api/v1/media', { config: operator }, async () => ({ media: ctx.store.media.list() }));

  app.get('/api/v1/media/:id', { config: operator }, async (req) => {
    const { id } = req.params as { id: string };
    const m = ctx.store.media.get(id);
    if (!m || m.removedAt) throw notFound(id);
    return { media: m };
  });

  app.delete('/api/v1/media/:id', { config: operator }, async (req) => {
    const { id } = req.params as { id: string };
    await ctx.media.remove(id);
    return { removed: id };
  });

  app.post('/api/v1/media', { config: operator, bodyLimit: opts.maxUploadBytes }, async (req, reply) => {
    const q = parseWith(uploadQuery, req.query, 'query');
    if (!(req.body && typeof (req.body as Readable).pipe === 'function')) {
      throw new LoaError('LOA_BAD_REQUEST', 'send the audio file as the request body with Content-Type: application/octet-stream.');
    }
    const originalName = q.filename ?? q.name ?? 'upload';
    const name = q.name ?? originalName.replace(/\.[^.]+$/, '');
    const uploadPath = join(ctx.media.uploadDir, `upload-${randomBytes(8).toString('hex')}`);
    const streaming = (req.headers.accept ?? '').includes('application/x-ndjson');
    try {
      await pipeline(req.body as Readable, createWriteStream(uploadPath));
      if (!streaming) {
        const media = await ctx.media.import({ inputPath: uploadPath, name, originalName });
        return reply.code(201).send({ media });
      }
      // Progress as NDJSON: the status is sent before the import ends, so the last line says how it went.
      reply.hijack();
      reply.raw.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
      const line = (o: unknown): boolean => reply.raw.write(`${JSON.stringify(o)}\n`);
      let last = -1;
      try {
        const media = await ctx.media.import({
          inputPath: uploadPath,
          name,
          originalName,
          onProgress: (percent, phase) => {
            const p = Math.floor(percent);
            if (p !== last) {
              last = p;
              line({ event: 'progress', phase, percent: Math.min(100, Math.max(0, percent)) });
            }
          },
        });
        line({ event: 'done', media });
      } catch (err) {
        const e = err instanceof LoaError ? err : new LoaError('LOA_INTERNAL', 'the import failed; the hub log has the details.');
        if (!(err instanceof LoaError)) req.log.error({ err }, 'media import failed');
        line({ event: 'error', error: { code: e.code, message: e.message } });
      }
      reply.raw.end();
      return reply;
    } finally {
      await rm(uploadPath, { force: true });
    }
  });

  // Boxes fetch media with their MQTT credentials; operator tokens are not accepted here.
  app.get('/api/v1/media/:id/content', async (req, reply) => {
    const { id } = req.params as { id: string };
    const creds = basicCredentials(req);
    if (!creds || !(await ctx.verifier.verify(creds.user, creds.password))) {
      void reply.header('www-authenticate', 'Basic realm="loa media", charset="UTF-8"');
      throw new LoaError('LOA_UNAUTHENTICATED', 'media is served to clusters only: use the cluster id and secret with HTTP Basic.', { status: 401 });
    }
    const file = ctx.media.filePath(id);
    if (!file) throw notFound(id);
    const result = await send(req.raw, file, { acceptRanges: true, cacheControl: false, etag: true, lastModified: false });
    if (result.type === 'error') throw new LoaError('LOA_MEDIA_NOT_FOUND', `media ${id} cannot be read: ${result.metadata.error.message}`, { status: 404 });
    void reply.code(result.statusCode).headers(result.headers as Record<string, string>).header('content-type', 'audio/ogg');
    return reply.send(result.stream);
  });
}

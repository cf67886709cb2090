// /api/v1/media: the media library for operators (upload with progress, replace, list, what uses
// an item, remove) and the content route from which boxes fetch delivery files with their own
// credentials (Range works). Names are the hub's to enforce: the CLI and the web console get the
// same refusals (hub/media/names.ts).
import send from '@fastify/send';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { badRequest } from '../../../common/errors.js';
import type { Media, MediaAdded, MediaOne, MediaRemoved } from '../api.js';
import type { HttpContext } from '../context.js';
import { requireCluster } from '../auth.js';
import { parseWith } from '../errors.js';
import { answerWithProgress } from '../progress-lines.js';
import { mediaErrors } from '../../media/errors.js';
import { MAX_NAME_LENGTH, normaliseName } from '../../media/names.js';

const operator = { roles: ['operator'] as const };
const flag = z.enum(['1', 'true', '0', 'false']).transform((v) => v === '1' || v === 'true');
const mediaName = z
  .string()
  .max(MAX_NAME_LENGTH * 2)
  .transform((raw, c) => {
    const name = normaliseName(raw);
    if (name === null)
      c.addIssue({
        code: 'custom',
        message: `a media name needs 1 to ${MAX_NAME_LENGTH} characters, not only spaces, and no control characters (line breaks, tabs)`,
      });
    return name ?? '';
  });
const uploadQuery = z.object({ name: mediaName.optional(), filename: z.string().min(1).max(255).optional(), replace: flag.optional() });
const removeQuery = z.object({ force: flag.optional() });

/** The name an upload is stored under: ?name=, else the file name without its extension. */
function uploadName(q: z.infer<typeof uploadQuery>, originalName: string): string {
  if (q.name !== undefined) return q.name;
  const name = normaliseName(originalName.replace(/\.[^.]+$/, ''));
  if (name === null) throw badRequest(`invalid query: name: the file name "${originalName}" makes no usable media name; give ?name=.`);
  return name;
}

export function mediaRoutes(app: FastifyInstance, ctx: HttpContext, opts: { maxUploadBytes: number }): void {
  // Uploads arrive as a raw stream; the route writes it to disk itself.
  app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));

  app.get('/api/v1/media', { config: operator }, async (): Promise<{ media: Media[] }> => ({ media: ctx.store.media.list() }));

  app.get('/api/v1/media/:id', { config: operator }, async (req): Promise<MediaOne> => {
    const { id } = req.params as { id: string };
    const m = ctx.store.media.get(id);
    if (!m || m.removedAt) throw mediaErrors.notFound(id);
    return { media: m, usage: ctx.media.usage(id) };
  });

  app.delete('/api/v1/media/:id', { config: operator }, async (req): Promise<MediaRemoved> => {
    const { id } = req.params as { id: string };
    const { force } = parseWith(removeQuery, req.query, 'query');
    return ctx.media.remove(id, { force: force ?? false });
  });

  app.post('/api/v1/media', { config: operator, bodyLimit: opts.maxUploadBytes }, async (req, reply) => {
    const q = parseWith(uploadQuery, req.query, 'query');
    if (!(req.body && typeof (req.body as Readable).pipe === 'function')) {
      throw badRequest('send the audio file as the request body with Content-Type: application/octet-stream.');
    }
    const originalName = q.filename ?? q.name ?? 'upload';
    const name = uploadName(q, originalName);
    const replace = q.replace ?? false;
    // A name in use is refused before the upload is read: no waiting for a big file to arrive.
    ctx.media.checkName(name, replace);
    const uploadPath = join(ctx.media.uploadDir, `upload-${randomBytes(8).toString('hex')}`);
    const streaming = (req.headers.accept ?? '').includes('application/x-ndjson');
    try {
      await pipeline(req.body as Readable, createWriteStream(uploadPath));
      if (!streaming) {
        const added = await ctx.media.add({ inputPath: uploadPath, name, originalName, replace });
        return reply.code(added.unchanged ? 200 : 201).send(added satisfies MediaAdded);
      }
      // Progress as NDJSON: the status is sent before the import ends, so the last line says how it went.
      return await answerWithProgress(
        req,
        reply,
        (onProgress) => ctx.media.add({ inputPath: uploadPath, name, originalName, replace, onProgress }),
        (added) => added,
        { sentence: 'the import failed; the hub log has the details.', log: 'media import failed', details: true },
      );
    } finally {
      await rm(uploadPath, { force: true });
    }
  });

  // Boxes fetch media with their MQTT credentials; operator tokens are not accepted here.
  app.get('/api/v1/media/:id/content', async (req, reply) => {
    const { id } = req.params as { id: string };
    await requireCluster(req, reply, ctx.clusterLogin, 'media');
    const file = ctx.media.filePath(id);
    if (!file) throw mediaErrors.notFound(id);
    const result = await send(req.raw, file, { acceptRanges: true, cacheControl: false, etag: true, lastModified: false });
    if (result.type === 'error') throw mediaErrors.contentUnreadable(id, result.metadata.error.message);
    void reply
      .code(result.statusCode)
      .headers(result.headers as Record<string, string>)
      .header('content-type', 'audio/ogg');
    return reply.send(result.stream);
  });
}

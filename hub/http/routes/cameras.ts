// /api/v1/cameras: the police post reads every camera's state and a fresh picture (roles police
// and operator; a viewer gets the status only: no addresses, no pictures); operators add, remove
// and discover cameras.
// Nothing here ever answers with a camera's credentials: CameraView has none (hub/cameras/types.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { cameraErrors } from '../../cameras/errors.js';
import type { CameraView } from '../../cameras/types.js';
import { statusView } from '../../cameras/views.js';
import type { Camera, CameraStatusView, DiscoveredCamera } from '../api.js';
import type { HttpContext } from '../context.js';
import { parseWith } from '../errors.js';

const operator = { roles: ['operator'] as const };
/** Camera states: a viewer (a public screen) may see which cameras work, not what they film. */
const statusReaders = { roles: ['operator', 'police', 'viewer'] as const };
/** Pictures: the police post and operators only. */
const pictureReaders = { roles: ['operator', 'police'] as const };

const idParams = z.object({ id: z.string().min(1).max(100) });
/** fallback=last: the last picture the hub got when the camera cannot give a new one (marked stale). */
const snapshotQuery = z.object({ fallback: z.enum(['last']).optional() });
const text = (max: number) => z.string().trim().min(1).max(max);
const addBody = z.strictObject({
  id: text(63),
  host: text(253),
  port: z.number().int().min(1).max(65_535).optional(),
  path: z.string().startsWith('/').max(300).optional(),
  user: text(100),
  // Not trimmed: a password may start or end with a space.
  password: z.string().min(1).max(200),
  name: text(100).optional(),
  village: text(100).optional(),
  /** Replace a camera of the same id (e.g. a new password) instead of answering 409. */
  replace: z.boolean().optional(),
});
const discoverBody = z.strictObject({
  timeoutMs: z.number().int().min(100).max(30_000).optional(),
  ranges: z.array(text(100)).max(16).optional(),
  multicast: z.boolean().optional(),
  /** UDP port the probes go to (default 3702): cameras that answer on another port, and tests. */
  port: z.number().int().min(1).max(65_535).optional(),
});

const cameraNotFound = cameraErrors.notFound;

/**
 * A weak ETag for the list (RFC 9110 8.8.1: same tag, semantically equivalent bodies). It changes
 * with anything but a routine poll's timestamps and measurements (stateVersion), and at least once
 * per poll interval, so a client holding a 304'd list is never more than one interval behind on
 * "last seen" and never behind on status. With every poll changing some camera's timestamps, a
 * strong tag would change every few hundred milliseconds at district scale and never give a 304.
 * The hub's start time keeps a tag from before a restart (whose counters began again) from
 * matching; the role keeps caches of differently-privileged clients apart.
 */
function listEtag(ctx: HttpContext, role: string): string {
  const period = Math.floor(ctx.clock.now() / (ctx.config.cameras.pollIntervalSec * 1000));
  return `W/"cameras-${ctx.startedAt.toString(36)}-${ctx.cameras.stateVersion}-${period.toString(36)}-${role}"`;
}

/** RFC 9110 13.1.2: If-None-Match is a list of tags or `*`; weak comparison is allowed for GET. */
function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === bare);
}

/** A viewer (a public screen) sees whether each camera works; the others the whole view. */
const shown = (req: FastifyRequest, v: CameraView): Camera | CameraStatusView => (req.principal?.role === 'viewer' ? statusView(v) : v);

function getCamera(ctx: HttpContext, req: FastifyRequest): CameraView {
  const { id } = parseWith(idParams, req.params, 'path');
  const camera = ctx.cameras.get(id);
  if (!camera) throw cameraNotFound(id);
  return camera;
}

export function cameraRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get(
    '/api/v1/cameras',
    { config: statusReaders },
    async (req, reply: FastifyReply): Promise<{ cameras: (Camera | CameraStatusView)[] } | FastifyReply> => {
      // The tag is read before the list so a change in between makes the next poll fetch again.
      const etag = listEtag(ctx, req.principal?.role ?? 'none');
      // no-cache: a browser keeps the answer but asks each time, and gets a 304 when nothing changed.
      void reply.header('etag', etag).header('cache-control', 'private, no-cache').header('vary', 'authorization');
      if (etagMatches(req.headers['if-none-match'], etag)) return reply.code(304).send();
      return { cameras: ctx.cameras.list().map((v) => shown(req, v)) };
    },
  );

  app.get(
    '/api/v1/cameras/:id',
    { config: statusReaders },
    async (req): Promise<{ camera: Camera | CameraStatusView }> => ({ camera: shown(req, getCamera(ctx, req)) }),
  );

  app.get('/api/v1/cameras/:id/snapshot', { config: pictureReaders }, async (req, reply) => {
    const camera = getCamera(ctx, req);
    const q = parseWith(snapshotQuery, req.query, 'query');
    const snap = await ctx.cameras.snapshot(camera.id, q.fallback ? { fallback: q.fallback } : {});
    // no-store: a picture of a public place is not kept in browser or proxy caches; the hub's
    // own short cache already spares the camera.
    return reply
      .header('content-type', 'image/jpeg')
      .header('cache-control', 'no-store')
      .header('x-snapshot-taken-at', new Date(snap.takenAt).toISOString())
      .header('x-snapshot-cached', snap.cached ? '1' : '0')
      .header('x-snapshot-stale', snap.stale ? '1' : '0')
      .send(snap.jpeg);
  });

  app.post('/api/v1/cameras', { config: operator }, async (req, reply) => {
    const { replace, ...input } = parseWith(addBody, req.body, 'camera');
    const camera = ctx.cameras.add(input, { replace: replace === true });
    // Who added what, for the log; never the credentials.
    req.log.info({ cameraId: camera.id, host: camera.host, port: camera.port, replace: replace === true }, 'camera added');
    return reply.code(201).send({ camera } satisfies { camera: Camera });
  });

  app.delete('/api/v1/cameras/:id', { config: operator }, async (req) => {
    const { id } = parseWith(idParams, req.params, 'path');
    if (!ctx.cameras.remove(id)) throw cameraNotFound(id);
    req.log.info({ cameraId: id }, 'camera removed');
    return { removed: id };
  });

  app.post('/api/v1/cameras/discover', { config: operator }, async (req): Promise<{ found: DiscoveredCamera[] }> => {
    const opts = parseWith(discoverBody, req.body ?? {}, 'discover');
    return { found: await ctx.cameras.discover(opts) };
  });
}

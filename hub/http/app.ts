// Builds the hub's HTTP app (fastify) without listening, so tests can inject requests and the
// hub decides where it listens (fastify's build-then-listen pattern: tests inject requests without a port).
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../../common/logger.js';
import { makeAuthHook } from './auth.js';
import type { HttpContext } from './context.js';
import type { Role } from '../store/index.js';
import { clientErrorHandler, errorHandler, frameworkErrorHandler, MAX_PARAM_LENGTH } from './errors.js';
import { monitorRoutes } from './monitor/route.js';
import { alarmRoutes } from './routes/alarms.js';
import { announceRoutes } from './routes/announce.js';
import { broadcastRoutes } from './routes/broadcasts.js';
import { brokerRoutes } from './routes/broker.js';
import type { MosquittoFiles } from '../broker/mosquitto-files.js';
import { cameraLiveRoutes } from './routes/camera-live.js';
import { cameraRoutes } from './routes/cameras.js';
import { clusterRoutes } from './routes/clusters.js';
import { eventRoutes } from './routes/events.js';
import { liveRoutes } from './routes/live.js';
import { mediaRoutes } from './routes/media.js';
import { reportRoutes } from './routes/report.js';
import { scheduleRoutes } from './routes/schedules.js';
import { tokenRoutes } from './routes/tokens.js';

/** One route the app serves: `roles` null means public or device-authenticated (hub/http/auth.ts). */
export interface RouteEntry {
  method: string;
  url: string;
  roles: readonly Role[] | null;
}

const routeTables = new WeakMap<FastifyInstance, RouteEntry[]>();

/** Every route registered on an app built here, so tests/police-auth.test.ts can hold each one to account. */
export function registeredRoutes(app: FastifyInstance): RouteEntry[] {
  return [...(routeTables.get(app) ?? [])];
}

export function buildApp(
  ctx: HttpContext,
  logger: Logger,
  opts: { maxUploadBytes: number; brokerFiles?: MosquittoFiles | null; https?: { cert: Buffer; key: Buffer } },
): FastifyInstance {
  // fastify types an HTTPS app apart from an HTTP one; the routes use neither server's own API.
  const app = Fastify({
    ...(opts.https ? { https: opts.https } : {}),
    loggerInstance: logger as unknown as FastifyBaseLogger,
    // Per-request lines go out at debug level from the onResponse hook below instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    // Each request gets a child logger with its id (fastify's default), so lines of one request group.
    genReqId: () => Math.random().toString(36).slice(2, 10),
    // Refusals before any route or hook runs answer in the API's error shape too (issue 14, item 12).
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
  });
  const table: RouteEntry[] = [];
  routeTables.set(app, table);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) table.push({ method, url: r.url, roles: r.config?.roles ?? null });
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => {
    void reply
      .code(404)
      .send({ error: { code: 'LOA_NOT_FOUND', message: `${req.method} ${req.url.split('?')[0]} is not part of this hub's API; see docs/api.md.` } });
  });
  app.addHook('onRequest', makeAuthHook(ctx.store.tokens));
  app.addHook('onResponse', async (req, reply) => {
    req.log.debug({ method: req.method, url: req.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    // A refused WebSocket upgrade (401, 403, 404…) was answered on a socket Node handed over and
    // nobody reads: end it, or it stays open (and keeps the app from closing) until the client goes.
    if (req.headers.upgrade) req.raw.socket?.destroy();
  });

  app.get('/healthz', async () => ({ status: 'ok', version: ctx.version, uptimeS: (ctx.clock.now() - ctx.startedAt) / 1000 }));
  app.get('/metrics', async (_req, reply) => {
    void reply.header('content-type', ctx.metrics.contentType);
    return ctx.metrics.metrics();
  });

  clusterRoutes(app, ctx);
  mediaRoutes(app, ctx, opts);
  broadcastRoutes(app, ctx);
  tokenRoutes(app, ctx);
  scheduleRoutes(app, ctx);
  reportRoutes(app, ctx);
  alarmRoutes(app, ctx);
  cameraRoutes(app, ctx);
  if (ctx.cameraLive) cameraLiveRoutes(app, ctx, ctx.cameraLive);
  eventRoutes(app, ctx);
  liveRoutes(app, ctx);
  announceRoutes(app, ctx, opts);
  brokerRoutes(app, ctx, opts.brokerFiles ?? null);
  monitorRoutes(app);
  return app;
}

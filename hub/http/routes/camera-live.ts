// GET /api/v1/cameras/:id/live: a camera's live video over a WebSocket (police and operators; a
// viewer token sees status, not video). Text messages are JSON status (LiveViewStatus), binary
// ones the fragmented MP4 init segment and fragments a browser appends to a MediaSource.
// Without an Upgrade the same address answers how to watch and which pulls are open.
// A browser cannot set an Authorization header on a WebSocket, so the token may come as a
// subprotocol value (hub/http/auth.ts): it stays out of URLs, proxies' access logs and history.
import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Logger } from '../../../common/logger.js';
import { cameraErrors } from '../../cameras/errors.js';
import type { LiveVideo } from '../../video/service.js';
import { LIVE_PROFILES, type LiveProfile } from '../../video/source.js';
import { wsViewer } from '../../video/viewer.js';
import type { LiveViewInfo } from '../api.js';
import { LIVE_PROTOCOL } from '../auth.js';
import type { HttpContext } from '../context.js';
import { parseWith } from '../errors.js';

/** Video: the police post and operators only. */
const pictureReaders = { roles: ['operator', 'police'] as const };
const params = z.object({ id: z.string().min(1).max(100) });
const query = z.object({ profile: z.enum(LIVE_PROFILES).default('main') });

function target(ctx: HttpContext, req: FastifyRequest): { camera: string; profile: LiveProfile } {
  const { id } = parseWith(params, req.params, 'path');
  const { profile } = parseWith(query, req.query, 'query');
  if (!ctx.cameras.get(id)) throw cameraErrors.notFound(id);
  return { camera: id, profile };
}

export function cameraLiveRoutes(app: FastifyInstance, ctx: HttpContext, live: LiveVideo): void {
  void app.register(async (scope) => {
    await scope.register(websocket, {
      // Viewers send nothing that matters; a big message is an attack on memory.
      options: { maxPayload: 4096, handleProtocols: (offered: Set<string>) => (offered.has(LIVE_PROTOCOL) ? LIVE_PROTOCOL : false) },
    });
    scope.route({
      method: 'GET',
      url: '/api/v1/cameras/:id/live',
      config: pictureReaders,
      // Runs before the handshake: a wrong camera or profile is an HTTP 404/400, not a socket that closes.
      preHandler: async (req) => {
        const { camera, profile } = target(ctx, req);
        if (req.headers.upgrade && !live.canWatch(camera, profile)) throw cameraErrors.liveBusy(ctx.config.cameras.live.maxPulls);
      },
      handler: async (req): Promise<LiveViewInfo> => {
        const { camera } = target(ctx, req);
        const open = live.list().filter((c) => c.camera === camera);
        return {
          camera,
          protocol: LIVE_PROTOCOL,
          profiles: LIVE_PROFILES.map((profile) => {
            const c = open.find((o) => o.profile === profile);
            return { profile, pulling: !!c, state: c?.state ?? null, viewers: c?.viewers ?? 0 };
          }),
        };
      },
      wsHandler: (socket, req) => {
        const { camera, profile } = target(ctx, req);
        const log = req.log.child({ cameraId: camera, profile, viewer: req.principal?.name }) as unknown as Logger;
        const settings = ctx.config.cameras.live;
        const sink = wsViewer(socket, { clock: ctx.clock, logger: log, settings, dropped: () => live.counts.dropped++ });
        const leave = live.watch(camera, profile, sink);
        if (!leave) {
          // Another viewer took the last pull between the check before the handshake and now.
          socket.close(1013, 'too many cameras watched at once; try again later');
          return;
        }
        // Who watched what: the audit log (issue 16 item 3) will keep it; the log line does meanwhile.
        log.info('live viewer joined');
        socket.on('close', () => {
          leave();
          log.info('live viewer left');
        });
        socket.on('error', () => leave());
      },
    });
  });
}

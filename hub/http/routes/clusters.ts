// /api/v1/clusters and /api/v1/status: registering clusters and seeing which are up.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ClusterRow } from '../../store/index.js';
import type { Cluster, ClusterAdded, ClusterStatus, HubStatus, SecretRotated } from '../api.js';
import type { HttpContext } from '../context.js';
import { parseWith } from '../errors.js';

const operator = { roles: ['operator'] as const };
const addBody = z.strictObject({ id: z.string(), name: z.string().max(100).optional(), village: z.string().max(100).optional() });
const volumeBody = z.strictObject({ volume: z.number().int().min(0).max(100) });
const idParams = z.object({ id: z.string() });

export function clusterStatus(ctx: HttpContext, c: ClusterRow): ClusterStatus {
  const state = ctx.devices.reportedState(c.id);
  const h = ctx.store.health.latest(c.id);
  const playing = state?.playing && c.online ? state.playing : null;
  return {
    ...c,
    playing: playing && {
      broadcastId: playing.broadcastId,
      mediaId: playing.mediaId,
      mediaName: ctx.store.media.get(playing.mediaId)?.name ?? null,
      startedAt: playing.startedAt,
    },
    health: h
      ? {
          at: h.receivedAt,
          uptimeS: h.uptimeS,
          cpuTempC: h.cpuTempC,
          load1: h.load1,
          memFreeMb: h.memFreeMb,
          memTotalMb: h.memTotalMb,
          diskFreeMb: h.diskFreeMb,
          player: h.player,
          lastError: h.lastError,
          agent: h.agent,
        }
      : null,
  };
}

export function clusterRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.get(
    '/api/v1/status',
    { config: operator },
    async (): Promise<HubStatus> => ({
      hub: { version: ctx.version, startedAt: ctx.startedAt, ffmpeg: ctx.ffmpeg },
      clusters: ctx.store.clusters.list().map((c) => clusterStatus(ctx, c)),
      // The open alarms, so `loa status` shows them with one request.
      alarms: ctx.store.alarms.open(),
    }),
  );

  app.get('/api/v1/clusters', { config: operator }, async (): Promise<{ clusters: Cluster[] }> => ({ clusters: ctx.store.clusters.list() }));

  app.post('/api/v1/clusters', { config: operator }, async (req, reply) => {
    const body = parseWith(addBody, req.body, 'cluster');
    const { cluster, secret } = await ctx.clusters.add(body);
    return reply.code(201).send({
      cluster,
      secret,
      hubKeys: ctx.hubKeys(),
      ...(ctx.provisioning ? { provisioning: { ...ctx.provisioning(), hubKeys: ctx.hubKeys() } } : {}),
    } satisfies ClusterAdded);
  });

  app.get('/api/v1/clusters/:id', { config: operator }, async (req): Promise<{ cluster: ClusterStatus; hubKeys: string[] }> => {
    const { id } = parseWith(idParams, req.params, 'path');
    return { cluster: clusterStatus(ctx, ctx.clusters.get(id)), hubKeys: ctx.hubKeys() };
  });

  app.delete('/api/v1/clusters/:id', { config: operator }, async (req) => {
    const { id } = parseWith(idParams, req.params, 'path');
    await ctx.clusters.remove(id);
    return { removed: id };
  });

  app.post('/api/v1/clusters/:id/rotate-secret', { config: operator }, async (req): Promise<SecretRotated> => {
    const { id } = parseWith(idParams, req.params, 'path');
    return ctx.clusters.rotateSecret(id);
  });

  app.post('/api/v1/clusters/:id/volume', { config: operator }, async (req): Promise<{ cluster: Cluster; commandId: string | null }> => {
    const { id } = parseWith(idParams, req.params, 'path');
    const { volume } = parseWith(volumeBody, req.body, 'volume');
    const commandId = await ctx.dispatcher.setVolume(id, volume);
    return { cluster: ctx.clusters.get(id), commandId };
  });
}

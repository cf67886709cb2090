// /api/v1/schedules, /api/v1/plan, /api/v1/emergency: the weekly programme and the override.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { badRequest } from '../../../common/errors.js';
import type { ApplyAnswer, CurrentSchedule, Emergency, PlanAnswer, ScheduleVersion, ValidateAnswer } from '../api.js';
import type { HttpContext } from '../context.js';
import { parseWith } from '../errors.js';

const operator = { roles: ['operator'] as const };
const fileBody = z.strictObject({
  text: z.string().max(2 * 1024 * 1024),
  file: z.string().min(1).max(500).default('schedule.yaml'),
  /** Language of the problem messages. */
  lang: z.enum(['vi', 'en']).optional(),
});
const applyQuery = z.object({ dryRun: z.enum(['0', '1', 'true', 'false']).optional() });
const planQuery = z.object({ date: z.string(), cluster: z.string().optional() });
const emergencyBody = z.strictObject({
  mediaId: z.string(),
  zones: z.array(z.string()).min(1).optional(),
  all: z.boolean().optional(),
  repeat: z.boolean().default(false),
  volume: z.number().int().min(0).max(100).optional(),
});
const stopBody = z.strictObject({ id: z.string().optional() });

export function scheduleRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.post('/api/v1/schedules/validate', { config: operator }, async (req): Promise<ValidateAnswer> => {
    const body = parseWith(fileBody, req.body, 'schedule');
    // Validating makes the speech of `tts:` items too: their length is needed to plan the slots,
    // and it is made once (cached), so the apply that follows costs nothing more.
    const speech = await ctx.schedules.prepareSpeech(body.text);
    const { problems, schedule } = ctx.schedules.validate(body.text, body.file, body.lang, speech);
    return { ok: problems.every((p) => p.severity !== 'error'), problems, programmes: schedule?.programmes.length ?? 0 };
  });

  app.post('/api/v1/schedules', { config: operator }, async (req, reply) => {
    const body = parseWith(fileBody, req.body, 'schedule');
    const { dryRun } = parseWith(applyQuery, req.query, 'query');
    const speech = await ctx.schedules.prepareSpeech(body.text);
    const result = ctx.schedules.apply(body.text, body.file, req.principal?.name ?? '', dryRun === '1' || dryRun === 'true', body.lang, speech);
    return reply.code(result.dryRun ? 200 : 201).send(result satisfies ApplyAnswer);
  });

  app.get('/api/v1/schedules/current', { config: operator }, async (): Promise<{ schedule: CurrentSchedule }> => ({ schedule: ctx.schedules.current() }));
  app.get('/api/v1/schedules', { config: operator }, async (): Promise<{ versions: ScheduleVersion[] }> => ({ versions: ctx.schedules.versions() }));

  app.get('/api/v1/plan', { config: operator }, async (req): Promise<PlanAnswer> => {
    const q = parseWith(planQuery, req.query, 'query');
    return ctx.schedules.plan(q.date, q.cluster);
  });

  app.get('/api/v1/emergency', { config: operator }, async (): Promise<{ active: Emergency[] }> => ({ active: ctx.store.schedules.activeEmergencies() }));

  app.post('/api/v1/emergency', { config: operator }, async (req, reply) => {
    const body = parseWith(emergencyBody, req.body, 'emergency');
    const zones = body.all ? ['all'] : (body.zones ?? []);
    if (zones.length === 0 || (body.all && body.zones)) throw badRequest('give either "zones" or "all": true.');
    const emergency = ctx.schedules.startEmergency({
      zones,
      mediaId: body.mediaId,
      repeat: body.repeat,
      volume: body.volume ?? null,
      by: req.principal?.name ?? '',
    });
    return reply.code(201).send({ emergency } satisfies { emergency: Emergency });
  });

  app.post('/api/v1/emergency/stop', { config: operator }, async (req): Promise<{ stopped: Emergency[] }> => {
    const body = parseWith(stopBody, req.body ?? {}, 'stop request');
    return { stopped: ctx.schedules.stopEmergency(req.principal?.name ?? '', body.id) };
  });
}

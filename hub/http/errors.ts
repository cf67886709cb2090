// HTTP error shape and request-body validation: every error leaves the API as
// { error: { code, message } } with a stable code (docs/errors.md).
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { LoaError, sentenceError } from '../../common/errors.js';

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const first = r.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : what}: ${i.message}`)
    .join('; ');
  throw sentenceError('LOA_BAD_REQUEST', 'request.invalid', { what, detail: first }, { status: 400 });
}

export function errorHandler(err: FastifyError | LoaError | Error, req: FastifyRequest, reply: FastifyReply): void {
  if (err instanceof LoaError) {
    // Details are structured problems (e.g. every error of a schedule file), never secrets.
    void reply.code(err.status).send({
      error: { code: err.code, message: err.message, ...(err.sentence ? { sentence: err.sentence } : {}), ...(err.details !== undefined ? { details: err.details } : {}) },
    });
    return;
  }
  const fe = err as FastifyError;
  if (fe.validation || (fe.statusCode && fe.statusCode < 500)) {
    void reply.code(fe.statusCode ?? 400).send({ error: { code: 'LOA_BAD_REQUEST', message: fe.message } });
    return;
  }
  req.log.error({ err }, 'request failed');
  const internal = sentenceError('LOA_INTERNAL', 'internal', {}, { status: 500 });
  void reply.code(500).send({ error: { code: internal.code, message: internal.message, sentence: internal.sentence } });
}

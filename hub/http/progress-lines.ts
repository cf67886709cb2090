// A long request's answer as NDJSON (POST /api/v1/media and POST /api/v1/announcements, asked for
// with Accept: application/x-ndjson): `progress` lines while the work runs, one per whole percent,
// then one last line that says how it went, `done` with the result or `error` with its code. The
// status is sent before the work ends, so that last line is the outcome (docs/api.md).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LoaError } from '../../common/errors.js';
import { internalError } from './errors.js';

export interface ProgressFailure {
  /** The sentence for an error that is not a LoaError (it is logged with `log`). */
  sentence: string;
  log: string;
  /** Whether the error line carries the error's details (the media import's does). */
  details: boolean;
}

/** Runs `work` with a progress callback, answering its progress and outcome as NDJSON lines. */
export async function answerWithProgress<T, P extends string>(
  req: FastifyRequest,
  reply: FastifyReply,
  work: (onProgress: (percent: number, phase: P) => void) => Promise<T>,
  done: (result: T) => object,
  failure: ProgressFailure,
): Promise<FastifyReply> {
  reply.hijack();
  reply.raw.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
  const line = (o: unknown): boolean => reply.raw.write(`${JSON.stringify(o)}\n`);
  let last = -1;
  try {
    const result = await work((percent, phase) => {
      if (Math.floor(percent) === last) return;
      last = Math.floor(percent);
      line({ event: 'progress', phase, percent: Math.min(100, Math.max(0, percent)) });
    });
    line({ event: 'done', ...done(result) });
  } catch (err) {
    const e = err instanceof LoaError ? err : internalError(failure.sentence);
    if (!(err instanceof LoaError)) req.log.error({ err }, failure.log);
    line({ event: 'error', error: { code: e.code, message: e.message, ...(failure.details && e.details !== undefined ? { details: e.details } : {}) } });
  }
  reply.raw.end();
  return reply;
}

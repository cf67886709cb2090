// HTTP error shape and request-body validation: every error leaves the API as
// { error: { code, message } } with a stable code (docs/errors.md).
import type { Socket } from 'node:net';
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

/** The hub failed to do what was asked (a bug, or a part not set up); its log has the details. */
export function internalError(message: string, status = 500): LoaError {
  return new LoaError('LOA_INTERNAL', message, { status });
}

export function errorHandler(err: FastifyError | LoaError | Error, req: FastifyRequest, reply: FastifyReply): void {
  if (err instanceof LoaError) {
    // Details are structured problems (e.g. every error of a schedule file), never secrets.
    void reply.code(err.status).send({
      error: {
        code: err.code,
        message: err.message,
        ...(err.sentence ? { sentence: err.sentence } : {}),
        ...(err.details !== undefined ? { details: err.details } : {}),
      },
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

/** Longest path segment (an id) the router takes; longer ones are LOA_URL_TOO_LONG (414). */
export const MAX_PARAM_LENGTH = 100;

/** The API's error body, for answers written before fastify has a request to reply to. */
const earlyError = (code: string, message: string): string => JSON.stringify({ error: { code, message } });

/**
 * fastify's frameworkErrors: a URL the router refuses before any hook (so before authentication).
 * The path is not echoed back: it is the caller's, possibly hostile, text.
 */
export function frameworkErrorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  req.log.debug({ code: err.code }, 'request refused by the router');
  const [status, body] =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? [414, earlyError('LOA_URL_TOO_LONG', `a part of the URL is too long (over ${MAX_PARAM_LENGTH} characters); ids are short, see docs/api.md.`)]
      : err.code === 'FST_ERR_BAD_URL'
        ? [400, earlyError('LOA_BAD_REQUEST', 'the path is not a valid URL (a %-escape does not decode to UTF-8); percent-encode it correctly.')]
        : [500, earlyError('LOA_INTERNAL', 'the hub failed to handle this request; its log has the details.')];
  void reply.code(status).header('content-type', 'application/json; charset=utf-8').send(body);
}

/**
 * The node server's clientError: bytes that are not an HTTP request, or headers over Node's limit.
 * No request exists yet, so the answer is written on the socket, in the API's error shape.
 */
export function clientErrorHandler(this: { log: { trace: (o: object, m: string) => void } }, err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, text, body] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [
          431,
          'Request Header Fields Too Large',
          earlyError(
            'LOA_HEADERS_TOO_LARGE',
            'the request line and headers are too large (over 16 KB together); send a shorter URL and fewer or shorter headers.',
          ),
        ]
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', earlyError('LOA_REQUEST_TIMEOUT', 'the request did not arrive in time; send it again.')]
        : [400, 'Bad Request', earlyError('LOA_BAD_REQUEST', 'this is not a valid HTTP request; see docs/api.md.')];
  this.log.trace({ err }, 'client error');
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ` +
        `${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

// Errors that reach a person: each has a stable code (documented in docs/errors.md) and a
// sentence that says what went wrong and what to do.
import type { Coded, Params } from './i18n/catalogue.js';
import { errorEnglish, type ErrorSentence } from './i18n/errors.js';

export class LoaError extends Error {
  readonly code: string;
  /** HTTP status when the error crosses the API. */
  readonly status: number;
  readonly details?: unknown;
  /** The message as a sentence of common/i18n/errors.ts, so a reader can say it in its language. */
  readonly sentence?: Coded;

  constructor(code: string, message: string, opts: { status?: number; details?: unknown; cause?: unknown; sentence?: Coded } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'LoaError';
    this.code = code;
    this.status = opts.status ?? 400;
    this.details = opts.details;
    if (opts.sentence) this.sentence = opts.sentence;
  }
}

/** An error whose message is a sentence of the shared catalogue (English here, any language at the reader). */
export function sentenceError(
  code: string,
  sentence: ErrorSentence,
  params: Params = {},
  opts: { status?: number; details?: unknown; cause?: unknown } = {},
): LoaError {
  return new LoaError(code, errorEnglish(sentence, params), { ...opts, sentence: { code: sentence, params } });
}

/** A request that does not hold (LOA_BAD_REQUEST, 400), raised by every module that takes
 *  requests; `message` names the field or value and says what to give instead. */
export function badRequest(message: string): LoaError {
  return new LoaError('LOA_BAD_REQUEST', message, { status: 400 });
}

export function isLoaError(e: unknown): e is LoaError {
  return e instanceof LoaError;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

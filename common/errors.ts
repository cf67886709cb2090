// Errors that reach a person: each has a stable code (documented in docs/errors.md) and a
// sentence that says what went wrong and what to do.

export class LoaError extends Error {
  readonly code: string;
  /** HTTP status when the error crosses the API. */
  readonly status: number;
  readonly details?: unknown;

  constructor(code: string, message: string, opts: { status?: number; details?: unknown; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'LoaError';
    this.code = code;
    this.status = opts.status ?? 400;
    this.details = opts.details;
  }
}

export function isLoaError(e: unknown): e is LoaError {
  return e instanceof LoaError;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

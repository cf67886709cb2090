// Errors the CLI itself raises. A usage error (bad arguments) exits 2, anything else exits 1;
// errors from the hub arrive as ApiError (api-client.ts), which is a LoaError with the hub's code.
// ExitError carries the status of a command that has already printed its own answer.
import { LoaError } from '../../common/errors.js';

export class CliError extends LoaError {
  /** True when the person typed something wrong: exit status 2 instead of 1. */
  readonly usage: boolean;

  constructor(code: string, message: string, opts: { usage?: boolean; cause?: unknown } = {}) {
    super(code, message, { cause: opts.cause });
    this.name = 'CliError';
    this.usage = opts.usage ?? false;
  }
}

export function usageError(code: string, message: string): CliError {
  return new CliError(code, message, { usage: true });
}

/**
 * Ends `loa` with a status after the result has been printed (e.g. `schedule validate` with errors
 * prints them and exits 1). The top-level catch writes nothing more for it.
 */
export class ExitError extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'ExitError';
  }
}

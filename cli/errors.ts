// Errors the CLI itself raises. A usage error (bad arguments) exits 2, anything else exits 1;
// errors from the hub arrive as ApiError (api-client.ts), which is a LoaError with the hub's code.
// ExitError carries the status of a command that has already printed its own answer.
import { LoaError } from '../common/errors.js';
import type { Catalogue } from './i18n.js';

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

/** The CLI's own errors raised by more than one command, defined once (said in the reader's language). */
export const cliErrors = {
  /** A file named on the command line is missing or may not be read; `e` gives the errno. */
  fileUnreadable: (t: Catalogue, file: string, e: unknown): CliError =>
    new CliError('LOA_CLI_FILE_UNREADABLE', t.fileUnreadable(file, (e as NodeJS.ErrnoException)?.code ?? String(e))),
  notAFile: (t: Catalogue, file: string): CliError => new CliError('LOA_CLI_NOT_A_FILE', t.notAFile(file)),
  /** The hub's streamed answer to an upload ended before its last line. */
  uploadUnfinished: (t: Catalogue): CliError => new CliError('LOA_CLI_UPLOAD_UNFINISHED', t.uploadUnfinished),
  /** A date, day or month option that is not one (`message` says which form it takes). */
  badDate: (message: string): CliError => usageError('LOA_CLI_BAD_DATE', message),
  /** A time option (--at, --until) that is not one. */
  badTime: (message: string): CliError => usageError('LOA_CLI_BAD_TIME', message),
};

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

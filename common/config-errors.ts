// The errors of a config file (the hub's, the box's, and the files they name: secrets, keys,
// certificates, password files), defined once with their stable code; every message names the
// file or the key and says what to do. The programs stop at start with it.
import { LoaError } from './errors.js';

export const CONFIG_ERROR_CODES = {
  LOA_CONFIG_INVALID: 400,
  LOA_CONFIG_UNREADABLE: 400,
} as const;

type Opts = { details?: unknown; cause?: unknown };

export const configErrors = {
  /** The file reads but does not hold (a bad value, a missing key, an empty secret). */
  invalid: (message: string, opts: Opts = {}): LoaError =>
    new LoaError('LOA_CONFIG_INVALID', message, { ...opts, status: CONFIG_ERROR_CODES.LOA_CONFIG_INVALID }),
  /** The file (or one it names) cannot be read at all. */
  unreadable: (message: string, opts: Opts = {}): LoaError =>
    new LoaError('LOA_CONFIG_UNREADABLE', message, { ...opts, status: CONFIG_ERROR_CODES.LOA_CONFIG_UNREADABLE }),
};

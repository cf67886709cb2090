// pino loggers: one root per process, a child per module and per device.
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level?: LevelWithSilent;
  name: string;
  /** Where lines go; defaults to stdout. Tests pass a stream to read what was logged. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  const level = opts.level ?? (process.env.LOA_LOG_LEVEL as LevelWithSilent | undefined) ?? 'info';
  return pino(
    {
      name: opts.name,
      level,
      // Credentials must never reach a log line, whatever a caller passes in.
      redact: {
        paths: ['secret', '*.secret', 'password', '*.password', 'token', '*.token', 'authorization', '*.authorization'],
        censor: '[redacted]',
      },
    },
    opts.destination ?? pino.destination({ sync: false }),
  );
}

/** A logger that drops everything, for tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

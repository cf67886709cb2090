// The last line of defence of a long-running program (loa-hub, loa-edge): a promise rejected with
// nobody awaiting it would otherwise end the process (Node's default since v15), taking a whole
// commune's radio off the air for a bug in one request or one box's message. Such a rejection is
// logged and the program goes on; the hub's timers and event listeners are already contained
// where they are made, so reaching this is itself a bug worth reporting.
import type { Logger } from './logger.js';

export interface ProcessGuard {
  /** Rejections contained so far (also in the log). */
  readonly contained: number;
}

export function containUnhandledRejections(proc: NodeJS.EventEmitter, log: Logger): ProcessGuard {
  const guard = { contained: 0 };
  proc.on('unhandledRejection', (reason: unknown) => {
    guard.contained++;
    const err = reason instanceof Error ? reason : new Error(String(reason));
    log.error({ err, contained: guard.contained }, 'a promise failed with nobody to handle it (a bug); the program goes on');
  });
  return guard;
}

// One warning a minute for a kind of message a stranger can send without end (e.g. commands with
// no hub signature, through a rogue broker): the first is logged, the rest of the minute counted,
// and the next line says how many were left out, so a flood cannot fill a box's SD card.
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';

export class RateLimitedLog {
  private lastAt = Number.NEGATIVE_INFINITY;
  private suppressed = 0;

  constructor(
    private readonly clock: Clock,
    private readonly everyMs = 60_000,
  ) {}

  warn(log: Logger, fields: Record<string, unknown>, msg: string): void {
    const now = this.clock.now();
    if (now - this.lastAt < this.everyMs) {
      this.suppressed += 1;
      return;
    }
    this.lastAt = now;
    log.warn(this.suppressed > 0 ? { ...fields, suppressed: this.suppressed } : fields, msg);
    this.suppressed = 0;
  }
}

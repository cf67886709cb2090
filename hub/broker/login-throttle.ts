// Slows down repeated failed logins: after each failure from an address or for a cluster id, the
// next attempt from it waits twice as long (up to a cap). Entries expire, and the table is bounded
// so a flood of random ids cannot grow it without limit.
import type { Clock } from '../../common/clock.js';

interface Failures {
  count: number;
  lastAt: number;
}

export class LoginThrottle {
  private readonly failures = new Map<string, Failures>();

  constructor(
    private readonly clock: Clock,
    private readonly opts: { baseDelayMs: number; maxDelayMs: number; forgetAfterMs?: number; maxEntries?: number },
  ) {}

  /** How long an attempt involving these keys (e.g. "ip:1.2.3.4", "id:ban-hon") must wait first. */
  delayFor(keys: readonly string[]): number {
    const now = this.clock.now();
    let delay = 0;
    for (const key of keys) {
      const f = this.failures.get(key);
      if (!f) continue;
      if (now - f.lastAt > (this.opts.forgetAfterMs ?? 15 * 60_000)) {
        this.failures.delete(key);
        continue;
      }
      delay = Math.max(delay, Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** (f.count - 1)));
    }
    return delay;
  }

  /** Records a failure; returns the failure count for the worst key. */
  fail(keys: readonly string[]): number {
    const now = this.clock.now();
    let worst = 0;
    for (const key of keys) {
      const f = this.failures.get(key) ?? { count: 0, lastAt: now };
      f.count += 1;
      f.lastAt = now;
      this.failures.delete(key); // re-insert so iteration order is least-recently-failed first
      this.failures.set(key, f);
      worst = Math.max(worst, f.count);
    }
    const max = this.opts.maxEntries ?? 50_000;
    while (this.failures.size > max) this.failures.delete(this.failures.keys().next().value as string);
    return worst;
  }

  succeed(keys: readonly string[]): void {
    for (const key of keys) this.failures.delete(key);
  }
}

// Counts failed logins per key (an address, a cluster id) and says how long the answer to the
// latest failure is held back: doubling per failure, up to a cap. Only failures are ever slowed: a
// right secret passes at once, so a box behind the same NAT as a failing one is never locked out
// (issue 14, item 5). Entries expire, and the table is bounded so a flood of ids cannot grow it.
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

  /** Records a failure for these keys; returns the worst key's count and how long to hold the answer. */
  fail(keys: readonly string[]): { failures: number; delayMs: number } {
    const now = this.clock.now();
    const forgetAfter = this.opts.forgetAfterMs ?? 15 * 60_000;
    let worst = 0;
    for (const key of keys) {
      const old = this.failures.get(key);
      const f = old && now - old.lastAt <= forgetAfter ? old : { count: 0, lastAt: now };
      f.count += 1;
      f.lastAt = now;
      this.failures.delete(key); // re-insert so iteration order is least-recently-failed first
      this.failures.set(key, f);
      worst = Math.max(worst, f.count);
    }
    const max = this.opts.maxEntries ?? 50_000;
    while (this.failures.size > max) this.failures.delete(this.failures.keys().next().value as string);
    return { failures: worst, delayMs: this.delayAfter(worst) };
  }

  /** A right secret for an id ends that id's run of failures (its address keeps its own count). */
  succeed(keys: readonly string[]): void {
    for (const key of keys) this.failures.delete(key);
  }

  private delayAfter(failures: number): number {
    if (failures <= 0) return 0;
    return Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** Math.min(failures - 1, 40));
  }
}

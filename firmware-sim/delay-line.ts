// Simulated network latency for one direction of one cluster's link. Messages keep their order
// (as over one TCP connection) even when each draws a different random delay.
import type { Clock, TimerHandle } from '../common/clock.js';
import { isZeroDelay, pickDelay, type DelaySpec } from './settings.js';

export class DelayLine {
  /** When the last scheduled message leaves; the next may not leave before it. */
  private lastDue = 0;
  private readonly pending = new Set<TimerHandle>();

  constructor(
    private readonly clock: Clock,
    private readonly delay: DelaySpec,
    private readonly random: () => number,
  ) {}

  /** Runs fn after the simulated delay; synchronously (no timer at all) when the delay is zero. */
  send(fn: () => void): void {
    const now = this.clock.now();
    if (isZeroDelay(this.delay) && this.lastDue <= now) {
      fn();
      return;
    }
    const due = Math.max(now + pickDelay(this.delay, this.random), this.lastDue);
    this.lastDue = due;
    const handle = this.clock.setTimeout(() => {
      this.pending.delete(handle);
      fn();
    }, due - now);
    this.pending.add(handle);
  }

  /** Resolves once everything sent so far has left. */
  drained(): Promise<void> {
    const wait = this.lastDue - this.clock.now();
    if (this.pending.size === 0 || wait <= 0) return Promise.resolve();
    return new Promise((resolve) => this.clock.setTimeout(resolve, wait + 1));
  }

  /** Drops everything still in flight (the link is gone). */
  clear(): void {
    for (const h of this.pending) h.cancel();
    this.pending.clear();
    this.lastDue = 0;
  }
}

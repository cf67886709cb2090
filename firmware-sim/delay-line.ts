// Simulated network latency for one direction of one cluster's link. Messages keep their order
// (as over one TCP connection) even when each draws a different random delay.
import type { Clock, TimerHandle } from '../common/clock.js';
import { isZeroDelay, pickDelay, type DelaySpec } from './settings.js';

interface InFlight {
  due: number;
  fn: () => void;
}

export class DelayLine {
  /** Messages in sending order, each due no earlier than the one before it. One timer serves the
   *  head only: timers of different lengths set a millisecond apart may fire out of order. */
  private readonly queue: InFlight[] = [];
  private timer: TimerHandle | null = null;
  private readonly drainWaiters: (() => void)[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly delay: DelaySpec,
    private readonly random: () => number,
  ) {}

  /** Runs fn after the simulated delay; synchronously (no timer at all) when the delay is zero. */
  send(fn: () => void): void {
    const now = this.clock.now();
    if (isZeroDelay(this.delay) && this.queue.length === 0) {
      fn();
      return;
    }
    const lastDue = this.queue.at(-1)?.due ?? 0;
    this.queue.push({ due: Math.max(now + pickDelay(this.delay, this.random), lastDue), fn });
    if (this.queue.length === 1) this.arm();
  }

  /** Resolves once everything sent so far has left. */
  drained(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Drops everything still in flight (the link is gone). */
  clear(): void {
    this.timer?.cancel();
    this.timer = null;
    this.queue.length = 0;
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  private arm(): void {
    const head = this.queue[0];
    if (!head) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      try {
        // Everything due by now leaves, in order (timers may fire a millisecond early).
        while (this.queue.length > 0 && this.queue[0]!.due <= this.clock.now() + 1) this.queue.shift()!.fn();
      } finally {
        if (this.queue.length > 0) this.arm();
        else for (const resolve of this.drainWaiters.splice(0)) resolve();
      }
    }, head.due - this.clock.now());
  }
}

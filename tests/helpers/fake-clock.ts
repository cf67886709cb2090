// A simulated clock for whole-day tests: time stands still until the test moves it, and moving
// it fires every timer that falls due, in order, letting real I/O (MQTT between the hub and the
// simulated fleet) settle between instants. Hub, scheduler and fleet all share one.
import type { Clock, TimerHandle } from '../../common/clock.js';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start: number) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    // Whole milliseconds, like Date.now(): callers may pass fractional delays (jittered backoff).
    const timer: Timer = { at: this.t + Math.ceil(Math.max(0, ms)), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** The time of the next live timer, if any. */
  nextAt(): number | null {
    this.timers = this.timers.filter((x) => !x.cancelled);
    let best: number | null = null;
    for (const x of this.timers) if (best === null || x.at < best) best = x.at;
    return best;
  }

  /**
   * Moves time forward to `to`, stopping at each timer's instant to fire it and then letting real
   * I/O settle for `settleMs` of wall-clock time (messages sent at that instant arrive before the
   * simulated time moves on).
   */
  async runUntil(to: number, settleMs: number | (() => Promise<void>) = 25): Promise<void> {
    const settle = typeof settleMs === 'number' ? () => pause(settleMs) : settleMs;
    // Whatever the test just set going (a command, a restart) lands before time moves.
    await settle();
    for (;;) {
      const next = this.nextAt();
      if (next === null || next > to) break;
      this.t = Math.max(this.t, next);
      const due = this.timers.filter((x) => !x.cancelled && x.at <= this.t).sort((a, b) => a.at - b.at || a.seq - b.seq);
      this.timers = this.timers.filter((x) => !due.includes(x));
      for (const x of due) if (!x.cancelled) x.fn();
      await settle();
    }
    this.t = Math.max(this.t, to);
    await settle();
  }

  /** Moves time forward by ms (see runUntil). */
  advance(ms: number, settleMs?: number | (() => Promise<void>)): Promise<void> {
    return this.runUntil(this.t + ms, settleMs);
  }
}

export function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

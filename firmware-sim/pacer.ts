// One shared timer that calls onDue(0), onDue(1), ... evenly spaced in time. The fleet uses it
// to spread health reports of N clusters over the health interval and to ramp up connections,
// so 10,000 clusters cost one timer instead of 10,000 intervals.
import type { Clock, TimerHandle } from '../common/clock.js';

export interface PacerOptions {
  clock: Clock;
  /** Time between two consecutive calls. */
  spacingMs: number;
  /** Calls after which the pacer stops by itself; Infinity for a periodic schedule. */
  limit: number;
  onDue(k: number): void;
  /** Shortest sleep between wake-ups; smaller spacings are handled in batches. */
  minSleepMs?: number;
  /** At most this many calls are made up after the process was stalled; older ones are skipped. */
  maxCatchUp?: number;
}

export class Pacer {
  private startedAt = 0;
  private emitted = 0;
  private timer: TimerHandle | null = null;
  private running = false;
  /** Called once when a limited pacer has made its last call (or is stopped before). */
  onDone: (() => void) | undefined;

  constructor(private readonly opts: PacerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.startedAt = this.opts.clock.now();
    this.emitted = 0;
    this.tick();
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = null;
    this.finish();
  }

  private finish(): void {
    const done = this.onDone;
    this.onDone = undefined;
    done?.();
  }

  private tick(): void {
    this.timer = null;
    if (!this.running) return;
    const { clock, spacingMs, limit, onDue } = this.opts;
    const now = clock.now();
    const due = Math.min(limit, Math.floor((now - this.startedAt) / spacingMs) + 1);
    const maxCatchUp = this.opts.maxCatchUp ?? Infinity;
    // After a long stall, skip what is too late to matter rather than firing a burst.
    if (due - this.emitted > maxCatchUp) this.emitted = due - maxCatchUp;
    while (this.emitted < due && this.running) onDue(this.emitted++);
    if (!this.running || this.emitted >= limit) {
      this.running = false;
      this.finish();
      return;
    }
    const nextAt = this.startedAt + this.emitted * spacingMs;
    this.timer = clock.setTimeout(() => this.tick(), Math.max(this.opts.minSleepMs ?? 10, nextAt - now));
  }
}

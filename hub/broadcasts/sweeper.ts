// The one sweeper of broadcast targets: a target that said nothing before its deadline is logged
// expired. Armed only by the ledger (after a send, an ack that sets a deadline, a stop).
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { EventBus } from '../events.js';
import type { Store } from '../store/index.js';

/** Shortest wait between sweeps, so a burst of deadlines is handled in one go. */
const SWEEP_MIN_MS = 200;

export class Sweeper {
  private timer: TimerHandle | null = null;
  private stopped = false;

  constructor(private readonly deps: { store: Store; bus: EventBus; clock: Clock; logger: Logger }) {}

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
  }

  /**
   * Wakes at the earliest deadline of an open target (not on a fixed period), so a clock that
   * jumps through a simulated day does not spin through every second of it.
   */
  arm(): void {
    if (this.stopped) return;
    this.timer?.cancel();
    const next = this.deps.store.broadcasts.nextDeadline();
    if (next === null) {
      this.timer = null;
      return;
    }
    this.timer = this.deps.clock.setTimeout(
      () => {
        this.timer = null;
        try {
          this.sweep();
        } catch (err) {
          this.deps.logger.error({ err }, 'sweep failed');
        }
        this.arm();
      },
      Math.max(SWEEP_MIN_MS, next - this.deps.clock.now() + 1),
    );
  }

  /** Gives up on targets that said nothing before their deadline. */
  private sweep(): void {
    const { store, clock } = this.deps;
    const now = clock.now();
    const touched = new Set<string>();
    for (const t of store.broadcasts.overdueTargets(now)) {
      const started = t.status === 'started';
      store.broadcasts.updateTarget(
        t.broadcastId,
        t.clusterId,
        {
          status: 'expired',
          reason: started ? 'no-finish-report' : 'no-answer',
          detail: started ? 'the box started but never reported the end' : 'no acknowledgement before the command expired',
          deadlineAt: null,
        },
        now,
      );
      touched.add(t.broadcastId);
    }
    for (const broadcastId of touched) this.deps.bus.emit('broadcastChanged', { broadcastId });
  }
}

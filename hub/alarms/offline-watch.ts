// One timer per offline cluster, due when it has been offline for the configured time: nothing
// polls, a fleet that is all online costs nothing, and a box back in time cancels its timer.
import type { Clock, TimerHandle } from '../../common/clock.js';

export type OfflineDue = (clusterId: string, since: number, reason: string | null) => void;

export class OfflineWatch {
  private readonly timers = new Map<string, TimerHandle>();

  constructor(
    private readonly clock: Clock,
    private readonly afterMs: number,
    private readonly onDue: OfflineDue,
  ) {}

  /** The cluster went offline at `since`; a time already past is due at once (after a hub restart). */
  arm(clusterId: string, since: number, reason: string | null): void {
    this.disarm(clusterId);
    const delay = Math.max(0, since + this.afterMs - this.clock.now());
    this.timers.set(
      clusterId,
      this.clock.setTimeout(() => {
        this.timers.delete(clusterId);
        this.onDue(clusterId, since, reason);
      }, delay),
    );
  }

  disarm(clusterId: string): void {
    this.timers.get(clusterId)?.cancel();
    this.timers.delete(clusterId);
  }

  get armed(): number {
    return this.timers.size;
  }

  stop(): void {
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }
}

// Limits the lines one cluster's messages can cause (issue 14, item 11): a box that sends bad
// payloads, or flaps its presence, without end gets a few lines a minute in the hub's log; the rest
// are counted on /metrics (loa_device_log_lines_suppressed_total), and the next line it gets says
// how many were left out. Each cluster has its own allowance, so a flood never hides another box.
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { EventBus } from '../events.js';

/** Lines per cluster per window, and the window. */
export const DEVICE_LOG_LINES = 5;
export const DEVICE_LOG_WINDOW_MS = 60_000;
/** Windows kept before the idle ones are dropped (the map holds clusters that logged lately). */
const PRUNE_AT = 1000;

interface Window {
  start: number;
  lines: number;
  suppressed: number;
}

export class DeviceLogLimit {
  private readonly windows = new Map<string, Window>();
  /** At most one sweep a window: at a hub start all 10,000 boxes say "online" within seconds, and
   *  a sweep per new cluster would cost the square of that. */
  private prunedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly deps: { clock: Clock; bus: EventBus; lines?: number; windowMs?: number }) {}

  /** Logs a warning caused by what a cluster sent, unless the cluster has had its lines this window. */
  warn(log: Logger, clusterId: string, fields: Record<string, unknown>, msg: string): void {
    this.line(log, 'warn', clusterId, fields, msg);
  }

  /** The same for a line at another level (a presence change: a box can flap it at will). */
  line(log: Logger, level: 'info' | 'warn', clusterId: string, fields: Record<string, unknown>, msg: string): void {
    const now = this.deps.clock.now();
    const windowMs = this.deps.windowMs ?? DEVICE_LOG_WINDOW_MS;
    let w = this.windows.get(clusterId);
    let suppressed = 0;
    if (!w || now - w.start >= windowMs) {
      suppressed = w?.suppressed ?? 0;
      if (!w && this.windows.size >= PRUNE_AT) this.prune(now, windowMs);
      w = { start: now, lines: 0, suppressed: 0 };
      this.windows.set(clusterId, w);
    }
    if (w.lines >= (this.deps.lines ?? DEVICE_LOG_LINES)) {
      w.suppressed += 1;
      this.deps.bus.emit('deviceLogSuppressed', { clusterId });
      return;
    }
    w.lines += 1;
    // The count of the lines left out rides on the next line the cluster gets.
    const text = suppressed > 0 ? `${msg} (${suppressed} more lines about this cluster were left out)` : msg;
    log[level]({ clusterId, ...fields, ...(suppressed > 0 ? { suppressed } : {}) }, text);
  }

  /** A payload from a cluster was dropped (bad JSON, schema): counted on /metrics, logged so. */
  dropped(log: Logger, clusterId: string, topic: string, reason: string): void {
    this.deps.bus.emit('payloadRejected', { clusterId, topic, reason });
    this.warn(log, clusterId, { topic, reason }, 'payload dropped');
  }

  /** Forgets a removed cluster. */
  forget(clusterId: string): void {
    this.windows.delete(clusterId);
  }

  private prune(now: number, windowMs: number): void {
    if (now - this.prunedAt < windowMs) return;
    this.prunedAt = now;
    // A window with lines left out is kept until its count has been said.
    for (const [id, w] of this.windows) if (now - w.start >= windowMs && w.suppressed === 0) this.windows.delete(id);
  }
}

// Reconnect delays with "full jitter" exponential backoff, so a fleet of boxes that lost the hub at
// the same moment does not reconnect at the same moment and storm it when it comes back.

/** How long one attempt (TCP, TLS and CONNACK) may take before it counts as failed (MQTT.js's
 *  default is 30 s). Boxes and the simulator both use it. */
export const CONNECT_TIMEOUT_MS = 15_000;

export interface BackoffOptions {
  minMs: number;
  maxMs: number;
  /** Uniform in [0, 1); passed in so tests can pin it. */
  random: () => number;
}

export class Backoff {
  private attempt = 0;

  constructor(private readonly opts: BackoffOptions) {}

  /**
   * Delay before the next attempt: uniform between minMs and min(maxMs, minMs·2^n), n = 1, 2, …
   * n starts at 1 so that even the first retry is spread over [minMs, 2·minMs].
   */
  next(): number {
    this.attempt += 1;
    const { minMs, maxMs, random } = this.opts;
    const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(this.attempt, 30));
    return Math.round(minMs + random() * (ceiling - minMs));
  }

  /** After a successful connection the next outage starts again from minMs. */
  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}

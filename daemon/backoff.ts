// Reconnect delays with "full jitter" exponential backoff, so a fleet of boxes that lost the hub at
// the same moment does not reconnect at the same moment and storm it when it comes back.
//
// An attempt the hub's machine refused outright (ECONNREFUSED: the machine answers, nothing
// listens on the port) is a hub restarting or being upgraded, not a hub out of reach. Such an
// attempt costs the hub nothing (the kernel answers it) and the hub is likely back within seconds,
// so for the first minutes of an outage refusals grow the delay only up to `refusedMaxMs`; a fleet
// then returns within that window of the hub listening again instead of up to `maxMs` later (bench
// reconnect, docs/benchmarks.md). After `refusedForMs` of waiting the usual growth resumes, so a
// hub that stays down for hours is not tried every few seconds over a metered 4G link.

export interface BackoffOptions {
  minMs: number;
  maxMs: number;
  /** Uniform in [0, 1); passed in so tests can pin it. */
  random: () => number;
  /** Ceiling while the attempts are refused outright (default 8 s, never above maxMs). */
  refusedMaxMs?: number;
  /** How long (the sum of delays given since the last success) refusals keep that ceiling (default 5 min). */
  refusedForMs?: number;
}

/** How long one attempt (TCP, TLS and CONNACK) may take before it counts as failed (MQTT.js's
 *  default is 30 s). Boxes and the simulator both use it. */
export const CONNECT_TIMEOUT_MS = 15_000;

export type AttemptFailure = 'refused' | 'other';

const REFUSED_MAX_MS = 8_000;
const REFUSED_FOR_MS = 5 * 60_000;

export class Backoff {
  private attempt = 0;
  /** Sum of the delays given since the last reset: how long this outage has been waited out. */
  private waitedMs = 0;

  constructor(private readonly opts: BackoffOptions) {}

  /**
   * Delay before the next attempt: uniform between minMs and min(maxMs, minMs·2^n), n = 1, 2, …
   * n starts at 1 so that even the first retry is spread over [minMs, 2·minMs]. After a refusal
   * (see above) n does not grow past the one whose ceiling reaches refusedMaxMs.
   */
  next(failure: AttemptFailure = 'other'): number {
    const { minMs, maxMs, random } = this.opts;
    const refusedMaxMs = Math.min(maxMs, this.opts.refusedMaxMs ?? REFUSED_MAX_MS);
    const early = this.waitedMs < (this.opts.refusedForMs ?? REFUSED_FOR_MS);
    const held = failure === 'refused' && early && minMs * 2 ** this.attempt >= refusedMaxMs;
    if (!held) this.attempt += 1;
    const cap = failure === 'refused' && early ? refusedMaxMs : maxMs;
    const ceiling = Math.min(cap, minMs * 2 ** Math.min(this.attempt, 30));
    const delay = Math.round(minMs + random() * Math.max(0, ceiling - minMs));
    this.waitedMs += delay;
    return delay;
  }

  /** After a successful connection the next outage starts again from minMs. */
  reset(): void {
    this.attempt = 0;
    this.waitedMs = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}

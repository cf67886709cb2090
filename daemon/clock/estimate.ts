// The arithmetic of clock sync, apart from timers and MQTT so tests can feed it made-up timestamps:
// one request/response gives a sample (offset, round trip); a window of samples gives the estimate.
//
// Why intersect intervals rather than take "the median of the best 3 by round trip": each sample
// proves the hub − box offset lies in [t2 − t3, t1 − t0] (the message took ≥ 0 ms each way), whatever
// the asymmetry. The tightest proof is the intersection of all of them, and its middle is a far
// better estimate when delays vary: with delays drawn uniformly in 0–200 ms each way, the spread
// across 12 boxes of 16 samples each was 64 ms (median, best-3 rule) against 26 ms (intersection);
// see docs/edge.md "Clock sync". Like the best-sample rule, the result is never more than
// rtt/2 from the truth, rtt being the smallest round trip in the window.
export interface TimeSample {
  /** Box clock when the request left, hub clock on arrival and when the answer left, box clock on arrival. */
  t0: number;
  t1: number;
  t2: number;
  t3: number;
  /** ((t1 − t0) + (t2 − t3)) / 2: hub − box, as this sample alone sees it. */
  offsetMs: number;
  /** (t3 − t0) − (t2 − t1): time on the wire, both ways. */
  rttMs: number;
}

export interface OffsetEstimate {
  /** hub − box, ms: add it to the box clock to get hub time. */
  offsetMs: number;
  /** The true offset lies within offsetMs ± uncertaintyMs (given the drift bound). */
  uncertaintyMs: number;
  /** Smallest round trip among the samples used. */
  rttMs: number;
  /** How many of the newest samples were consistent with each other and used. */
  used: number;
}

/** Each side stamps whole milliseconds (Date.now() truncates), so each bound may be off by 1 ms. */
export const RESOLUTION_MS = 1;

export type SampleResult = { ok: true; sample: TimeSample } | { ok: false; reason: string };

/** Makes a sample from the four timestamps; refuses ones that cannot be right. */
export function makeSample(t0: number, t1: number, t2: number, t3: number, maxRttMs: number): SampleResult {
  if (![t0, t1, t2, t3].every(Number.isFinite)) return { ok: false, reason: 'a timestamp is not a number' };
  if (t2 < t1) return { ok: false, reason: `the hub answered (t2 ${t2}) before it received (t1 ${t1})` };
  const rttMs = t3 - t0 - (t2 - t1);
  // Rounding on two clocks can make a very short round trip look up to 2 ms negative.
  if (rttMs < -2 * RESOLUTION_MS) return { ok: false, reason: `negative round trip (${rttMs} ms)` };
  if (rttMs > maxRttMs) return { ok: false, reason: `round trip of ${rttMs} ms is over ${maxRttMs} ms` };
  return { ok: true, sample: { t0, t1, t2, t3, offsetMs: (t1 - t0 + (t2 - t3)) / 2, rttMs: Math.max(0, rttMs) } };
}

/**
 * The offset from the samples (oldest first), as seen at box time `now`. A sample's interval is
 * widened by its age times the drift bound, since the two clocks may run at slightly different
 * rates. Samples are taken newest first; the first that does not overlap what the newer ones prove
 * (the box or hub clock was stepped, or drifted past the bound) ends the set, so the estimate
 * follows the clocks as they are now. Null without samples.
 */
export function estimateOffset(samples: readonly TimeSample[], now: number, driftPpm: number): OffsetEstimate | null {
  let lo = -Infinity;
  let hi = Infinity;
  let rttMs = Infinity;
  let used = 0;
  for (let i = samples.length - 1; i >= 0; i--) {
    const s = samples[i]!;
    const slack = RESOLUTION_MS + Math.max(0, now - s.t3) * driftPpm * 1e-6;
    const sLo = s.t2 - s.t3 - slack;
    const sHi = s.t1 - s.t0 + slack;
    const nLo = Math.max(lo, sLo);
    const nHi = Math.min(hi, sHi);
    if (nLo > nHi) break;
    lo = nLo;
    hi = nHi;
    rttMs = Math.min(rttMs, s.rttMs);
    used++;
  }
  if (used === 0) return null;
  return { offsetMs: (lo + hi) / 2, uncertaintyMs: (hi - lo) / 2, rttMs, used };
}

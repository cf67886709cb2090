// Clock sync arithmetic and the ClockSync state machine on a simulated clock, with network delays
// injected per message: the offset is right within rtt/2 whatever the asymmetry, boxes tens of
// seconds off converge, a stepped clock is followed, hub-time timers are re-aimed when the
// estimate moves, and a hub that never answers leaves the box on its own clock (offset 0).
import { describe, expect, it } from 'vitest';
import { offsetClock, type Clock } from '../common/clock.js';
import { silentLogger } from '../common/logger.js';
import { estimateOffset, makeSample, type TimeSample } from '../daemon/clock/estimate.js';
import { ClockSync, type ClockSyncSettings } from '../daemon/clock/sync.js';
import { estimateStartError } from '../daemon/clock/start-error.js';
import { PROTOCOL_VERSION, type TimeRequest } from '../protocol/index.js';
import { FakeClock } from './helpers/fake-clock.js';

/** A seeded generator, so a failure can be replayed. */
function lcg(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1664525 + 1013904223) % 2 ** 32;
    return x / 2 ** 32;
  };
}

/** One exchange with a box whose clock is `boxAhead` ms ahead of the hub, `out` and `back` ms on the wire. */
function exchange(hubT: number, boxAhead: number, out: number, back: number, hold = 1): TimeSample {
  const t0 = hubT + boxAhead;
  const t1 = hubT + out;
  const t2 = t1 + hold;
  const t3 = t2 + back + boxAhead;
  const r = makeSample(t0, t1, t2, t3, 5000);
  if (!r.ok) throw new Error(r.reason);
  return r.sample;
}

describe('clock-sync arithmetic', () => {
  it('computes offset and round trip from the four timestamps (box 30 s slow, asymmetric delays)', () => {
    const s = exchange(1_800_000_000_000, -30_000, 80, 10);
    expect(s.rttMs).toBe(90);
    expect(s.offsetMs).toBe(30_000 + 35);
    // The asymmetry shows as error, never more than half the round trip.
    expect(Math.abs(s.offsetMs - 30_000)).toBeLessThanOrEqual(s.rttMs / 2);
  });

  it('rejects absurd samples: negative round trip, round trip over 5 s, hub answering before it received', () => {
    expect(makeSample(1000, 5000, 5001, 1003, 5000)).toMatchObject({ ok: true });
    expect(makeSample(1000, 5000, 5010, 1003, 5000)).toMatchObject({ ok: false, reason: expect.stringMatching(/negative round trip/) });
    expect(makeSample(1000, 5000, 5001, 7000, 5000)).toMatchObject({ ok: false, reason: expect.stringMatching(/over 5000 ms/) });
    expect(makeSample(1000, 5000, 4990, 1003, 5000)).toMatchObject({ ok: false, reason: expect.stringMatching(/before it received/) });
  });

  it('stays within rtt/2 of the truth for any mix of asymmetric delays, and beats the best single sample', () => {
    const random = lcg(7);
    let worseThanBest = 0;
    for (let trial = 0; trial < 300; trial++) {
      const boxAhead = Math.round((random() - 0.5) * 60_000);
      const samples = Array.from({ length: 16 }, (_, i) =>
        exchange(1_800_000_000_000 + i * 250, boxAhead, Math.round(random() * 200), Math.round(random() * 200)),
      );
      const est = estimateOffset(samples, samples.at(-1)!.t3, 25)!;
      const err = Math.abs(est.offsetMs - -boxAhead);
      const best = samples.reduce((a, b) => (b.rttMs < a.rttMs ? b : a));
      expect(est.rttMs).toBe(best.rttMs);
      expect(err).toBeLessThanOrEqual(best.rttMs / 2 + 1);
      expect(err).toBeLessThanOrEqual(est.uncertaintyMs + 1e-9);
      if (err > Math.abs(best.offsetMs - -boxAhead)) worseThanBest++;
    }
    // The intersection is usually closer than the lowest-rtt sample alone.
    expect(worseThanBest).toBeLessThan(100);
  });

  it('follows a stepped box clock: older samples that contradict the newest are dropped', () => {
    const before = Array.from({ length: 6 }, (_, i) => exchange(1_000_000 + i * 1000, 20_000, 5, 5));
    const after = Array.from({ length: 2 }, (_, i) => exchange(1_010_000 + i * 1000, 25_000, 5, 5));
    const est = estimateOffset([...before, ...after], after.at(-1)!.t3, 25)!;
    expect(est.used).toBe(2);
    expect(Math.abs(est.offsetMs - -25_000)).toBeLessThanOrEqual(5);
  });

  it('widens old samples by the drift bound, so an hour-old perfect sample does not pin the estimate', () => {
    const old = exchange(1_000_000, 0, 0, 0, 0);
    const fresh = exchange(1_000_000 + 3_600_000, 0, 30, 30, 0);
    const est = estimateOffset([old, fresh], fresh.t3, 25)!;
    // 3600 s × 25 ppm = 90 ms of slack around the old one: the fresh ±30 ms bounds it instead.
    expect(est.used).toBe(2);
    expect(est.uncertaintyMs).toBeCloseTo(31, 0);
  });

  it('estimates the start error against when the first sample was due', () => {
    // On time: spawned 3 ms after startAt, 40 ms to the first sample.
    expect(estimateStartError({ startAt: 10_000, offsetMs: 0, seekMs: 0, spawnedAt: 10_003, latencyMs: 40 })).toBe(43);
    // Ready 500 ms late and seeked forward 500 ms: that sample was due at 10 500.
    expect(estimateStartError({ startAt: 10_000, offsetMs: 0, seekMs: 500, spawnedAt: 10_502, latencyMs: 40 })).toBe(42);
    // Joining an item under way at 60 s: position 60 s is due at startAt.
    expect(estimateStartError({ startAt: 10_000, offsetMs: 60_000, seekMs: 60_000, spawnedAt: 9_965, latencyMs: 40 })).toBe(5);
  });
});

/** A box on `clock` shifted by boxAhead, talking to a hub on `clock` through delays in ms. */
function rig(opts: { boxAhead: number; delays: () => [number, number]; answer?: boolean; settings?: Partial<ClockSyncSettings> }) {
  const clock = new FakeClock(1_800_000_000_000);
  const box: Clock = offsetClock(clock, opts.boxAhead);
  const sent: TimeRequest[] = [];
  const warnings: string[] = [];
  const logger = silentLogger();
  logger.warn = ((_o: unknown, msg: string) => void warnings.push(msg)) as typeof logger.warn;
  const sync: ClockSync = new ClockSync({
    clock: box,
    logger,
    random: lcg(3),
    settings: opts.settings,
    send: (req) => {
      sent.push(req);
      if (opts.answer === false) return;
      const [out, back] = opts.delays();
      clock.setTimeout(() => {
        const t1 = clock.now();
        const answer = JSON.stringify({ v: PROTOCOL_VERSION, id: req.id, t0: req.t0, t1, t2: t1 });
        clock.setTimeout(() => sync.handleResponse(answer), back);
      }, out);
    },
  });
  return { clock, box, sync, sent, warnings };
}

describe('ClockSync', () => {
  it('a box 30 s fast on a quiet link: synced after a burst of 8, hub time right to the millisecond', async () => {
    const r = rig({ boxAhead: 30_000, delays: () => [2, 2] });
    expect(r.sync.state()).toMatchObject({ synced: false, offsetMs: 0, rttMs: null });
    expect(r.sync.hubNow()).toBe(r.box.now());
    r.sync.connected();
    await r.clock.advance(5_000, 0);
    expect(r.sent).toHaveLength(8);
    expect(r.sync.state()).toMatchObject({ synced: true, offsetMs: -30_000, rttMs: 4, samples: 8 });
    expect(r.sync.hubNow()).toBe(r.clock.now());
    expect(r.sync.healthPart()).toEqual({ offsetMs: -30_000, rttMs: 4, samples: 8 });
    // Then one request a minute (±10 %).
    await r.clock.advance(50_000, 0);
    expect(r.sent).toHaveLength(8);
    await r.clock.advance(14_000, 0);
    expect(r.sent).toHaveLength(9);
    r.sync.stop();
  });

  it('a box 25 s slow on a jittery 0–200 ms link: asks more, and ends well within rtt/2', async () => {
    const random = lcg(11);
    const r = rig({ boxAhead: -25_000, delays: () => [Math.round(random() * 200), Math.round(random() * 200)] });
    r.sync.connected();
    await r.clock.advance(20_000, 0);
    const s = r.sync.state();
    expect(r.sent.length).toBeGreaterThan(8);
    expect(s.synced).toBe(true);
    expect(Math.abs(s.offsetMs - 25_000)).toBeLessThanOrEqual(s.rttMs! / 2 + 1);
    expect(Math.abs(s.offsetMs - 25_000)).toBeLessThanOrEqual(s.uncertaintyMs! + 1);
    r.sync.stop();
  });

  it('a hub that never answers: offset 0, not synced, one warning; answers late by more than 5 s do not count', async () => {
    const r = rig({ boxAhead: 40_000, delays: () => [0, 0], answer: false });
    r.sync.connected();
    await r.clock.advance(10_000, 0);
    expect(r.sent).toHaveLength(8);
    expect(r.sync.state()).toMatchObject({ synced: false, offsetMs: 0 });
    expect(r.warnings).toEqual(['the hub does not answer clock-sync requests; using the box clock as hub time']);
    // A stray answer to a request long gone is ignored.
    const req = r.sent[0]!;
    r.sync.handleResponse(JSON.stringify({ v: PROTOCOL_VERSION, id: req.id, t0: req.t0, t1: r.clock.now(), t2: r.clock.now() }));
    expect(r.sync.synced).toBe(false);
    r.sync.stop();
  });

  it('re-aims a hub-time timer when the first sync moves hub time by 20 s', async () => {
    // The box is 20 s slow; before sync, its hub time is 20 s behind the real one.
    const r = rig({ boxAhead: -20_000, delays: () => [1, 1] });
    const startAt = r.clock.now() + 3_000;
    let firedAt: number | null = null;
    r.sync.hubClock.setTimeout(() => (firedAt = r.clock.now()), startAt - r.sync.hubClock.now());
    r.sync.connected();
    await r.clock.advance(30_000, 0);
    // Unsynced it would have fired at +23 s; re-aimed, it fires at startAt (hub time).
    expect(firedAt).not.toBeNull();
    expect(Math.abs(firedAt! - startAt)).toBeLessThanOrEqual(2);
    r.sync.stop();
  });

  it('after a short outage (a hub restart) confirms the kept estimate with 2 requests, not a full burst', async () => {
    const r = rig({ boxAhead: 30_000, delays: () => [2, 2] });
    r.sync.connected();
    await r.clock.advance(5_000, 0);
    expect(r.sent).toHaveLength(8);
    r.sync.disconnected();
    await r.clock.advance(60_000, 0);
    r.sync.connected();
    await r.clock.advance(5_000, 0);
    expect(r.sent).toHaveLength(10);
    expect(r.sync.state()).toMatchObject({ synced: true, offsetMs: -30_000, bursting: false });
    r.sync.stop();
  });

  it('a full burst again when the kept estimate has aged past the tolerance, or the hub clock was stepped', async () => {
    // 25 ppm of drift: after 4 hours away the kept bounds are ±360 ms wide.
    const aged = rig({ boxAhead: 30_000, delays: () => [2, 2] });
    aged.sync.connected();
    await aged.clock.advance(5_000, 0);
    aged.sync.disconnected();
    await aged.clock.advance(4 * 3_600_000, 0);
    aged.sync.connected();
    await aged.clock.advance(5_000, 0);
    expect(aged.sent).toHaveLength(16);
    aged.sync.stop();
    // The hub came back with its clock 10 s later: the 2 confirming answers contradict the kept
    // samples, which are dropped; the burst goes on to 8 samples of the new offset.
    let hubStep = 0;
    const clock = new FakeClock(1_800_000_000_000);
    const sent: TimeRequest[] = [];
    const sync: ClockSync = new ClockSync({
      clock,
      logger: silentLogger(),
      random: lcg(5),
      send: (req) => {
        sent.push(req);
        clock.setTimeout(() => {
          const t1 = clock.now() + hubStep;
          const answer = JSON.stringify({ v: PROTOCOL_VERSION, id: req.id, t0: req.t0, t1, t2: t1 });
          clock.setTimeout(() => sync.handleResponse(answer), 2);
        }, 2);
      },
    });
    sync.connected();
    await clock.advance(5_000, 0);
    expect(sent).toHaveLength(8);
    sync.disconnected();
    hubStep = 10_000;
    await clock.advance(60_000, 0);
    sync.connected();
    await clock.advance(5_000, 0);
    expect(sent.length).toBeGreaterThanOrEqual(8 + 8);
    expect(sync.offsetMs).toBe(10_000);
    sync.stop();
  });
});

// Keeps the box's idea of hub time: asks the hub for its time over MQTT (`timereq` → `time`,
// NTP-style timestamps), estimates the offset from the samples (clock-estimate.ts), and hands out
// a hub-time Clock for everything that must happen at the hub's time (starting items, checking
// command expiry). Works with a box clock tens of seconds off and no NTP. loa-edge and loa-sim
// both run this class; neither needs anything but a Clock and a way to publish.
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { decodePayload, PROTOCOL_VERSION, type Health, type TimeRequest } from '../../protocol/index.js';
import { estimateOffset, makeSample, type OffsetEstimate, type TimeSample } from './estimate.js';

export interface ClockSyncSettings {
  /** On (re)connect, a request every burstIntervalMs... */
  burstIntervalMs: number;
  /** ...until at least burstMin have been answered and the uncertainty is within burstToleranceMs,
   *  or burstMax have been sent. A slow, jittery link thus gets more samples than a quiet LAN. */
  burstMin: number;
  /** ...or only this many, when the estimate kept from before the link dropped is still within
   *  burstToleranceMs (the box ran on through a short outage or a hub restart): they confirm it,
   *  and a fleet coming back at once asks the hub a quarter as often. */
  burstMinRejoin: number;
  burstMax: number;
  burstToleranceMs: number;
  /** Then one request every intervalMs (±10 %, so a fleet does not ask in step). */
  intervalMs: number;
  /** Answers with a longer round trip are thrown away (and so are answers that never come). */
  maxRttMs: number;
  /** Samples kept. */
  window: number;
  /** How fast box and hub clocks may drift apart, in parts per million (NTP assumes 15). */
  driftPpm: number;
}

export const DEFAULT_CLOCK_SYNC: ClockSyncSettings = {
  burstIntervalMs: 250,
  burstMin: 8,
  burstMinRejoin: 2,
  burstMax: 64,
  burstToleranceMs: 5,
  intervalMs: 60_000,
  maxRttMs: 5_000,
  window: 64,
  driftPpm: 25,
};

export interface ClockSyncState {
  /** False until the hub has answered once; hub time is then the box clock itself (offset 0). */
  synced: boolean;
  /** hub − box, ms. */
  offsetMs: number;
  /** Smallest round trip among the samples in use; null before the first. */
  rttMs: number | null;
  /** The true offset is within offsetMs ± uncertaintyMs; null before the first sample. */
  uncertaintyMs: number | null;
  samples: number;
  /** Box clock at the last accepted sample. */
  lastSampleAt: number | null;
  /** Asking in a burst (just connected) rather than once a minute. */
  bursting: boolean;
}

export interface ClockSyncOptions {
  /** The box's own clock. */
  clock: Clock;
  logger: Logger;
  /** Publishes a request on the cluster's `timereq` topic (QoS 0). */
  send: (req: TimeRequest) => void;
  random?: () => number;
  settings?: Partial<ClockSyncSettings>;
}

/** A change of the estimate this large is logged at info level. */
const NOTABLE_CHANGE_MS = 50;

export class ClockSync {
  /** Hub time as this box estimates it; timers on it follow changes of the estimate. */
  readonly hubClock: Clock;
  private readonly settings: ClockSyncSettings;
  private readonly hub: HubClock;
  private readonly log: Logger;
  private readonly random: () => number;
  private samples: TimeSample[] = [];
  private estimate: OffsetEstimate | null = null;
  /** Whole ms, so hub-time stamps stay integers as the protocol wants. */
  private offset = 0;
  private readonly pending = new Map<string, number>();
  private burst: { sent: number; answered: number; min: number } | null = null;
  private timer: TimerHandle | null = null;
  private online = false;
  private stopped = false;
  private requests = 0;
  private warnedNoAnswer = false;
  /** Tells requests of this run apart from those of an earlier run of the box. */
  private readonly tag: string;

  constructor(private readonly opts: ClockSyncOptions) {
    this.settings = { ...DEFAULT_CLOCK_SYNC, ...opts.settings };
    this.log = opts.logger;
    this.random = opts.random ?? Math.random;
    this.tag = Math.floor(this.random() * 36 ** 6).toString(36);
    this.hub = new HubClock(opts.clock, () => this.offset);
    this.hubClock = this.hub;
  }

  get synced(): boolean {
    return this.estimate !== null;
  }

  get offsetMs(): number {
    return this.offset;
  }

  get rttMs(): number | null {
    return this.estimate?.rttMs ?? null;
  }

  hubNow(): number {
    return this.hub.now();
  }

  state(): ClockSyncState {
    const e = this.estimate;
    return {
      synced: e !== null,
      offsetMs: this.offset,
      rttMs: e ? round1(e.rttMs) : null,
      uncertaintyMs: e ? round1(e.uncertaintyMs) : null,
      samples: this.samples.length,
      lastSampleAt: this.samples.at(-1)?.t3 ?? null,
      bursting: this.burst !== null,
    };
  }

  /** The optional `clock` part of health; absent until synced. */
  healthPart(): Health['clock'] {
    const e = this.estimate;
    return e ? { offsetMs: this.offset, rttMs: Math.round(e.rttMs), samples: this.samples.length } : undefined;
  }

  /** The link is up and subscribed to `time`: ask in a burst, then now and then. */
  connected(): void {
    if (this.stopped) return;
    this.online = true;
    const s = this.settings;
    const kept = estimateOffset(this.samples, this.opts.clock.now(), s.driftPpm);
    const rejoin = kept !== null && kept.uncertaintyMs <= s.burstToleranceMs;
    this.burst = { sent: 0, answered: 0, min: rejoin ? Math.min(s.burstMinRejoin, s.burstMin) : s.burstMin };
    this.timer?.cancel();
    this.tick();
  }

  /** The link is down: stop asking; the estimate stays (the box clock goes on). */
  disconnected(): void {
    this.online = false;
    this.burst = null;
    this.timer?.cancel();
    this.timer = null;
    this.pending.clear();
  }

  stop(): void {
    this.stopped = true;
    this.disconnected();
  }

  /** A payload from the `time` topic (untrusted); stamps its arrival first. */
  handleResponse(payload: Buffer | string): void {
    const t3 = this.opts.clock.now();
    const d = decodePayload('time', payload);
    if (!d.ok) {
      this.log.warn({ reason: d.reason }, 'dropped an invalid clock-sync answer');
      return;
    }
    const { id, t0, t1, t2 } = d.value;
    const sentAt = this.pending.get(id);
    // Only answers to our own outstanding requests count (a late or repeated answer is dropped).
    if (sentAt === undefined || Math.round(sentAt) !== t0) return;
    this.pending.delete(id);
    const r = makeSample(sentAt, t1, t2, t3, this.settings.maxRttMs);
    if (!r.ok) {
      this.log.debug({ reason: r.reason }, 'clock-sync sample rejected');
      return;
    }
    if (this.burst) this.burst.answered++;
    this.accept(r.sample);
  }

  private accept(sample: TimeSample): void {
    this.samples.push(sample);
    const est = estimateOffset(this.samples, sample.t3, this.settings.driftPpm)!;
    // Samples the newest ones contradict are gone for good (a clock was stepped); a burst that was
    // only confirming them then asks for as many as a first sync does.
    if (est.used < this.samples.length && this.burst) this.burst.min = this.settings.burstMin;
    this.samples = this.samples.slice(-Math.min(est.used, this.settings.window));
    const first = this.estimate === null;
    const before = this.offset;
    this.estimate = est;
    this.offset = Math.round(est.offsetMs);
    const fields = { offsetMs: this.offset, rttMs: round1(est.rttMs), uncertaintyMs: round1(est.uncertaintyMs), samples: this.samples.length };
    if (first) this.log.debug(fields, 'first clock-sync answer');
    else if (Math.abs(this.offset - before) >= NOTABLE_CHANGE_MS) this.log.info({ ...fields, changeMs: this.offset - before }, 'hub clock offset changed');
    else this.log.trace(fields, 'clock-sync sample');
    if (this.offset !== before) this.hub.offsetChanged();
  }

  private tick(): void {
    this.timer = null;
    if (!this.online || this.stopped) return;
    const s = this.settings;
    const now = this.opts.clock.now();
    for (const [id, at] of this.pending) if (now - at > s.maxRttMs) this.pending.delete(id);
    const b = this.burst;
    if (b) {
      const tight = b.answered >= b.min && (this.estimate?.uncertaintyMs ?? Infinity) <= s.burstToleranceMs;
      const unanswered = b.sent >= s.burstMin && b.answered === 0;
      if (tight || unanswered || b.sent >= s.burstMax) {
        this.burst = null;
        this.endOfBurst(b, unanswered);
      } else {
        b.sent++;
        this.request();
        this.timer = this.opts.clock.setTimeout(() => this.tick(), s.burstIntervalMs);
        return;
      }
    } else {
      this.request();
    }
    this.timer = this.opts.clock.setTimeout(() => this.tick(), s.intervalMs * (0.9 + 0.2 * this.random()));
  }

  private endOfBurst(b: { sent: number; answered: number; min: number }, unanswered: boolean): void {
    if (unanswered && !this.synced) {
      // Commands and items then go by the box clock, which may be far off: worth a warning, once.
      if (!this.warnedNoAnswer) this.log.warn({ requests: b.sent }, 'the hub does not answer clock-sync requests; using the box clock as hub time');
      this.warnedNoAnswer = true;
      return;
    }
    // One line per connection: what a person checking a box's timing wants to see.
    this.log.info({ requests: b.sent, answered: b.answered, ...this.state() }, 'clock synced with the hub');
  }

  private request(): void {
    const t0 = this.opts.clock.now();
    const id = `ts.${this.tag}.${++this.requests}`;
    this.pending.set(id, t0);
    this.opts.send({ v: PROTOCOL_VERSION, id, t0: Math.round(t0) });
  }
}

interface HubTimer {
  at: number;
  fn: () => void;
  inner: TimerHandle | null;
}

/**
 * Hub time = box clock + offset. A timer asks for a hub time, so when the estimate moves (first
 * sync can move it by tens of seconds) the timers still waiting are re-aimed; otherwise an item
 * waiting for its start would fire at the box's old idea of it.
 */
class HubClock implements Clock {
  private readonly timers = new Set<HubTimer>();

  constructor(
    private readonly box: Clock,
    private readonly offset: () => number,
  ) {}

  now(): number {
    return Math.round(this.box.now()) + this.offset();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t: HubTimer = { at: this.now() + Math.max(0, ms), fn, inner: null };
    this.timers.add(t);
    this.arm(t);
    return {
      cancel: () => {
        t.inner?.cancel();
        this.timers.delete(t);
      },
    };
  }

  offsetChanged(): void {
    for (const t of this.timers) {
      t.inner?.cancel();
      this.arm(t);
    }
  }

  private arm(t: HubTimer): void {
    t.inner = this.box.setTimeout(() => {
      this.timers.delete(t);
      t.fn();
    }, t.at - this.now());
  }
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

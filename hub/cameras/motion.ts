// Motion from each online camera through an ONVIF pull-point subscription, driven by explicit calls
// (CreatePullPointSubscription, PullMessages, Renew, Unsubscribe) rather than the onvif package's
// own `on('event')` loop, which runs on wall-clock timers and cannot be stopped cleanly. A fault
// (the subscription unknown after a camera restart, a dropped connection) means a new subscription
// after a backoff. Stopping cuts the held PullMessages at once and unsubscribes best-effort.
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { CameraConnection } from '../store/cameras.js';
import { clip, OnvifSession } from './onvif-client.js';
import { parseMotionNotices } from './replies.js';

export interface MotionSettings {
  timeoutMs: number;
  backoffMaxSec: number;
}

export interface MotionDeps {
  clock: Clock;
  logger: Logger;
  settings: MotionSettings;
  onMotion(id: string, motion: boolean, detail: string): void;
}

/** What the poller already knows about a camera, to spare a new subscription two requests. */
export interface MotionSeed {
  uri: InstanceType<typeof OnvifSession>['cam']['uri'];
  timeShift: number | undefined;
}

/** Subscriptions being set up at once: after a hub start every camera wants one, and the
 *  first status checks should not wait behind them. Held pulls do not count. */
const SETUP_CONCURRENCY = 4;

/** A counting semaphore for the setup phase. */
class Slots {
  private free: number;
  private readonly queue: (() => void)[] = [];

  constructor(n: number) {
    this.free = n;
  }

  async take(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.queue.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      if (next) next();
      else this.free++;
    };
  }
}

/** The package asks for PT1M; a camera has that long to answer a PullMessages, plus some. */
const PULL_TIMEOUT_MS = 75_000;
/** The package asks for PT2M on create and renew. */
const REQUESTED_LIFETIME_MS = 120_000;
const FIRST_RETRY_MS = 1_000;

class Subscription {
  private session: OnvifSession | null = null;
  private stopped = false;
  private sleeper: { timer: TimerHandle; wake(): void } | null = null;
  /** Settles when the CreatePullPointSubscription under way has been answered. */
  private creating: Promise<void> | null = null;

  constructor(
    readonly conn: CameraConnection,
    private readonly deps: MotionDeps,
    private readonly log: Logger,
    private readonly slots: Slots,
    private seed: MotionSeed | null,
  ) {}

  start(): void {
    this.run().catch((e: unknown) => this.log.error({ err: e }, 'motion subscription loop failed'));
  }

  /** Ends the loop now; resolves once the best-effort Unsubscribe has been answered or timed out. */
  stop(unsubscribe: boolean): Promise<void> {
    this.stopped = true;
    this.sleeper?.wake();
    const s = this.session;
    this.session = null;
    if (!s) return Promise.resolve();
    if (unsubscribe && this.creating) {
      // A CreatePullPointSubscription under way: let it answer (within its timeout), or the pull
      // point it makes would be left on the camera with nobody to unsubscribe it.
      return this.creating.then(() => this.unsubscribe(s));
    }
    if (unsubscribe) return this.unsubscribe(s);
    s.close();
    return Promise.resolve();
  }

  /** Cuts the session (and its held PullMessages) and sends Unsubscribe on a session of its own. */
  private async unsubscribe(s: OnvifSession): Promise<void> {
    const sub = s.cam.events.subscription as unknown;
    s.close();
    if (!sub) return;
    const bye = new OnvifSession(this.conn, { clock: this.deps.clock, timeoutMs: Math.min(this.deps.settings.timeoutMs, 2000) });
    bye.cam.events.subscription = sub;
    try {
      await bye.call('Unsubscribe', (cb) => bye.cam.unsubscribe(cb, true));
    } catch {
      // best effort: the camera drops it at its termination time anyway
    } finally {
      bye.close();
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        timer.cancel();
        this.sleeper = null;
        resolve();
      };
      const timer = this.deps.clock.setTimeout(wake, ms);
      this.sleeper = { timer, wake };
    });
  }

  private async run(): Promise<void> {
    const { clock, settings } = this.deps;
    let retryMs = FIRST_RETRY_MS;
    while (!this.stopped) {
      const session = new OnvifSession(this.conn, { clock, timeoutMs: settings.timeoutMs });
      this.session = session;
      try {
        const renewEvery = await this.setUp(session);
        retryMs = FIRST_RETRY_MS;
        await this.pull(session, renewEvery);
      } catch (e) {
        if (this.stopped) break;
        this.log.debug({ reason: e instanceof Error ? e.message : String(e), retryInMs: retryMs }, 'motion subscription failed; subscribing again');
        session.close();
        await this.sleep(retryMs);
        retryMs = Math.min(retryMs * 2, settings.backoffMaxSec * 1000);
      }
    }
  }

  private async setUp(session: OnvifSession): Promise<number> {
    const release = await this.slots.take();
    try {
      if (this.stopped) throw new Error('stopped');
      return await this.subscribe(session);
    } finally {
      release();
    }
  }

  /** PullMessages until stopped or a failure, renewing between pulls when due. */
  private async pull(session: OnvifSession, renewEvery: number): Promise<void> {
    const { clock } = this.deps;
    let renewedAt = clock.now();
    while (!this.stopped) {
      if (clock.now() - renewedAt >= renewEvery) {
        await session.call('Renew', (cb) => session.cam.renew({}, cb));
        renewedAt = clock.now();
      }
      const pulledAt = clock.now();
      const { xml } = await session.call('PullMessages', (cb) => session.cam.pullMessages({ messageLimit: 10 }, cb), PULL_TIMEOUT_MS);
      if (this.stopped) return;
      const notices = parseMotionNotices(xml);
      for (const n of notices) this.deps.onMotion(this.conn.id, n.motion, n.motion ? clip(n.topic.replace(/^[\w-]+:/, ''), 80) : 'IsMotion false');
      // A camera that answers at once with nothing, ignoring the Timeout, must not be spun on.
      if (notices.length === 0 && clock.now() - pulledAt < 1000) await this.sleep(1000);
    }
  }

  /** Services (for the events address), then a new pull point; returns how often to renew it. */
  private async subscribe(session: OnvifSession): Promise<number> {
    const { cam } = session;
    // The first time, what the poller has just learnt (clock offset, service addresses) is used;
    // after a failure the camera may have changed, so it is asked again.
    const seed = this.seed;
    this.seed = null;
    if (seed?.uri?.events) {
      cam.uri = seed.uri;
      cam.timeShift = seed.timeShift;
    } else {
      // The camera's clock first: WS-Security timestamps are made from it.
      await session.call('GetSystemDateAndTime', (cb) => cam.getSystemDateAndTime(cb));
      await session.readServices();
    }
    if (!cam.uri?.events) throw new Error('no events service');
    const create = session.call<{ currentTime?: unknown; terminationTime?: unknown }>('CreatePullPointSubscription', (cb) =>
      cam.createPullPointSubscription(cb),
    );
    this.creating = create.then(
      () => undefined,
      () => undefined,
    );
    const { data } = await create.finally(() => (this.creating = null));
    this.log.debug('motion subscription created');
    const cur = data?.currentTime instanceof Date ? data.currentTime.getTime() : NaN;
    const end = data?.terminationTime instanceof Date ? data.terminationTime.getTime() : NaN;
    const lifetime = Number.isFinite(end - cur) && end - cur >= 10_000 ? end - cur : REQUESTED_LIFETIME_MS;
    // Renewed between pulls: a pull may hold for up to a minute, so renew well before the end.
    return Math.max(5_000, Math.min(lifetime - PULL_TIMEOUT_MS, lifetime / 2));
  }
}

/** One subscription per camera that is online with motion on; the service says which. */
export class MotionWatch {
  private readonly subs = new Map<string, Subscription>();
  private readonly leaving = new Set<Promise<void>>();
  private readonly slots = new Slots(SETUP_CONCURRENCY);

  constructor(private readonly deps: MotionDeps) {}

  has(id: string): boolean {
    return this.subs.has(id);
  }

  /** Starts watching (again, when the address or credentials changed). */
  watch(conn: CameraConnection, seed: MotionSeed | null = null): void {
    const cur = this.subs.get(conn.id);
    if (cur && sameConnection(cur.conn, conn)) return;
    if (cur) this.unwatch(conn.id, true);
    const sub = new Subscription(conn, this.deps, this.deps.logger.child({ cameraId: conn.id }), this.slots, seed);
    this.subs.set(conn.id, sub);
    sub.start();
  }

  /** Stops watching; `unsubscribe` false when the camera is offline (nobody would answer). */
  unwatch(id: string, unsubscribe: boolean): void {
    const sub = this.subs.get(id);
    if (!sub) return;
    this.subs.delete(id);
    const p = sub.stop(unsubscribe);
    this.leaving.add(p);
    void p.finally(() => this.leaving.delete(p));
  }

  /** Stops every subscription; waits for the Unsubscribes, each bounded by its own short timeout. */
  async stop(): Promise<void> {
    for (const id of [...this.subs.keys()]) this.unwatch(id, true);
    await Promise.all([...this.leaving]);
  }
}

const sameConnection = (a: CameraConnection, b: CameraConnection): boolean =>
  a.host === b.host && a.port === b.port && a.path === b.path && a.user === b.user && a.password === b.password;

// Polls every camera on its own schedule on the hub's clock: at most `concurrency` at once, each
// request bounded by the timeout, so a dead camera holds one slot for a few seconds and never
// delays the others. An offline camera is retried at the interval doubling per failure, up to
// backoffMaxSec. Each result is written to the store and handed to `onResult`.
import type { Clock, TimerHandle } from '../../common/clock.js';
import { errorMessage } from '../../common/errors.js';
import { reason } from '../../common/i18n/reasons.js';
import type { Logger } from '../../common/logger.js';
import type { CameraConnection, CameraFindings, Store } from '../store/index.js';
import { checkCamera, type CheckResult } from './check.js';
import type { MotionSeed } from './motion.js';
import { OnvifSession } from './onvif-client.js';
import { reasonText } from './views.js';

export interface PollerSettings {
  pollIntervalSec: number;
  timeoutMs: number;
  concurrency: number;
  maxClockSkewSec: number;
  slowMs: number;
  backoffMaxSec: number;
}

export interface PollerDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  settings: PollerSettings;
  onResult(id: string, before: CameraFindings, after: CameraFindings): void;
}

/** A full poll (services, profiles, addresses) every this many polls of an online camera. */
export const FULL_POLL_EVERY = 20;

interface Tracked {
  id: string;
  dueAt: number;
  running: boolean;
  /** pollAll() was called while this one ran: go again as soon as it ends. */
  again: boolean;
  failures: number;
  polls: number;
  session: OnvifSession | null;
  sessionKey: string;
  /** Launch number of the poll under way (pollAll counts polls launched after it was called). */
  launch: number;
  /** Bumped when the camera's address or credentials change: a poll of the old ones is discarded. */
  generation: number;
}

interface Waiter {
  afterLaunch: number;
  pending: Set<string>;
  resolve(): void;
}

export class Poller {
  private readonly cameras = new Map<string, Tracked>();
  private readonly waiters = new Set<Waiter>();
  private readonly waitersOnce = new Map<string, ((f: CameraFindings | null) => void)[]>();
  private running = 0;
  private launches = 0;
  private timer: TimerHandle | null = null;
  private timerAt = Infinity;
  private stopped = true;

  constructor(private readonly deps: PollerDeps) {}

  start(): void {
    this.stopped = false;
    for (const row of this.deps.store.cameras.list()) this.track(row.id);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
    for (const t of this.cameras.values()) t.session?.close();
    this.cameras.clear();
    for (const w of this.waiters) w.resolve();
    this.waiters.clear();
    for (const list of this.waitersOnce.values()) for (const resolve of list) resolve(null);
    this.waitersOnce.clear();
  }

  /** Starts (or restarts, after its address changed) polling a camera, at once. */
  track(id: string): void {
    const t = this.cameras.get(id);
    if (t) {
      t.generation++;
      t.session?.close();
      t.session = null;
      t.failures = 0;
      t.polls = 0;
      t.dueAt = this.deps.clock.now();
      if (t.running) t.again = true;
    } else {
      this.cameras.set(id, {
        id,
        dueAt: this.deps.clock.now(),
        running: false,
        again: false,
        failures: 0,
        polls: 0,
        session: null,
        sessionKey: '',
        launch: 0,
        generation: 0,
      });
    }
    this.pump();
  }

  untrack(id: string): void {
    const t = this.cameras.get(id);
    if (!t) return;
    t.session?.close();
    this.cameras.delete(id);
    for (const w of [...this.waiters]) this.settle(w, id);
    for (const resolve of this.waitersOnce.get(id) ?? []) resolve(null);
    this.waitersOnce.delete(id);
    this.pump();
  }

  /** What this camera's session has learnt (service addresses, clock offset), for its motion subscription. */
  seed(id: string): MotionSeed | null {
    const cam = this.cameras.get(id)?.session?.cam;
    return cam?.uri?.events ? { uri: { ...cam.uri }, timeShift: cam.timeShift } : null;
  }

  /** Resolves when every camera tracked now has been polled by a poll launched after this call. */
  pollAll(): Promise<void> {
    if (this.stopped || this.cameras.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const w: Waiter = { afterLaunch: this.launches, pending: new Set(this.cameras.keys()), resolve };
      this.waiters.add(w);
      const now = this.deps.clock.now();
      for (const t of this.cameras.values()) {
        if (t.running) t.again = true;
        else t.dueAt = Math.min(t.dueAt, now);
      }
      this.pump();
    });
  }

  /** Polls one camera now (out of its backoff) and gives what it found. */
  pollNow(id: string): Promise<CameraFindings | null> {
    const t = this.cameras.get(id);
    if (!t || this.stopped) return Promise.resolve(null);
    return new Promise((resolve) => {
      const list = this.waitersOnce.get(id) ?? [];
      list.push(resolve);
      this.waitersOnce.set(id, list);
      if (t.running) t.again = true;
      else t.dueAt = Math.min(t.dueAt, this.deps.clock.now());
      this.pump();
    });
  }

  private settle(w: Waiter, id: string): void {
    w.pending.delete(id);
    if (w.pending.size === 0) {
      this.waiters.delete(w);
      w.resolve();
    }
  }

  /** Launches every due camera a free slot allows, then sleeps until the next one is due. */
  private pump(): void {
    if (this.stopped) return;
    const { clock, settings } = this.deps;
    const now = clock.now();
    while (this.running < settings.concurrency) {
      let next: Tracked | undefined;
      for (const t of this.cameras.values()) if (!t.running && t.dueAt <= now && (!next || t.dueAt < next.dueAt)) next = t;
      if (!next) break;
      this.launch(next);
    }
    let earliest = Infinity;
    if (this.running < settings.concurrency) for (const t of this.cameras.values()) if (!t.running) earliest = Math.min(earliest, t.dueAt);
    if (earliest === this.timerAt) return;
    this.timer?.cancel();
    this.timer = null;
    this.timerAt = earliest;
    if (earliest !== Infinity) {
      this.timer = clock.setTimeout(() => {
        this.timer = null;
        this.timerAt = Infinity;
        this.pump();
      }, earliest - now);
    }
  }

  private launch(t: Tracked): void {
    t.running = true;
    t.again = false;
    t.launch = ++this.launches;
    this.running++;
    this.pollOne(t)
      .catch((e: unknown) => this.deps.logger.error({ cameraId: t.id, err: e }, 'camera poll failed'))
      .finally(() => {
        this.running--;
        t.running = false;
        // pollAll()/pollNow() may have asked again after pollOne() set the next due time: a waiter
        // resolved inside pollOne() runs its caller's next line before this, while `running` is still set.
        if (t.again) t.dueAt = Math.min(t.dueAt, this.deps.clock.now());
        this.pump();
      });
  }

  private async pollOne(t: Tracked): Promise<void> {
    const { store, clock, settings, logger } = this.deps;
    const startedAt = clock.now();
    const generation = t.generation;
    const before = store.cameras.get(t.id)?.findings;
    if (!before) return this.untrack(t.id);
    let result: CheckResult;
    let conn: CameraConnection | undefined;
    try {
      conn = store.cameras.connection(t.id);
    } catch (e) {
      // The stored password cannot be decrypted (key file replaced): only new credentials help.
      logger.warn({ cameraId: t.id, err: errorMessage(e) }, 'camera password unreadable');
      result = { status: 'unauthorised', reasons: [reason('camera.secret-unreadable')], reachable: false, latencyMs: null, clockSkewMs: null };
    }
    if (conn) {
      const key = `${conn.host}|${conn.port}|${conn.path}|${conn.user}|${conn.password}`;
      if (!t.session || t.session.isClosed || t.sessionKey !== key) {
        t.session?.close();
        t.session = new OnvifSession(conn, { clock, timeoutMs: settings.timeoutMs });
        t.sessionKey = key;
      }
      // Full at first contact, when it comes back (it may have rebooted with another setup), while
      // its media details are incomplete, and every FULL_POLL_EVERY-th poll; a camera degraded only
      // by its clock or its speed gets the cheap poll.
      const back = before.status !== 'online' && before.status !== 'degraded';
      const incomplete = before.device === null || before.profiles.length === 0 || !before.streamUri || !before.snapshotUri;
      const full = back || incomplete || t.polls % FULL_POLL_EVERY === 0;
      const session = t.session;
      result = await checkCamera(session, full, clock, { slowMs: settings.slowMs, maxClockSkewMs: settings.maxClockSkewSec * 1000 });
      session.idle();
    }
    result ??= { status: 'offline', reasons: [reason('camera.no-connection')], reachable: false, latencyMs: null, clockSkewMs: null };
    // Removed, or given another address or password, while this poll ran: its answer is about a
    // camera that is gone.
    if (this.stopped || this.cameras.get(t.id) !== t || t.generation !== generation) return;
    const now = clock.now();
    const after = merge(before, result, now);
    store.cameras.saveFindings(t.id, after);
    t.polls++;
    if (result.status === 'offline') {
      t.failures++;
      // A fresh session next time: the camera may come back rebooted, with other service addresses.
      t.session?.close();
      t.session = null;
    } else {
      t.failures = 0;
    }
    const intervalMs = settings.pollIntervalSec * 1000;
    t.dueAt =
      t.failures > 0
        ? startedAt + Math.min(intervalMs * 2 ** (t.failures - 1), settings.backoffMaxSec * 1000)
        : Math.max(startedAt + intervalMs, now + intervalMs / 2);
    if (t.again) t.dueAt = now;
    if (before.status !== after.status) {
      // Every camera goes from unknown to online at each start: that is not news.
      const level = before.status === 'unknown' && after.status === 'online' ? 'debug' : 'info';
      logger[level]({ cameraId: t.id, status: after.status, reason: reasonText(after.reasons) }, `camera ${after.status}`);
    }
    try {
      this.deps.onResult(t.id, before, after);
    } catch (e) {
      logger.error({ cameraId: t.id, err: e }, 'handling a camera poll result failed');
    }
    for (const resolve of this.waitersOnce.get(t.id) ?? []) resolve(after);
    this.waitersOnce.delete(t.id);
    for (const w of [...this.waiters]) if (t.launch > w.afterLaunch) this.settle(w, t.id);
  }
}

/** The new findings: status and measurements from this poll, media details kept unless re-read. */
export function merge(before: CameraFindings, r: CheckResult, now: number): CameraFindings {
  return {
    status: r.status,
    reasons: r.reasons,
    statusSince: before.status === r.status && before.statusSince !== null ? before.statusSince : now,
    lastSeenAt: r.reachable ? now : before.lastSeenAt,
    lastCheckedAt: now,
    clockSkewMs: r.clockSkewMs,
    latencyMs: r.latencyMs,
    device: r.device ?? before.device,
    profiles: r.media ? r.media.profiles : before.profiles,
    streamUri: r.media ? r.media.streamUri : before.streamUri,
    snapshotUri: r.media ? r.media.snapshotUri : before.snapshotUri,
  };
}

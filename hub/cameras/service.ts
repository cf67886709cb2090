// The cameras module as the hub composes it: the camera list (config file and operator), the
// poller, alarms, motion subscriptions, the snapshot proxy and discovery, behind CameraService.
import type { Clock } from '../../common/clock.js';
import { cameraErrors } from './errors.js';
import type { Logger } from '../../common/logger.js';
import type { AlarmService } from '../alarms/service.js';
import type { EventBus } from '../events.js';
import { UNKNOWN_FINDINGS, type CameraConnection, type CameraFindings, type CameraSource, type Store } from '../store/index.js';
import { CameraAlarms } from './camera-alarms.js';
import { discover } from './discovery.js';
import type { FileCamera } from './file.js';
import { MotionWatch } from './motion.js';
import { Poller } from './poller.js';
import { SnapshotProxy } from './snapshots.js';
import type { CameraSettings } from './settings.js';
import type { CameraInput, CameraService, CameraView, DiscoveredCamera, DiscoverOptions, Snapshot } from './types.js';
import { checkInput, toView, type CheckedInput } from './views.js';

export type { CameraSettings };

export interface CameraModuleDeps {
  store: Store;
  alarms: AlarmService;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  config: CameraSettings;
  /** The cameras file, read and checked before the hub started anything (null: no file configured). */
  fileCameras: FileCamera[] | null;
}

export class CameraModule implements CameraService {
  private changes = 0;
  private stateChanges = 0;
  private readonly poller: Poller;
  private readonly cameraAlarms: CameraAlarms;
  private readonly motion: MotionWatch;
  private readonly snapshots: SnapshotProxy;
  private running = false;
  private listCache: { version: number; views: CameraView[] } | null = null;

  constructor(private readonly deps: CameraModuleDeps) {
    const { store, clock, logger, config } = deps;
    this.poller = new Poller({ store, clock, logger, settings: config, onResult: (id, before, after) => this.onResult(id, before, after) });
    this.cameraAlarms = new CameraAlarms({
      alarms: deps.alarms,
      clock,
      logger,
      offlineAfterMs: config.offlineAlarmAfterSec * 1000,
      recheck: (id) => this.poller.pollNow(id),
    });
    this.motion = new MotionWatch({
      clock,
      logger: logger.child({ part: 'motion' }),
      settings: config,
      onMotion: (id, motion, detail) => this.cameraAlarms.onMotion(id, motion, detail),
    });
    this.snapshots = new SnapshotProxy({ store, clock, logger, timeoutMs: config.timeoutMs, cacheMs: config.snapshotCacheMs });
  }

  /** Changes each time any camera's view changes (the routes make the ETag from it). */
  get version(): number {
    return this.changes;
  }

  get stateVersion(): number {
    return this.stateChanges;
  }

  /** Call after the alarms module has started: applies the cameras file, then polls every camera. */
  start(): void {
    const { store, bus, clock } = this.deps;
    // What was found before this start is history: every camera is "unknown" until polled again.
    for (const row of store.cameras.list()) store.cameras.saveFindings(row.id, { ...row.findings, status: 'unknown', reasons: [], statusSince: clock.now() });
    this.applyFile();
    bus.on(this, 'alarmChanged', ({ alarm }) => {
      if (alarm.subjectType === 'camera') this.bump();
    });
    this.running = true;
    this.poller.start();
    this.deps.logger.info({ cameras: store.cameras.list().length }, 'cameras started');
  }

  /** Before the alarms module stops and the store closes. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.deps.bus.removeListeners(this);
    this.poller.stop();
    this.cameraAlarms.stop();
    await Promise.all([this.motion.stop(), this.snapshots.stop()]);
  }

  list(): CameraView[] {
    // `version` moves with every change a view can show, so the list is built once per version:
    // a room of police screens polling the list costs one read of the store.
    if (this.listCache?.version === this.changes) return this.listCache.views;
    const open = new Map<string, string[]>();
    for (const a of this.deps.store.alarms.open()) {
      if (a.subjectType === 'camera') open.set(a.subjectId, [...(open.get(a.subjectId) ?? []), a.kind]);
    }
    const views = this.deps.store.cameras.list().map((r) => toView(r, open.get(r.id) ?? []));
    this.listCache = { version: this.changes, views };
    return views;
  }

  get(id: string): CameraView | undefined {
    const row = this.deps.store.cameras.get(id);
    if (!row) return undefined;
    return toView(
      row,
      this.deps.store.alarms.open({ subjectType: 'camera', subjectId: id }).map((a) => a.kind),
    );
  }

  add(input: CameraInput, opts: { replace?: boolean } = {}): CameraView {
    const c = checkInput(input);
    if (this.deps.store.cameras.exists(c.id) && !opts.replace) {
      throw cameraErrors.exists(c.id);
    }
    this.put(c, 'operator');
    return this.get(c.id)!;
  }

  remove(id: string): boolean {
    if (!this.deps.store.cameras.remove(id)) return false;
    this.forget(id);
    this.deps.logger.info({ cameraId: id }, 'camera removed');
    return true;
  }

  pollAll(): Promise<void> {
    return this.poller.pollAll();
  }

  snapshot(id: string, opts: { fallback?: 'last' } = {}): Promise<Snapshot> {
    return this.snapshots.get(id, opts);
  }

  discover(opts: DiscoverOptions = {}): Promise<DiscoveredCamera[]> {
    const { clock, logger, store } = this.deps;
    const rows = store.cameras.list();
    return discover({ clock, logger, knownAs: (host, port) => rows.find((r) => r.host === host && r.port === port)?.id ?? null }, opts);
  }

  /** Adds or updates a camera; a new address or new credentials start its checks afresh. */
  private put(c: CheckedInput, source: CameraSource): void {
    const { store, clock, logger } = this.deps;
    const existing = store.cameras.get(c.id);
    let before: CameraConnection | undefined;
    try {
      before = existing && store.cameras.connection(c.id);
    } catch {
      before = undefined; // undecryptable: treat as changed
    }
    const same = before !== undefined && sameConnection(before, c);
    if (existing && same && existing.name === c.name && existing.village === c.village && existing.source === source) return;
    store.cameras.put({ ...c, source, createdAt: existing?.createdAt ?? clock.now() });
    this.bump();
    if (!same) {
      if (existing) {
        store.cameras.saveFindings(c.id, { ...UNKNOWN_FINDINGS, statusSince: clock.now() });
        this.motion.unwatch(c.id, true);
        this.snapshots.forget(c.id);
      }
      if (this.running) this.poller.track(c.id);
    }
    logger.info({ cameraId: c.id, host: c.host, port: c.port, source }, existing ? 'camera updated' : 'camera added');
  }

  private forget(id: string): void {
    this.poller.untrack(id);
    this.motion.unwatch(id, true);
    this.snapshots.forget(id);
    this.cameraAlarms.removed(id);
    this.bump();
  }

  /** The file wins at each start: its cameras are added or updated, config cameras no longer in it go. */
  private applyFile(): void {
    const { store, logger } = this.deps;
    const listed = new Set<string>();
    for (const c of this.deps.fileCameras ?? []) {
      listed.add(c.id);
      this.put(c, 'config');
    }
    for (const row of store.cameras.list()) {
      if (row.source !== 'config' || listed.has(row.id)) continue;
      store.cameras.remove(row.id);
      this.forget(row.id);
      logger.info({ cameraId: row.id }, 'camera removed: no longer in the cameras file');
    }
  }

  /** A change a view shows beyond a routine poll's timestamps. */
  private bump(): void {
    this.changes++;
    this.stateChanges++;
  }

  private onResult(id: string, before: CameraFindings, after: CameraFindings): void {
    if (sameState(before, after)) this.changes++;
    else this.bump();
    this.cameraAlarms.onResult(id, after);
    if (!this.deps.config.motion) return;
    if (after.status === 'online' || after.status === 'degraded') {
      const conn = this.deps.store.cameras.connection(id);
      if (conn) this.motion.watch(conn, this.poller.seed(id));
    } else if (after.status === 'offline' || after.status === 'unauthorised') {
      this.motion.unwatch(id, false);
    }
  }
}

const sameConnection = (a: CameraConnection, b: CheckedInput): boolean =>
  a.host === b.host && a.port === b.port && a.path === b.path && a.user === b.user && a.password === b.password;

/** Equal but for what every routine poll changes (its time, latency and the clock reading). */
function sameState(a: CameraFindings, b: CameraFindings): boolean {
  const routine = ({ lastCheckedAt: _c, lastSeenAt: _s, latencyMs: _l, clockSkewMs: _k, ...rest }: CameraFindings) => rest;
  return JSON.stringify(routine(a)) === JSON.stringify(routine(b));
}

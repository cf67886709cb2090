// systemd integration for `Type=notify` with a watchdog: READY=1 once the daemon runs, WATCHDOG=1
// every half WatchdogSec while it is healthy, STOPPING=1 on the way out. Node cannot send on the
// notify socket itself (a unix *datagram* socket; node:dgram does UDP only), so each message is
// one run of the `systemd-notify` binary. That child is another PID, hence `NotifyAccess=all` in
// the unit; systemd-notify (systemd ≥ 246) waits on a barrier until systemd has read the message,
// so it cannot exit before systemd looked up which unit it belongs to.
// Without NOTIFY_SOCKET (run by hand, in tests, under another supervisor) everything is a no-op.
import { execFile } from 'node:child_process';
import type { Clock, TimerHandle } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { EdgeLink } from './link.js';

export type Liveness = { ok: true } | { ok: false; why: string };

export interface SystemdNotifierOptions {
  logger: Logger;
  clock: Clock;
  env?: NodeJS.ProcessEnv;
  /** Our PID, checked against WATCHDOG_PID (the watchdog is meant for the main process). */
  pid?: number;
  notifyPath?: string;
}

export class SystemdNotifier {
  /** NOTIFY_SOCKET is set: systemd (or a test) listens. */
  readonly enabled: boolean;
  /** Half the watchdog period, when systemd asked for a watchdog (WATCHDOG_USEC). */
  readonly feedEveryMs: number | null;
  private timer: TimerHandle | null = null;
  private inFlight = false;
  private notWhy: string | null = null;
  private failed: string | null = null;
  private readonly socket: string | undefined;

  constructor(private readonly o: SystemdNotifierOptions) {
    const env = o.env ?? process.env;
    this.socket = env.NOTIFY_SOCKET;
    this.enabled = Boolean(env.NOTIFY_SOCKET);
    const usec = Number(env.WATCHDOG_USEC);
    const forUs = env.WATCHDOG_PID === undefined || Number(env.WATCHDOG_PID) === (o.pid ?? process.pid);
    this.feedEveryMs = this.enabled && forUs && Number.isFinite(usec) && usec > 0 ? Math.max(50, Math.floor(usec / 2000)) : null;
  }

  /** The daemon is up (config read, ffmpeg found, link started; being online is not required). */
  async ready(status: string): Promise<void> {
    if (!this.enabled) return;
    if (await this.send(['--ready', `--status=${status}`])) this.o.logger.info({ watchdogFeedMs: this.feedEveryMs }, 'told systemd we are ready');
  }

  async stopping(): Promise<void> {
    this.stopWatchdog();
    if (this.enabled) await this.send(['STOPPING=1']);
  }

  /** Feeds the watchdog every half period while `check` says the daemon is healthy. That the
   *  timer fires at all shows the event loop is alive; `check` looks at the parts that can wedge. */
  startWatchdog(check: () => Liveness): void {
    if (this.feedEveryMs === null || this.timer) return;
    const tick = () => {
      const live = safeCheck(check);
      if (live.ok) {
        if (this.notWhy !== null) this.o.logger.info('healthy again; feeding the systemd watchdog');
        this.notWhy = null;
        // A notify still waiting on its barrier: the next tick feeds instead of piling up children.
        if (!this.inFlight) void this.send(['WATCHDOG=1']);
      } else if (live.why !== this.notWhy) {
        this.notWhy = live.why;
        this.o.logger.error({ why: live.why }, 'not feeding the systemd watchdog; systemd will restart the daemon');
      }
      this.timer = this.o.clock.setTimeout(tick, this.feedEveryMs!);
    };
    tick();
  }

  stopWatchdog(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  private send(args: string[]): Promise<boolean> {
    this.inFlight = true;
    return new Promise((resolve) => {
      const env = { ...process.env, NOTIFY_SOCKET: this.socket };
      execFile(this.o.notifyPath ?? 'systemd-notify', args, { timeout: 10_000, env }, (err, _out, stderr) => {
        this.inFlight = false;
        if (!err) {
          this.failed = null;
          return resolve(true);
        }
        const why =
          (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'systemd-notify is not installed (Debian package systemd)' : stderr.trim() || err.message;
        if (why !== this.failed) this.o.logger.error({ args, err: why }, 'cannot notify systemd');
        this.failed = why;
        resolve(false);
      });
    });
  }
}

function safeCheck(check: () => Liveness): Liveness {
  try {
    return check();
  } catch (e) {
    return { ok: false, why: `health check threw: ${String(e)}` };
  }
}

/**
 * Whether the MQTT link is still doing its job. Offline for hours is normal in a village (the box
 * keeps playing its plan), so "not connected" is not a failure; a link that is neither connected
 * nor trying is. While down, every attempt ends in a 'disconnected' event within the backoff cap
 * plus MQTT.js's connect timeout, so a longer silence means its state machine is stuck.
 */
export class LinkWatch {
  private lastEventAt: number;

  constructor(
    private readonly link: Pick<EdgeLink, 'connected' | 'on'>,
    private readonly clock: Clock,
    /** Longest plausible gap between two link events while offline. */
    private readonly quietLimitMs: number,
  ) {
    this.lastEventAt = clock.now();
    const seen = () => (this.lastEventAt = clock.now());
    link.on('connected', seen);
    link.on('disconnected', seen);
  }

  check(): Liveness {
    if (this.link.connected) return { ok: true };
    const quietMs = this.clock.now() - this.lastEventAt;
    if (quietMs <= this.quietLimitMs) return { ok: true };
    return { ok: false, why: `the MQTT link has been down without a reconnect attempt for ${Math.round(quietMs / 1000)} s` };
  }
}

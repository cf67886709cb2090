// Health telemetry: every healthIntervalSec the box tells the hub how it is (temperature, load,
// memory, disk, uptime, player, and where the board has them throttling, link signal and the
// amplifier relay). Readings come through HardwareProbe so the simulator and tests can supply their
// own numbers; the real probe reads /sys, the os module and the tools in daemon/hardware/.
import { readFile, statfs } from 'node:fs/promises';
import os from 'node:os';
import type { Clock, TimerHandle } from '../../common/clock.js';
import { silentLogger, type Logger } from '../../common/logger.js';
import { PROTOCOL_VERSION, type Health } from '../../protocol/index.js';
import type { Relay } from './relay.js';
import { systemSignal, type SignalReader } from './signal.js';
import { vcgencmdThrottle, type ThrottleReader } from './throttle.js';
import { SystemTool } from './tool.js';

export interface HardwareProbe {
  /** CPU temperature in °C, or null where the board has no sensor. */
  cpuTempC(): Promise<number | null>;
  load1(): number;
  memory(): { freeMb: number; totalMb: number };
  /** Free space of the filesystem holding `path`, or null if it cannot be read. */
  diskFreeMb(path: string): Promise<number | null>;
  /** Seconds since the box booted (a power cut shows as a small number). */
  uptimeS(): number;
  // Optional parts: a probe leaves out what its board does not have; null means "cannot tell now".
  // Either way the field is left out of the report.
  throttled?(): Promise<Health['throttled'] | null>;
  signal?(): Promise<Health['signal'] | null>;
  relay?(): 'on' | 'off' | null;
}

export interface SystemProbeOptions {
  /** For the optional readers' "tool missing/failed" lines (each said once). */
  logger?: Logger;
  /** The amplifier relay, when the config names its GPIO line. */
  relay?: Relay | null;
  /** Replace the real readers (tests; a board with other tools). */
  throttle?: ThrottleReader | null;
  signal?: SignalReader | null;
}

const MB = 1024 * 1024;

/** Reads a Linux board: /sys/class/thermal for temperature, os for load and memory, statfs for
 *  disk; vcgencmd for throttling, /proc/net/wireless or mmcli for the signal, and the relay's GPIO. */
export function systemProbe(thermalFile = '/sys/class/thermal/thermal_zone0/temp', o: SystemProbeOptions = {}): HardwareProbe {
  const logger = o.logger ?? silentLogger();
  const throttle = o.throttle !== undefined ? o.throttle : vcgencmdThrottle(new SystemTool({ path: 'vcgencmd', logger }));
  const signal = o.signal !== undefined ? o.signal : systemSignal({ mmcli: new SystemTool({ path: 'mmcli', logger }) });
  const relay = o.relay ?? null;
  return {
    async cpuTempC() {
      try {
        // The kernel reports millidegrees Celsius.
        const milli = Number((await readFile(thermalFile, 'utf8')).trim());
        return Number.isFinite(milli) ? Math.round(milli / 100) / 10 : null;
      } catch {
        return null;
      }
    },
    load1: () => os.loadavg()[0] ?? 0,
    memory: () => ({ freeMb: Math.round(os.freemem() / MB), totalMb: Math.round(os.totalmem() / MB) }),
    async diskFreeMb(path) {
      try {
        const s = await statfs(path);
        return Math.round((s.bavail * s.bsize) / MB);
      } catch {
        return null;
      }
    },
    uptimeS: () => Math.round(os.uptime()),
    ...(throttle ? { throttled: () => throttle.read() } : {}),
    ...(signal ? { signal: () => signal.read() } : {}),
    ...(relay ? { relay: () => relay.get() } : {}),
  };
}

export interface HealthReporterOptions {
  probe: HardwareProbe;
  clock: Clock;
  logger: Logger;
  intervalSec: number;
  dataDir: string;
  agent: string;
  /** What the player is doing and the last error, from the daemon. */
  status: () => { player: Health['player']; lastError: string | null };
  publish: (health: Health) => void;
}

export class HealthReporter {
  private timer: TimerHandle | null = null;
  private running = false;

  constructor(private readonly opts: HealthReporterOptions) {}

  start(): void {
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = null;
  }

  /** One reading, sent now (also used right after connecting so the hub need not wait). */
  async report(): Promise<void> {
    try {
      this.opts.publish(await this.read());
    } catch (e) {
      this.opts.logger.warn({ err: String(e) }, 'health reading failed');
    }
  }

  async read(): Promise<Health> {
    const { probe, clock } = this.opts;
    const [cpuTempC, diskFreeMb, throttled, signal] = await Promise.all([
      probe.cpuTempC(),
      probe.diskFreeMb(this.opts.dataDir),
      this.optional('throttled', () => probe.throttled?.()),
      this.optional('signal', () => probe.signal?.()),
    ]);
    const relay = await this.optional('relay', () => probe.relay?.());
    const mem = probe.memory();
    const status = this.opts.status();
    return {
      v: PROTOCOL_VERSION,
      at: clock.now(),
      uptimeS: probe.uptimeS(),
      cpuTempC,
      load1: Math.round(probe.load1() * 100) / 100,
      memFreeMb: mem.freeMb,
      memTotalMb: mem.totalMb,
      diskFreeMb,
      player: status.player,
      lastError: status.lastError === null ? null : status.lastError.slice(0, 300),
      agent: this.opts.agent,
      ...(throttled ? { throttled } : {}),
      ...(signal ? { signal } : {}),
      ...(relay ? { relay } : {}),
    };
  }

  /** An optional reading: absent, null or failing all mean the field is left out. */
  private async optional<T>(what: string, read: () => T | Promise<T> | undefined): Promise<T | null> {
    try {
      return (await read()) ?? null;
    } catch (e) {
      this.opts.logger.debug({ reading: what, err: String(e) }, 'optional health reading failed');
      return null;
    }
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.opts.clock.setTimeout(() => {
      void this.report().finally(() => this.schedule());
    }, this.opts.intervalSec * 1000);
  }
}

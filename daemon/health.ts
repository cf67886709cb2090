// Health telemetry: every healthIntervalSec the box tells the hub how it is (temperature, load,
// memory, disk, uptime, player). Readings come through HardwareProbe so the simulator and tests can
// supply their own numbers; the real probe reads /sys and the os module.
import { readFile, statfs } from 'node:fs/promises';
import os from 'node:os';
import type { Clock, TimerHandle } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { PROTOCOL_VERSION, type Health } from '../protocol/index.js';

export interface HardwareProbe {
  /** CPU temperature in °C, or null where the board has no sensor. */
  cpuTempC(): Promise<number | null>;
  load1(): number;
  memory(): { freeMb: number; totalMb: number };
  /** Free space of the filesystem holding `path`, or null if it cannot be read. */
  diskFreeMb(path: string): Promise<number | null>;
  /** Seconds since the box booted (a power cut shows as a small number). */
  uptimeS(): number;
}

const MB = 1024 * 1024;

/** Reads a Linux board: /sys/class/thermal for temperature, os for load and memory, statfs for disk. */
export function systemProbe(thermalFile = '/sys/class/thermal/thermal_zone0/temp'): HardwareProbe {
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
    const [cpuTempC, diskFreeMb] = await Promise.all([probe.cpuTempC(), probe.diskFreeMb(this.opts.dataDir)]);
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
    };
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.opts.clock.setTimeout(() => {
      void this.report().finally(() => this.schedule());
    }, this.opts.intervalSec * 1000);
  }
}

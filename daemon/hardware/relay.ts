// The amplifier's power relay on a GPIO line. The real one uses the kernel's sysfs GPIO interface
// (/sys/class/gpio), which Raspberry Pi OS kernels still provide and which can be read without
// disturbing the line. libgpiod's tools are not used: libgpiod 1.x `gpioget` (Debian 12) turns the
// line into an input to read it, which would switch an output relay off. Tests use FakeRelay
// (daemon/hardware/fakes.ts): there is no GPIO here.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../common/logger.js';

export type RelayState = 'on' | 'off';

export interface Relay {
  /** The relay as the line says now; null when it cannot be read (not exported, no GPIO). */
  get(): RelayState | null;
  set(on: boolean): Promise<void>;
}

export interface SysfsRelayOptions {
  /** The kernel's GPIO number (BCM numbering on a Pi 4; on a Pi 5 add the chip's base, see gpioinfo). */
  gpio: number;
  /** Relay boards that pull the coil in on a low level. */
  activeLow: boolean;
  logger: Logger;
  /** The sysfs root; tests point it at a directory laid out the same way. */
  root?: string;
}

export class SysfsRelay implements Relay {
  private readonly root: string;
  private readonly line: string;
  private complained = false;

  constructor(private readonly opts: SysfsRelayOptions) {
    this.root = opts.root ?? '/sys/class/gpio';
    this.line = join(this.root, `gpio${opts.gpio}`);
  }

  get(): RelayState | null {
    let raw: string;
    try {
      raw = readFileSync(join(this.line, 'value'), 'utf8').trim();
    } catch (e) {
      // Read every health interval: say it once, not every 30 s.
      if (!this.complained) this.opts.logger.warn({ gpio: this.opts.gpio, err: String(e) }, 'cannot read the amplifier relay; relay left out of health');
      this.complained = true;
      return null;
    }
    this.complained = false;
    if (raw !== '0' && raw !== '1') return null;
    return (raw === '1') !== this.opts.activeLow ? 'on' : 'off';
  }

  async set(on: boolean): Promise<void> {
    if (!existsSync(this.line)) {
      writeFileSync(join(this.root, 'export'), String(this.opts.gpio));
      // udev gives the new gpioN files their group a moment after the export.
      await waitFor(() => existsSync(join(this.line, 'direction')), 1000);
    }
    // "high"/"low" sets the direction and the level in one write, so the line never glitches.
    const high = on !== this.opts.activeLow;
    writeFileSync(join(this.line, 'direction'), high ? 'high' : 'low');
    this.opts.logger.info({ gpio: this.opts.gpio, relay: on ? 'on' : 'off' }, 'amplifier relay switched');
  }
}

async function waitFor(ok: () => boolean, ms: number): Promise<void> {
  for (let waited = 0; !ok(); waited += 20) {
    if (waited >= ms) throw new Error('the GPIO line did not appear after export');
    await new Promise((r) => setTimeout(r, 20));
  }
}

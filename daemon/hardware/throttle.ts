// Raspberry Pi power and thermal throttling, from `vcgencmd get_throttled`. The firmware answers
// `throttled=0x50005`: a bit field where the low bits say what is happening now and bits 16+ what
// has happened since boot (a weak power supply shows up there even if it is fine right now).
import type { Health } from '../../protocol/index.js';
import type { SystemTool } from './tool.js';

export type Throttled = NonNullable<Health['throttled']>;

export interface ThrottleReader {
  /** null where the board cannot tell (not a Pi, no vcgencmd, no access to /dev/vchiq). */
  read(): Promise<Throttled | null>;
}

const UNDER_VOLTAGE_NOW = 1 << 0;
const THROTTLED_NOW = 1 << 2;
const UNDER_VOLTAGE_SINCE_BOOT = 1 << 16;
const THROTTLED_SINCE_BOOT = 1 << 18;

/** Parses vcgencmd's answer; null for anything that is not `throttled=<hex>`. */
export function parseThrottled(text: string): Throttled | null {
  const m = /throttled=(0x[0-9a-f]+)/i.exec(text);
  if (!m?.[1]) return null;
  const bits = Number.parseInt(m[1], 16);
  if (!Number.isSafeInteger(bits)) return null;
  return {
    now: (bits & (UNDER_VOLTAGE_NOW | THROTTLED_NOW)) !== 0,
    sinceBoot: (bits & (UNDER_VOLTAGE_SINCE_BOOT | THROTTLED_SINCE_BOOT)) !== 0,
    raw: m[1].slice(0, 16),
  };
}

/** The real reader: runs `vcgencmd get_throttled`. */
export function vcgencmdThrottle(vcgencmd: SystemTool): ThrottleReader {
  return {
    async read() {
      const out = await vcgencmd.quietly(['get_throttled']);
      return out === null ? null : parseThrottled(out);
    },
  };
}

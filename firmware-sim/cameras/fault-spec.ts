// Camera faults as people write them: `--camera-faults 2:dead,3:slow=2500,4:skew=90,5:wrong-password`
// on the command line (1-based camera numbers, skew in seconds), and the JSON body the control server
// takes ({dead, slowMs, clockSkewMs, wrongPassword}, validated with zod).
import { z } from 'zod';
import { LoaError } from '../../common/errors.js';
import type { CameraFaults } from './camera.js';

/** Longest delay a slow camera may be given: beyond it every client has long timed out. */
export const MAX_SLOW_MS = 600_000;
/** Furthest a camera clock may be set off: a year. */
export const MAX_SKEW_MS = 366 * 24 * 3600_000;

export const faultsPatchSchema = z
  .strictObject({
    dead: z.boolean(),
    slowMs: z.number().int().min(0).max(MAX_SLOW_MS),
    clockSkewMs: z.number().int().min(-MAX_SKEW_MS).max(MAX_SKEW_MS),
    wrongPassword: z.boolean(),
  })
  .partial();

export const motionBodySchema = z.strictObject({
  durationMs: z
    .number()
    .int()
    .min(0)
    .max(24 * 3600_000)
    .optional(),
});

/** Zod's complaints as one sentence naming each field, e.g. `slowMs: Too small: expected number to be >=0`. */
export function describeIssues(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`).join('; ');
}

const USAGE = 'each part is N:FAULT with FAULT one of dead, slow=MS, skew=SECONDS, wrong-password (e.g. 2:dead,3:slow=2500)';

function bad(part: string, why: string): LoaError {
  return new LoaError('LOA_SIM_BAD_OPTION', `camera faults: "${part}" ${why}; ${USAGE}.`);
}

/** Parses the --camera-faults spec into faults per 0-based camera index; a camera named twice gets both. */
export function parseFaultSpec(spec: string): Map<number, Partial<CameraFaults>> {
  const out = new Map<number, Partial<CameraFaults>>();
  const parts = spec.split(',').map((p) => p.trim());
  if (parts.every((p) => p === '')) throw bad(spec, 'names no fault');
  for (const part of parts) {
    if (part === '') continue;
    const m = /^(\d+)\s*:\s*([a-z-]+)\s*(?:=\s*(\S+))?$/.exec(part);
    if (!m) throw bad(part, 'is not N:FAULT or N:FAULT=VALUE');
    const n = Number(m[1]);
    if (!Number.isSafeInteger(n) || n < 1) throw bad(part, 'names camera 0; cameras are numbered from 1');
    const [name, value] = [m[2]!, m[3]];
    const faults = out.get(n - 1) ?? {};
    const number = (what: string, min: number, max: number): number => {
      const v = Number(value);
      if (value === undefined || !/^-?\d+(\.\d+)?$/.test(value)) throw bad(part, `needs ${what} as a number (${name}=…)`);
      if (v < min || v > max) throw bad(part, `has ${what} ${value}, outside ${min}…${max}`);
      return v;
    };
    const flag = () => {
      if (value !== undefined) throw bad(part, `takes no value (just ${n}:${name})`);
      return true;
    };
    switch (name) {
      case 'dead':
        faults.dead = flag();
        break;
      case 'wrong-password':
        faults.wrongPassword = flag();
        break;
      case 'slow':
        faults.slowMs = Math.round(number('a delay in ms', 0, MAX_SLOW_MS));
        break;
      case 'skew':
        faults.clockSkewMs = Math.round(number('a clock offset in seconds', -MAX_SKEW_MS / 1000, MAX_SKEW_MS / 1000) * 1000);
        break;
      default:
        throw bad(part, `has an unknown fault "${name}"`);
    }
    out.set(n - 1, faults);
  }
  return out;
}

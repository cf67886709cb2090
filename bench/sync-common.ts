// Small helpers shared by the two parts of the sync benchmark (sync.ts, sync-edges.ts).
import { percentile } from './env.js';

export const TARGET_SPREAD_MS = 20;

/** A seeded generator: the same clock offsets on every run, so runs compare. */
export function seeded(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const spreadOf = (xs: number[]) => Math.max(...xs) - Math.min(...xs);

export function stats(xs: number[]): { p50: number; max: number | null } {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: percentile(s, 50), max: s.at(-1) ?? null };
}

export const log = (s: string) => process.stderr.write(`[sync] ${s}\n`);

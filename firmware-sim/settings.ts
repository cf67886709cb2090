// Behaviour knobs of a simulated cluster (network delay, clock offset, failures, health period),
// their defaults, and how fleet-wide settings and per-cluster overrides combine.
import { LoaError } from '../common/errors.js';

/** A delay in ms: fixed, or drawn uniformly from [min, max] each time. */
export type DelaySpec = number | { min: number; max: number };

export interface ClusterSettings {
  /** Applied before each outgoing message and before handling each incoming one. */
  delayMs: DelaySpec;
  /** How wrong the cluster's clock is: + means it runs ahead of the hub. */
  clockOffsetMs: number;
  /** Probability (0..1) that a play ends in failed/player-error instead of starting. */
  failureRate: number;
  /** Time to "download" a media item the cluster has not played before; cached afterwards. */
  fetchDelayMs: DelaySpec;
  /** Period of health telemetry. */
  healthIntervalMs: number;
}

export type ClusterOverrides = Partial<ClusterSettings>;

export const DEFAULT_SETTINGS: ClusterSettings = {
  delayMs: 0,
  clockOffsetMs: 0,
  failureRate: 0,
  fetchDelayMs: { min: 20, max: 200 },
  healthIntervalMs: 30_000,
};

/** Reconnect backoff: retry n (from 0) waits a random time in [minMs, min(maxMs, minMs * 2^n)]. */
export interface BackoffSettings {
  minMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffSettings = { minMs: 1_000, maxMs: 60_000 };

export function resolveSettings(fleet: ClusterOverrides, own: ClusterOverrides | undefined): ClusterSettings {
  const s = { ...DEFAULT_SETTINGS, ...dropUndefined(fleet), ...dropUndefined(own ?? {}) };
  checkSettings(s);
  return s;
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function checkDelay(name: string, d: DelaySpec): void {
  const ok = typeof d === 'number' ? Number.isFinite(d) && d >= 0 : Number.isFinite(d.min) && Number.isFinite(d.max) && d.min >= 0 && d.max >= d.min;
  if (!ok) throw new LoaError('LOA_SIM_BAD_OPTION', `${name} must be a non-negative number of ms or a range MIN-MAX with MIN <= MAX.`);
}

export function checkSettings(s: ClusterSettings): void {
  checkDelay('delay', s.delayMs);
  checkDelay('fetch delay', s.fetchDelayMs);
  if (!Number.isFinite(s.clockOffsetMs)) throw new LoaError('LOA_SIM_BAD_OPTION', 'clock offset must be a number of ms.');
  if (!(s.failureRate >= 0 && s.failureRate <= 1)) throw new LoaError('LOA_SIM_BAD_OPTION', 'failure rate must be between 0 and 1.');
  if (!(s.healthIntervalMs > 0) || !Number.isFinite(s.healthIntervalMs)) {
    throw new LoaError('LOA_SIM_BAD_OPTION', 'health interval must be a positive number.');
  }
}

/** Draws one delay from a spec; a fixed spec costs no randomness. */
export function pickDelay(d: DelaySpec, random: () => number): number {
  if (typeof d === 'number') return d;
  return d.min + random() * (d.max - d.min);
}

export function isZeroDelay(d: DelaySpec): boolean {
  return typeof d === 'number' ? d === 0 : d.max === 0;
}

/** Parses "250" or "100-400" (ms) as given on the command line or in a fleet file. */
export function parseDelay(text: string, what = 'delay'): DelaySpec {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:-\s*(\d+(?:\.\d+)?)\s*)?$/.exec(text);
  if (!m) throw new LoaError('LOA_SIM_BAD_OPTION', `${what} "${text}" is not a number of ms or a range MIN-MAX (e.g. 50 or 20-200).`);
  const min = Number(m[1]);
  const spec: DelaySpec = m[2] === undefined ? min : { min, max: Number(m[2]) };
  checkDelay(what, spec);
  return spec;
}

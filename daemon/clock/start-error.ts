// The box's estimate of its own start error: how far (ms, hub time) the first sample it handed to
// the sink was from when the hub's schedule wanted that sample heard. The daemon sees when ffmpeg
// was spawned (the player's `started` event); the first sample reaches the sink a startup latency
// later, measured once at start-up on this box's ffmpeg. The estimate goes into the `started` ack
// (`startErrorMs`) and the log; it cannot see an error in the clock offset itself (that is
// bounded by the clock-sync uncertainty, reported in health).
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { AckInput } from '../playback/playback.js';
import type { Player, PlayerSession, PlayRequest } from '../playback/player.js';

/**
 * Start error, ms: + late, − early, hub time. The first sample is media position seekMs; by the
 * schedule it was due at startAt + (seekMs − offsetMs). (An item ready after its startAt seeks
 * forward by the lateness, so it is measured against when the sample it starts with was due.)
 */
export function estimateStartError(t: { startAt: number; offsetMs: number; seekMs: number; spawnedAt: number; latencyMs: number }): number {
  return Math.round(t.spawnedAt + t.latencyMs - (t.startAt + t.seekMs - t.offsetMs));
}

/**
 * ffmpeg's startup latency on this box: spawn → first PCM byte on its output, for a short
 * generated tone with the player's pacing (-re) and filter. The least of a few runs: the first pays
 * for a cold page cache, and at start-up the box is busier than when it plays. Approximates the
 * real player, whose input is a cached Ogg/Opus file (about 1 ms more on a desktop CPU).
 */
export async function measureStartupLatency(ffmpegPath: string, runs = 5): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    // Spaced out, so one busy moment (other services starting) does not spoil every run.
    if (i > 0) await new Promise((r) => setTimeout(r, 100));
    best = Math.min(best, await firstByteMs(ffmpegPath));
  }
  return Math.round(best);
}

function firstByteMs(ffmpegPath: string): Promise<number> {
  const args = [
    '-nostdin',
    '-v',
    'error',
    '-re',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000:duration=1',
    '-af',
    'volume=0.80',
    '-ac',
    '1',
    '-ar',
    '48000',
    '-f',
    's16le',
    'pipe:1',
  ];
  return new Promise((resolve, reject) => {
    const began = performance.now();
    const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('ffmpeg produced no audio within 10 s'));
    }, 10_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.stdout.once('data', () => {
      const ms = performance.now() - began;
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve(ms);
    });
  });
}

export interface StartMeterOptions {
  player: Player;
  /** Hub time as the box estimates it. */
  hubClock: Clock;
  /** The box's own clock, for the log line (tests and benchmarks convert it with the true offset). */
  boxClock: Clock;
  logger: Logger;
}

/** Entries kept per map: a handful of items are ever in hand at once. */
const KEEP = 16;

/**
 * Wraps the player: notes when ffmpeg was spawned and works out the start error. Its `started`
 * listener is registered before Playback's (same session, added first), so the value is ready
 * when Playback builds the `started` ack.
 */
export class StartMeter {
  readonly player: Player;
  /** ffmpeg's startup latency (measureStartupLatency); 0 until measured, or without ffmpeg. */
  latencyMs = 0;
  private readonly errors = new Map<string, number>();
  /** offsetMs of play commands by broadcast (the player request has only startAt and seekMs): the
   *  command handler and the offline player tell it as they decode or hand an item. */
  private readonly offsets = new Map<string, number>();

  constructor(private readonly opts: StartMeterOptions) {
    this.player = { play: (req) => this.play(req) };
  }

  /** The offsetMs of an item about to play (a command's, or a plan item played offline). */
  noteOffset(broadcastId: string, offsetMs: number): void {
    remember(this.offsets, broadcastId, offsetMs);
  }

  /** Adds startErrorMs to a `started` ack that lacks it. */
  annotate(ack: AckInput): AckInput {
    if (ack.status !== 'started' || ack.startErrorMs !== undefined || ack.broadcastId === undefined) return ack;
    const e = this.errors.get(ack.broadcastId);
    if (e === undefined) return ack;
    this.errors.delete(ack.broadcastId);
    return { ...ack, startErrorMs: e };
  }

  private play(req: PlayRequest): PlayerSession {
    const { hubClock, boxClock } = this.opts;
    const session = this.opts.player.play(req);
    session.once('started', () => {
      const spawnedAt = hubClock.now();
      const offsetMs = this.offsets.get(req.broadcastId) ?? 0;
      const latencyMs = this.latencyMs;
      const startErrorMs = estimateStartError({ startAt: req.startAt, offsetMs, seekMs: req.seekMs, spawnedAt, latencyMs });
      remember(this.errors, req.broadcastId, startErrorMs);
      this.opts.logger.info(
        {
          broadcastId: req.broadcastId,
          startAt: req.startAt,
          offsetMs,
          seekMs: req.seekMs,
          spawnedAt,
          boxSpawnedAt: Math.round(boxClock.now()),
          startupLatencyMs: latencyMs,
          startErrorMs,
        },
        'playback started',
      );
    });
    return session;
  }
}

/** Sets a value, dropping the oldest entry beyond KEEP (an ack that never asks, say). */
function remember(map: Map<string, number>, key: string, value: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > KEEP) map.delete(map.keys().next().value!);
}

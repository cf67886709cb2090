// Fixtures for the player-resilience suites: an in-process loa-edge with the player/mixer settings
// a test wants, a chirp whose pitch tells the position in the media, WAV reading, and finding the
// ffmpeg a daemon runs so a test can kill or freeze it.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createLogger } from '../../common/logger.js';
import { parseEdgeConfig, type EdgeConfig } from '../../daemon/config.js';
import { boxHubSection } from './hub-tls.js';
import { EdgeDaemon } from '../../daemon/edge.js';
import type { Mixer } from '../../daemon/hardware/mixer.js';
import type { HardwareProbe } from '../../daemon/hardware/health.js';
import type { MediaRef } from '../../protocol/index.js';
import { decodedDurationS, ffmpegPath } from './audio.js';
import { fixedProbe, startupMeasured, type EdgeUnderTest } from './daemon-edge.js';
import { TEST_HUB_KEY } from './signing.js';

/** The chirp's pitch: 200 Hz at 0 s, rising 200 Hz per second. */
export const CHIRP_HZ_AT = (s: number) => 200 + 200 * s;

/** An Ogg/Opus chirp of `seconds`: its instantaneous frequency says where in the media a sample is. */
export function makeChirpMedia(dir: string, seconds: number): { body: Buffer; ref: MediaRef } {
  const path = join(dir, `chirp-${seconds}.ogg`);
  // Phase 2π(200t + 100t²) has frequency 200 + 200t.
  const src = `aevalsrc=0.5*sin(2*PI*(200*t+100*t*t)):s=48000:d=${seconds}`;
  execFileSync(ffmpegPath(), ['-v', 'error', '-y', '-f', 'lavfi', '-i', src, '-c:a', 'libopus', '-b:a', '48k', path]);
  const body = readFileSync(path);
  const id = createHash('sha256').update(body).digest('hex');
  return {
    body,
    ref: { id, url: `/api/v1/media/${id}/content`, bytes: body.length, durationMs: Math.round(decodedDurationS(path) * 1000), format: 'ogg/opus' },
  };
}

/** The samples of a 16-bit mono WAV, also one whose ffmpeg was killed (data size left unset). */
export function wavSamples(path: string): Int16Array {
  const wav = readFileSync(path);
  const at = wav.indexOf('data', 12, 'latin1');
  if (at < 0) return new Int16Array(0);
  const data = wav.subarray(at + 8);
  const out = new Int16Array(Math.floor(data.length / 2));
  for (let i = 0; i < out.length; i++) out[i] = data.readInt16LE(i * 2);
  return out;
}

export const RATE = 48_000;

/** Where in the chirp (seconds) a stretch of samples comes from, by counting zero crossings. */
export function chirpPositionS(samples: Int16Array, fromS = 0, windowS = 0.1): number {
  const a = Math.round(fromS * RATE);
  const b = Math.min(samples.length, a + Math.round(windowS * RATE));
  let crossings = 0;
  for (let i = a + 1; i < b; i++) if (samples[i - 1]! < 0 !== samples[i]! < 0) crossings++;
  const hz = crossings / 2 / ((b - a) / RATE);
  // The frequency measured is that of the middle of the window.
  return (hz - 200) / 200 - windowS / 2;
}

/** Index of the first sample that is not near silence (ffmpeg's first frames can be quiet). */
export function firstSound(samples: Int16Array): number {
  const i = samples.findIndex((v) => Math.abs(v) > 2000);
  return i < 0 ? samples.length : i;
}

/** The ffmpeg players a process runs now (children whose command line has our -progress option),
 *  like `pgrep -P parent -f 'progress pipe:1'` but read from /proc (no procps needed). */
export function playerPids(parentPid = process.pid): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after its ')'.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== parentPid) continue;
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (cmdline.includes('-progress') && cmdline.includes('pipe:1')) pids.push(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** Waits for exactly one player ffmpeg other than `not`, and returns its pid. */
export async function waitForPlayer(not: number[] = [], timeoutMs = 5000): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const pids = playerPids().filter((p) => !not.includes(p));
    if (pids.length === 1) return pids[0]!;
    if (Date.now() > until) throw new Error(`expected one new ffmpeg player, found ${JSON.stringify(pids)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function startPlayerEdge(o: {
  clusterId: string;
  mqttUrl: string;
  httpUrl: string;
  dataDir: string;
  sink: EdgeConfig['sink'];
  player?: { stallSec?: number; maxFailures?: number };
  mixerConfig?: { card: string; control: string };
  mixer?: Mixer | null;
  healthIntervalSec?: number;
  hardware?: HardwareProbe;
}): Promise<EdgeUnderTest> {
  const config = parseEdgeConfig({
    clusterId: o.clusterId,
    secret: 'sesame',
    hubKeys: [TEST_HUB_KEY],
    hub: boxHubSection(o.mqttUrl, o.httpUrl),
    dataDir: o.dataDir,
    sink: o.sink,
    healthIntervalSec: o.healthIntervalSec ?? 60,
    keepaliveSec: 5,
    reconnect: { minMs: 100, maxMs: 400 },
    ...(o.player ? { player: o.player } : {}),
    ...(o.mixerConfig ? { mixer: o.mixerConfig } : {}),
  });
  const logs: Record<string, unknown>[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  const logger = createLogger({ name: `edge-${o.clusterId}`, level: 'debug', destination: stream });
  const daemon = new EdgeDaemon({ config, logger, hardware: o.hardware ?? fixedProbe, ...(o.mixer !== undefined ? { mixer: o.mixer } : {}) });
  await daemon.start();
  await startupMeasured(o.clusterId, logs);
  return { daemon, config, logs, stop: () => daemon.stop() };
}

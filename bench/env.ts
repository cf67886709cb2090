// What every benchmark prints and records about where it ran.
import { cpus, totalmem, platform, release } from 'node:os';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { locateFfmpeg } from '../common/ffmpeg.js';
import { VERSION } from '../common/version.js';

export interface BenchEnvironment {
  date: string;
  cpu: string;
  cores: number;
  memGiB: number;
  os: string;
  node: string;
  loa: string;
  deps: Record<string, string>;
  /** First line of each external tool's version output; 'absent' when it is not installed. */
  tools: Record<string, string>;
}

function depVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** First non-empty line a tool prints about its version (stdout or stderr), or 'absent'. */
function toolVersion(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
  if (r.error) return 'absent';
  const line = `${r.stdout ?? ''}\n${r.stderr ?? ''}`
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  return line ?? 'unknown';
}

function ffmpegVersion(): string {
  try {
    const where = locateFfmpeg();
    return `${toolVersion(where.path, ['-version']).replace(/ Copyright.*$/, '')} (${where.source})`;
  } catch {
    return 'absent';
  }
}

export function benchEnvironment(): BenchEnvironment {
  return {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    loa: VERSION,
    deps: Object.fromEntries(['aedes', 'mqtt', 'better-sqlite3', 'fastify', 'onvif'].map((d) => [d, depVersion(d)])),
    tools: {
      ffmpeg: ffmpegVersion(),
      mosquitto: toolVersion('mosquitto', ['-h']),
      'espeak-ng': toolVersion('espeak-ng', ['--version']),
      chromium: toolVersion('chromium', ['--version']),
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** CPU seconds and resident memory of a process, from /proc (Linux). */
export function processUsage(pid: number): { cpuS: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (100/s)
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { cpuS: ticks / 100, rssMb: rssKb / 1024 };
}

/** Waits until `ok()` holds, polling every 20 ms; throws "<what> within <timeoutMs> ms" after. */
export async function until(ok: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function round2(x: number): number {
  return Number(x.toFixed(2));
}

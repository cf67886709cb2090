// ingest: health reports from a district-to-province fleet (default 10,000 clusters, every 30 s)
// sustained for a few minutes. The hub runs as its own process; the fleet is spread over a few
// child processes (this same file, forked with LOA_BENCH_INGEST_CHILD=1), each running loa-sim's
// Fleet, so one event loop does not have to decode 10,000 connections. Reports the hub's CPU share
// and memory over the sustained window, the store's rows per second, and whether every health
// sample the fleet handed to MQTT became a row of the hub's SQLite `health_samples` table (read
// read-only after the hub has stopped and flushed).
import { fork, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { silentLogger } from '../common/logger.js';
import { startFleet, type Fleet, type FleetClusterSpec } from '../firmware-sim/index.js';
import { loadSecretKey } from '../hub/broker/secret-key.js';
import { generateSecret, hmacHash } from '../hub/broker/secrets.js';
import { processUsage } from './env.js';
import { startHubProcess } from '../harness/hub-process.js';

export interface IngestOptions {
  clusters: number;
  /** Length of the measured window, after every cluster is connected and reporting. */
  minutes: number;
  /** Child processes the fleet is spread over. */
  processes: number;
  intervalSec: number;
}

type ToChild =
  | { type: 'start'; mqttUrl: string; clusters: FleetClusterSpec[]; hubKeys: string[]; healthIntervalMs: number }
  | { type: 'count' }
  | { type: 'stop' };
interface Counts {
  healthSent: number;
  connected: number;
  connects: number;
}
type FromChild = { type: 'connected'; connected: number } | ({ type: 'count' } & Counts) | ({ type: 'stopped' } & Counts);

const TARGET_CPU_SHARE = 0.25;
const API_ADDS = 20;
// Connecting is not what is measured, but at 10,000 it is slow (docs/benchmarks.md, ingest).
const CONNECT_TIMEOUT_MS = 600_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One child process of the fleet, driven over IPC. */
class FleetChild {
  private waiting = new Map<string, { resolve: (m: FromChild) => void; reject: (e: Error) => void }>();
  constructor(readonly child: ChildProcess) {
    child.on('message', (m: FromChild) => {
      const w = this.waiting.get(m.type);
      this.waiting.delete(m.type);
      w?.resolve(m);
    });
    child.on('exit', (code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`fleet child ${child.pid} exited (code ${code})`));
      this.waiting.clear();
    });
  }
  ask<T extends FromChild['type']>(msg: ToChild, answer: T, timeoutMs: number): Promise<Extract<FromChild, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fleet child ${this.child.pid}: no "${answer}" within ${timeoutMs} ms`)), timeoutMs);
      this.waiting.set(answer, {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as Extract<FromChild, { type: T }>);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.send(msg);
    });
  }
}

export async function ingest(o: IngestOptions): Promise<Record<string, unknown>> {
  const log = (s: string) => process.stderr.write(`[ingest ${o.clusters}] ${s}\n`);
  // A cheap scrypt cost: this measures health ingest, not password hashing (as fanout does).
  const config = { mqtt: { auth: { scryptCost: 1024 } } };
  log(`registering ${o.clusters} clusters in the store`);
  const { dataDir, specs } = await registerInStore(config, o.clusters);
  const hub = await startHubProcess(config, { dataDir });
  const children: FleetChild[] = [];
  try {
    // What registering one more through the API costs once the store holds the whole fleet.
    const tAdd = Date.now();
    for (let i = 0; i < API_ADDS; i++) await hub.api('POST', '/api/v1/clusters', { id: `ingest-extra-${i}` });
    const apiAddMs = (Date.now() - tAdd) / API_ADDS;
    log(`one more cluster through the API: ${apiAddMs.toFixed(0)} ms each; connecting over ${o.processes} processes`);

    const t1 = Date.now();
    const self = fileURLToPath(import.meta.url);
    for (let p = 0; p < o.processes; p++) {
      const child = fork(self, [], { env: { ...process.env, LOA_BENCH_INGEST_CHILD: '1' }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      children.push(new FleetChild(child));
    }
    const share = (p: number) => specs.filter((_, i) => i % o.processes === p);
    const { hubKeys } = await hub.api<{ hubKeys: string[] }>('GET', `/api/v1/clusters/${specs[0]!.id}`);
    let allConnected = false;
    const connecting = Promise.all(
      children.map((c, p) =>
        c.ask({ type: 'start', mqttUrl: hub.mqttUrl, clusters: share(p), hubKeys, healthIntervalMs: o.intervalSec * 1000 }, 'connected', CONNECT_TIMEOUT_MS),
      ),
    ).then(() => (allConnected = true));
    while (!allConnected) {
      await Promise.race([connecting, sleep(15_000)]);
      if (allConnected) break;
      const now = await Promise.all(children.map((c) => c.ask({ type: 'count' }, 'count', 10_000)));
      log(`${now.reduce((n, m) => n + m.connected, 0)} connected after ${Math.round((Date.now() - t1) / 1000)} s`);
    }
    const connectMs = Date.now() - t1;
    log(`all connected in ${connectMs} ms; one interval (${o.intervalSec} s) to settle`);
    // One full interval so every cluster's pacer slot has come round once before measuring.
    await sleep(o.intervalSec * 1000);

    const sentAt = async () => (await Promise.all(children.map((c) => c.ask({ type: 'count' }, 'count', 10_000)))).reduce((n, m) => n + m.healthSent, 0);
    const pid = hub.pid;
    const windowStart = Date.now();
    const sentBefore = await sentAt();
    const before = processUsage(pid);
    const samples: { at: number; cpuS: number; rssMb: number }[] = [{ at: windowStart, ...before }];
    const windowMs = o.minutes * 60_000;
    log(`measuring for ${o.minutes} min`);
    while (Date.now() - windowStart < windowMs) {
      await sleep(Math.min(10_000, windowMs - (Date.now() - windowStart)));
      samples.push({ at: Date.now(), ...processUsage(pid) });
    }
    const after = samples.at(-1)!;
    const windowEnd = after.at;
    const sentDuring = (await sentAt()) - sentBefore;
    const shares = samples.slice(1).map((s, i) => (s.cpuS - samples[i]!.cpuS) / ((s.at - samples[i]!.at) / 1000));

    log('stopping the fleet');
    const stopped = await Promise.all(children.map((c) => c.ask({ type: 'stop' }, 'stopped', 60_000)));
    const healthSent = stopped.reduce((n, m) => n + m.healthSent, 0);
    await hub.stop({ keepData: true });
    // How long from the window's end to the hub's exit: locates the window in a --cpu-prof profile.
    const stopMs = Date.now() - windowEnd;

    const db = new Database(join(hub.dataDir, 'loa.db'), { readonly: true, fileMustExist: true });
    let rows: number;
    let rowsInWindow: number;
    let distinctClusters: number;
    try {
      rows = (db.prepare('SELECT COUNT(*) AS n FROM health_samples').get() as { n: number }).n;
      rowsInWindow = (
        db.prepare('SELECT COUNT(*) AS n FROM health_samples WHERE received_at >= ? AND received_at < ?').get(windowStart, windowEnd) as { n: number }
      ).n;
      distinctClusters = (db.prepare('SELECT COUNT(DISTINCT cluster_id) AS n FROM health_samples').get() as { n: number }).n;
    } finally {
      db.close();
    }
    const windowS = (windowEnd - windowStart) / 1000;
    const cpuShare = (after.cpuS - before.cpuS) / windowS;
    return {
      clusters: o.clusters,
      processes: o.processes,
      healthIntervalSec: o.intervalSec,
      broker: 'embedded aedes',
      apiAddMsAtThisSize: Math.round(apiAddMs),
      connectAllMs: connectMs,
      windowSeconds: Math.round(windowS),
      windowEndToHubExitMs: stopMs,
      // Other work on the machine during the window (1-minute load average at its end).
      loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
      hubCpuSecondsInWindow: Number((after.cpuS - before.cpuS).toFixed(2)),
      hubCpuShare: Number(cpuShare.toFixed(3)),
      hubCpuShareMax10s: Number(Math.max(...shares).toFixed(3)),
      hubRssMb: { start: Math.round(before.rssMb), end: Math.round(after.rssMb), max: Math.round(Math.max(...samples.map((s) => s.rssMb))) },
      expectedRowsPerSecond: Number((o.clusters / o.intervalSec).toFixed(1)),
      sentInWindow: sentDuring,
      rowsInWindow,
      storeRowsPerSecond: Number((rowsInWindow / windowS).toFixed(1)),
      healthSent,
      healthRows: rows,
      lost: healthSent - rows,
      clustersWithRows: distinctClusters,
      target: `hub under ${TARGET_CPU_SHARE * 100}% of one core; no sample lost`,
      met: cpuShare < TARGET_CPU_SHARE && rows >= healthSent,
    };
  } finally {
    for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
    if (!hub.exited()) await hub.stop();
    rmSync(hub.dataDir, { recursive: true, force: true });
  }
}

/**
 * Registers the fleet straight into a fresh hub store (one secret for all, an HMAC per id), then
 * leaves the store for the measured hub to start on. Through the API each add also reloads the
 * schedule and republishes plans, which at 10,000 clusters takes longer than the whole benchmark
 * (docs/benchmarks.md); that cost is reported apart (apiAddMsAtThisSize), not paid 10,000 times.
 */
async function registerInStore(config: Record<string, unknown>, n: number): Promise<{ dataDir: string; specs: FleetClusterSpec[] }> {
  const first = await startHubProcess(config);
  await first.stop({ keepData: true });
  const secret = generateSecret();
  const key = loadSecretKey(first.dataDir, silentLogger());
  const db = new Database(join(first.dataDir, 'loa.db'));
  const specs: FleetClusterSpec[] = [];
  try {
    const insert = db.prepare('INSERT INTO clusters (id, secret_hash, next_seq, created_at) VALUES (?, ?, ?, ?)');
    const now = Date.now();
    db.transaction(() => {
      for (let i = 0; i < n; i++) {
        const id = `ingest-${String(i).padStart(6, '0')}`;
        insert.run(id, hmacHash(key, id, secret), now, now);
        specs.push({ id, secret });
      }
    })();
  } finally {
    db.close();
  }
  return { dataDir: first.dataDir, specs };
}

/** The child side: one share of the fleet, answering the parent over IPC. */
async function fleetChild(): Promise<void> {
  let fleet: Fleet | null = null;
  const counts = (type: 'count' | 'stopped'): FromChild => ({
    type,
    healthSent: fleet?.counters.healthSent ?? 0,
    connected: fleet?.counters.connected ?? 0,
    connects: fleet?.counters.connects ?? 0,
  });
  process.on('message', (m: ToChild) => {
    void (async () => {
      if (m.type === 'start') {
        // Real boxes keep their health timers where they booted; the pacer spreads them evenly.
        fleet = await startFleet({
          mqttUrl: m.mqttUrl,
          clusters: m.clusters,
          hubKeys: m.hubKeys,
          logger: silentLogger(),
          clockSync: false,
          connectRatePerSec: 500,
          delayMs: 0,
          healthIntervalMs: m.healthIntervalMs,
        });
        await fleet.waitForConnected(m.clusters.length, CONNECT_TIMEOUT_MS - 10_000);
        process.send!({ type: 'connected', connected: fleet.counters.connected } satisfies FromChild);
      } else if (m.type === 'count') {
        process.send!(counts('count'));
      } else {
        await fleet?.stop();
        process.send!(counts('stopped'), () => process.exit(0));
      }
    })().catch((e: unknown) => {
      process.stderr.write(`ingest fleet child: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    });
  });
}

if (process.env.LOA_BENCH_INGEST_CHILD === '1' && process.send) void fleetChild();

// cameras: a district's worth of simulated ONVIF cameras (604, Nông Cống) polled by one hub.
// The hub runs as its own process; the cameras run here, one per loopback address. 5% are dead:
// half refuse at once (connection reset), half never answer (each costs the hub its timeout).
// Reports the time for a full status cycle (every camera checked after a hub restart: full ONVIF
// connect), how old the oldest live status gets in steady state, the hub's memory and CPU, and the
// snapshot proxy's latency with 20 concurrent viewers, on one camera (the cache) and spread out.
import { silentLogger } from '../common/logger.js';
import { startCameras } from '../firmware-sim/cameras/index.js';
import { percentile, processUsage } from './env.js';
import { startHubProcess } from '../harness/hub-process.js';

interface View {
  id: string;
  status: string;
  lastCheckedAt: number | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function cameras(args: { cameras: number; viewers: number; seconds: number; concurrency?: number }): Promise<Record<string, unknown>> {
  const n = args.cameras;
  const log = (s: string) => process.stderr.write(`[cameras ${n}] ${s}\n`);
  const pollIntervalSec = 10;
  const timeoutMs = 3000;
  log('starting simulated cameras (one ffmpeg snapshot each)');
  const farm = await startCameras({ count: n, port: 0, logger: silentLogger(), discoveryPort: null });
  const dead = Math.round(n * 0.05);
  // Spread the dead ones over the list so they do not all fall into one batch.
  const deadIdx = Array.from({ length: dead }, (_, k) => Math.floor((k * n) / dead) + 1).filter((i) => i < n);
  for (const [k, i] of deadIdx.entries()) farm.setFaults(i, k % 2 === 0 ? { dead: true } : { slowMs: 3_600_000 });
  const config = { cameras: { pollIntervalSec, timeoutMs, ...(args.concurrency ? { concurrency: args.concurrency } : {}) } };
  let hub = await startHubProcess(config);
  try {
    const t0 = Date.now();
    for (let i = 0; i < n; i += 50) {
      await Promise.all(
        farm.cameras
          .slice(i, i + 50)
          .map((c) => hub.api('POST', '/api/v1/cameras', { id: c.name, host: c.host, port: c.port, user: 'admin', password: 'admin', name: c.name })),
      );
    }
    log(`added ${n} cameras in ${Date.now() - t0} ms`);
    const list = async () => (await hub.api<{ cameras: View[] }>('GET', '/api/v1/cameras')).cameras;
    const counts = (vs: View[]) => {
      const m: Record<string, number> = {};
      for (const v of vs) m[v.status] = (m[v.status] ?? 0) + 1;
      return m;
    };
    /** Waits until every camera was checked at or after `since`; the time that took. */
    const cycleFrom = async (since: number): Promise<{ ms: number; views: View[] }> => {
      for (;;) {
        const vs = await list();
        if (vs.every((v) => (v.lastCheckedAt ?? 0) >= since) || Date.now() - since > 120_000) return { ms: Date.now() - since, views: vs };
        await sleep(100);
      }
    };
    const whileAdding = await cycleFrom(t0);
    log(`every camera checked ${whileAdding.ms} ms after the first was added: ${JSON.stringify(counts(whileAdding.views))}`);

    // The full cycle proper: a hub restarted on its store checks all 604 at once (full ONVIF
    // connect, since it has no sessions yet), the dead ones costing their timeout.
    await hub.stop({ keepData: true });
    const tRestart = Date.now();
    hub = await startHubProcess(config, { dataDir: hub.dataDir });
    const full = await cycleFrom(tRestart);
    let views = full.views;
    const firstCycleMs = full.ms;
    log(`full cycle after a restart ${firstCycleMs} ms (hub start included): ${JSON.stringify(counts(views))}`);

    // Steady state: how old the oldest status of a live camera gets, sampled over two intervals.
    let worstAgeMs = 0;
    const until = Date.now() + 2 * pollIntervalSec * 1000;
    while (Date.now() < until) {
      views = await list();
      const now = Date.now();
      for (const v of views) if (v.status !== 'offline') worstAgeMs = Math.max(worstAgeMs, now - (v.lastCheckedAt ?? now));
      await sleep(250);
    }
    const usage = processUsage(hub.pid);
    log(`oldest live status ${worstAgeMs} ms; hub RSS ${Math.round(usage.rssMb)} MB`);

    const online = views.filter((v) => v.status === 'online').map((v) => v.id);
    const viewers = async (pick: () => string) => {
      const lat: number[] = [];
      let errors = 0;
      const until = Date.now() + args.seconds * 1000;
      await Promise.all(
        Array.from({ length: args.viewers }, async () => {
          while (Date.now() < until) {
            const s = performance.now();
            const res = await fetch(`${hub.httpUrl}/api/v1/cameras/${pick()}/snapshot`, { headers: { authorization: `Bearer ${hub.token}` } });
            const body = await res.arrayBuffer();
            if (res.ok && body.byteLength > 0) lat.push(performance.now() - s);
            else errors++;
          }
        }),
      );
      lat.sort((a, b) => a - b);
      const r = (x: number) => Math.round(x * 10) / 10;
      return {
        requests: lat.length + errors,
        errors,
        perSecond: r(lat.length / args.seconds),
        p50: r(percentile(lat, 50)),
        p95: r(percentile(lat, 95)),
        p99: r(percentile(lat, 99)),
        max: r(lat.at(-1) ?? NaN),
      };
    };
    log(`${args.viewers} viewers on one camera for ${args.seconds} s`);
    const sameCamera = await viewers(() => online[0]!);
    log(`${args.viewers} viewers over all cameras for ${args.seconds} s`);
    const spread = await viewers(() => online[Math.floor(Math.random() * online.length)]!);
    const after = processUsage(hub.pid);
    return {
      cameras: n,
      dead: deadIdx.length,
      pollIntervalSec,
      timeoutMs,
      concurrency: args.concurrency ?? 'default',
      statuses: counts(views),
      cycleWhileAddingMs: whileAdding.ms,
      firstCycleMs,
      oldestLiveStatusMs: worstAgeMs,
      hubRssMb: Math.round(usage.rssMb),
      hubRssAfterSnapshotsMb: Math.round(after.rssMb),
      hubCpuSeconds: Number(after.cpuS.toFixed(1)),
      snapshotLatencyMs: { viewers: args.viewers, sameCamera, spread },
      target: 'a full status cycle of 604 cameras (5% dead) under 10 s',
      met: firstCycleMs < 10_000,
    };
  } finally {
    await hub.stop();
    await farm.stop();
  }
}

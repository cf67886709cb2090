// cameras: a district's worth of simulated ONVIF cameras (604, Nông Cống) polled by one hub.
// The hub runs as its own process; the cameras run here, one per loopback address. 5% are dead:
// half refuse at once (connection reset), half never answer (each costs the hub its timeout).
// Reports the time until every camera's status is known (first cycle: full ONVIF connect), a
// steady cycle (cheap polls), the hub's memory and CPU, and the snapshot proxy's latency with 20
// concurrent viewers, all on one camera (the cache) and spread over all of them.
import { silentLogger } from '../common/logger.js';
import { startCameras } from '../firmware-sim/cameras/index.js';
import { percentile, processUsage } from './env.js';
import { startHubProcess } from './hub-process.js';

interface View {
  id: string;
  status: string;
  lastCheckedAt: number | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function cameras(args: { cameras: number; viewers: number; seconds: number }): Promise<Record<string, unknown>> {
  const n = args.cameras;
  const log = (s: string) => process.stderr.write(`[cameras ${n}] ${s}\n`);
  const pollIntervalSec = 10;
  const timeoutMs = 3000;
  log('starting simulated cameras (one ffmpeg snapshot each)');
  const farm = await startCameras({ count: n, port: 0, logger: silentLogger(), discoveryPort: null });
  const dead = Math.round(n * 0.05);
  // Spread the dead ones over the list so they do not all fall into one batch.
  const deadIdx = Array.from({ length: dead }, (_, k) => Math.floor((k * n) / dead) + 1).filter((i) => i < n);
  deadIdx.forEach((i, k) => farm.setFaults(i, k % 2 === 0 ? { dead: true } : { slowMs: 3_600_000 }));
  const hub = await startHubProcess({ cameras: { pollIntervalSec, timeoutMs } });
  try {
    const t0 = Date.now();
    for (let i = 0; i < n; i += 50) {
      await Promise.all(
        farm.cameras.slice(i, i + 50).map((c) =>
          hub.api('POST', '/api/v1/cameras', { id: c.name, host: c.host, port: c.port, user: 'admin', password: 'admin', name: c.name }),
        ),
      );
    }
    log(`added ${n} cameras in ${Date.now() - t0} ms`);
    const list = async () => (await hub.api<{ cameras: View[] }>('GET', '/api/v1/cameras')).cameras;
    let views = await list();
    while (views.some((v) => v.status === 'unknown') && Date.now() - t0 < 120_000) {
      await sleep(100);
      views = await list();
    }
    const firstCycleMs = Date.now() - t0;
    const counts = (vs: View[]) => vs.reduce<Record<string, number>>((m, v) => ((m[v.status] = (m[v.status] ?? 0) + 1), m), {});
    log(`first cycle ${firstCycleMs} ms: ${JSON.stringify(counts(views))}`);

    // Steady state: every live camera checked again after t1; the spread of those checks is the
    // length of one cycle of cheap polls (the cycle's start waits for the poll interval).
    const t1 = Date.now();
    const live = new Set(views.filter((v) => v.status !== 'offline').map((v) => v.id));
    for (;;) {
      views = await list();
      const fresh = views.filter((v) => live.has(v.id) && (v.lastCheckedAt ?? 0) >= t1);
      if (fresh.length === live.size || Date.now() - t1 > (pollIntervalSec + 60) * 1000) break;
      await sleep(200);
    }
    const checked = views.filter((v) => live.has(v.id) && (v.lastCheckedAt ?? 0) >= t1).map((v) => v.lastCheckedAt!);
    const steadyCycleMs = checked.length ? Math.max(...checked) - Math.min(...checked) : null;
    const usage = processUsage(hub.child.pid!);
    log(`steady cycle ${steadyCycleMs} ms; hub RSS ${Math.round(usage.rssMb)} MB`);

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
      return { requests: lat.length + errors, errors, perSecond: r(lat.length / args.seconds), p50: r(percentile(lat, 50)), p95: r(percentile(lat, 95)), p99: r(percentile(lat, 99)), max: r(lat.at(-1) ?? NaN) };
    };
    log(`${args.viewers} viewers on one camera for ${args.seconds} s`);
    const sameCamera = await viewers(() => online[0]!);
    log(`${args.viewers} viewers over all cameras for ${args.seconds} s`);
    const spread = await viewers(() => online[Math.floor(Math.random() * online.length)]!);
    const after = processUsage(hub.child.pid!);
    return {
      cameras: n,
      dead: deadIdx.length,
      pollIntervalSec,
      timeoutMs,
      statuses: counts(views),
      firstCycleMs,
      steadyCycleMs,
      hubRssMb: Math.round(usage.rssMb),
      hubRssAfterSnapshotsMb: Math.round(after.rssMb),
      hubCpuSeconds: Number(after.cpuS.toFixed(1)),
      snapshotLatencyMs: { viewers: args.viewers, sameCamera, spread },
      target: 'a full status cycle of 604 cameras (5% dead) under 10 s',
      met: firstCycleMs < 10_000 && (steadyCycleMs ?? Infinity) < 10_000,
    };
  } finally {
    await hub.stop();
    await farm.stop();
  }
}

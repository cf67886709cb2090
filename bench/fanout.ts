// fanout: one play command to a whole simulated fleet. The hub runs as its own process; the
// fleet (loa-sim's Fleet, one MQTT connection per cluster) runs here. Reports the connection
// time, command-to-acknowledgement latency percentiles (hub sent → hub received `accepted`, both
// on the hub's clock), the time until all acknowledged, and the hub's CPU and memory.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateFfmpeg } from '../common/ffmpeg.js';
import { silentLogger } from '../common/logger.js';
import { startFleet } from '../firmware-sim/index.js';
import { percentile, processUsage } from './env.js';
import { startHubProcess } from './hub-process.js';

interface Target {
  clusterId: string;
  status: string;
  sentAt: number | null;
  acceptedAt: number | null;
}

export async function fanout(args: { clusters: number }): Promise<Record<string, unknown>> {
  const n = args.clusters;
  // A cheap scrypt cost: this measures dispatch, not password hashing (docs/benchmarks.md).
  const hub = await startHubProcess({ mqtt: { auth: { scryptCost: 1024 } }, dispatch: { leadMs: 1000 } });
  const tmp = mkdtempSync(join(tmpdir(), 'loa-bench-media-'));
  try {
    const log = (s: string) => process.stderr.write(`[fanout ${n}] ${s}\n`);
    log(`registering ${n} clusters`);
    const specs: { id: string; secret: string }[] = [];
    for (let i = 0; i < n; i += 50) {
      const batch = Array.from({ length: Math.min(50, n - i) }, (_, k) => `sim-${String(i + k).padStart(5, '0')}`);
      const made = await Promise.all(batch.map((id) => hub.api<{ secret: string }>('POST', '/api/v1/clusters', { id })));
      made.forEach((m, k) => specs.push({ id: batch[k]!, secret: m.secret }));
    }
    const wav = join(tmp, 'tone.wav');
    execFileSync(locateFfmpeg().path, ['-v', 'error', '-f', 'lavfi', '-i', 'sine=f=440:d=2', wav]);
    const up = await fetch(`${hub.httpUrl}/api/v1/media?name=bench`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hub.token}`, 'content-type': 'application/octet-stream', accept: 'application/json' },
      body: readFileSync(wav),
    });
    const mediaId = ((await up.json()) as { media: { id: string } }).media.id;

    log('connecting the fleet');
    const t0 = Date.now();
    const fleet = await startFleet({ mqttUrl: hub.mqttUrl, clusters: specs, logger: silentLogger(), clockSync: false, connectRatePerSec: 0, delayMs: 0, fetchDelayMs: 0, healthIntervalMs: 3_600_000, keepaliveS: 60 });
    await fleet.waitForConnected(n, 120_000);
    const connectMs = Date.now() - t0;
    log(`all connected in ${connectMs} ms`);
    // Let presence settle in the hub's store before dispatching.
    for (;;) {
      const s = await hub.api<{ clusters: { online: boolean }[] }>('GET', '/api/v1/clusters');
      if (s.clusters.filter((c) => c.online).length === n) break;
      await new Promise((r) => setTimeout(r, 200));
    }

    const deviceSide = new Map<string, { received: number; ackSent: number }>();
    fleet.events.on('ack', (e) => {
      if (e.ack.status === 'accepted') deviceSide.set(e.clusterId, { received: e.cmdReceivedAt, ackSent: e.sentAt });
    });
    const before = processUsage(hub.child.pid!);
    const { broadcast } = await hub.api<{ broadcast: { id: string } }>('POST', '/api/v1/broadcasts', { mediaId, all: true, startAt: Date.now() + 1500 });
    let targets: Target[] = [];
    const deadline = Date.now() + 60_000;
    for (;;) {
      await new Promise((r) => setTimeout(r, 250));
      targets = (await hub.api<{ broadcast: { targets: Target[] } }>('GET', `/api/v1/broadcasts/${broadcast.id}`)).broadcast.targets;
      if (targets.every((t) => t.acceptedAt !== null) || Date.now() > deadline) break;
    }
    const after = processUsage(hub.child.pid!);
    const acked = targets.filter((t) => t.acceptedAt !== null && t.sentAt !== null);
    const lat = acked.map((t) => t.acceptedAt! - t.sentAt!).sort((a, b) => a - b);
    const firstSent = Math.min(...targets.map((t) => t.sentAt ?? Infinity));
    const lastAck = Math.max(...acked.map((t) => t.acceptedAt!));
    await fleet.stop();
    const sorted = (xs: number[]) => xs.sort((a, b) => a - b);
    const pct = (xs: number[]) => ({ p50: percentile(xs, 50), p95: percentile(xs, 95), max: xs.at(-1) ?? null });
    const delivery = sorted(acked.map((t) => (deviceSide.get(t.clusterId)?.received ?? NaN) - t.sentAt!).filter(Number.isFinite));
    const device = sorted([...deviceSide.values()].map((d) => d.ackSent - d.received));
    const ackReturn = sorted(acked.map((t) => t.acceptedAt! - (deviceSide.get(t.clusterId)?.ackSent ?? NaN)).filter(Number.isFinite));
    return {
      clusters: n,
      broker: 'embedded aedes',
      connectAllMs: connectMs,
      acknowledged: acked.length,
      latencyMs: { p50: percentile(lat, 50), p95: percentile(lat, 95), p99: percentile(lat, 99), max: lat.at(-1) ?? null },
      allAcknowledgedMs: lastAck - firstSent,
      breakdownMs: { hubToDevice: pct(delivery), deviceHandling: pct(device), deviceToHub: pct(ackReturn) },
      sendLoopMs: Math.max(...targets.map((t) => t.sentAt ?? 0)) - firstSent,
      hubCpuSecondsDuringDispatch: Number((after.cpuS - before.cpuS).toFixed(2)),
      hubRssMb: Math.round(after.rssMb),
      target: 'all acknowledged within 1000 ms (1,000 clusters)',
      met: acked.length === n && lastAck - firstSent < 1000,
    };
  } finally {
    await hub.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

// sync: do clusters whose clocks are wrong start an item together? loa-hub runs as its own
// process. (a) A simulated fleet of 12 clusters (clock offsets uniform in ±30 s, network delay
// 0–200 ms each way per message) syncs its clocks with the hub and plays items; each `started`
// ack's `at` (the cluster's own clock) minus its true offset is when it started, in hub time.
// (b) Three real loa-edge processes with shifted box clocks (bench/sync-edges.ts). The spread of
// start times per item is the figure; the target is under 20 ms.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateFfmpeg } from '../common/ffmpeg.js';
import { silentLogger } from '../common/logger.js';
import { startFleet, type AckEvent } from '../firmware-sim/index.js';
import { startHubProcess, type HubProcess } from '../harness/hub-process.js';
import { log, seeded, sleep, spreadOf, stats, TARGET_SPREAD_MS } from './sync-common.js';
import { syncRealDaemons } from './sync-edges.js';

const CLUSTERS = 12;
const ITEMS = 5;

/** A 1 s tone, imported into the hub; returns its media id. */
async function importTone(hub: HubProcess, dir: string): Promise<string> {
  const wav = join(dir, 'tone.wav');
  execFileSync(locateFfmpeg().path, ['-v', 'error', '-f', 'lavfi', '-i', 'sine=f=440:d=1', wav]);
  const up = await fetch(`${hub.httpUrl}/api/v1/media?name=sync-bench`, {
    method: 'POST',
    headers: { authorization: `Bearer ${hub.token}`, 'content-type': 'application/octet-stream', accept: 'application/json' },
    body: readFileSync(wav),
  });
  return ((await up.json()) as { media: { id: string } }).media.id;
}

async function simulated(hub: HubProcess, mediaId: string): Promise<Record<string, unknown>> {
  const random = seeded(20261123);
  const offsets = Array.from({ length: CLUSTERS }, () => Math.round((random() * 2 - 1) * 30_000));
  const specs = [];
  for (const [i, clockOffsetMs] of offsets.entries()) {
    const id = `sim-${String(i + 1).padStart(2, '0')}`;
    const { secret } = await hub.api<{ secret: string }>('POST', '/api/v1/clusters', { id });
    specs.push({ id, secret, overrides: { clockOffsetMs } });
  }
  const trueOffset = new Map(specs.map((s) => [s.id, s.overrides.clockOffsetMs]));
  const t0 = Date.now();
  const { hubKeys } = await hub.api<{ hubKeys: string[] }>('GET', `/api/v1/clusters/${specs[0]!.id}`);
  const fleet = await startFleet({
    mqttUrl: hub.mqttUrl,
    clusters: specs,
    hubKeys,
    logger: silentLogger(),
    delayMs: { min: 0, max: 200 },
    healthIntervalMs: 3_600_000,
    connectRatePerSec: 0,
  });
  try {
    await fleet.waitForConnected(CLUSTERS, 30_000);
    while (!fleet.clusters.every((c) => c.sync?.state().synced && !c.sync.state().bursting)) {
      if (Date.now() - t0 > 60_000) throw new Error('the simulated fleet did not finish syncing within 60 s');
      await sleep(100);
    }
    const syncMs = Date.now() - t0;
    const clocks = fleet.clusters.map((c) => {
      const s = c.sync!.state();
      return {
        id: c.id,
        trueOffsetMs: -trueOffset.get(c.id)!,
        estimatedMs: s.offsetMs,
        errorMs: s.offsetMs + trueOffset.get(c.id)!,
        uncertaintyMs: s.uncertaintyMs,
        samples: s.samples,
      };
    });
    log(`simulated: 12 clusters synced in ${syncMs} ms; offset errors ${clocks.map((c) => c.errorMs).join(', ')} ms`);

    const started: AckEvent[] = [];
    fleet.events.on('ack', (e) => e.ack.status === 'started' && started.push(e));
    const items = [];
    for (let k = 0; k < ITEMS; k++) {
      const startAt = Date.now() + 3000;
      const { broadcast } = await hub.api<{ broadcast: { id: string } }>('POST', '/api/v1/broadcasts', { mediaId, clusters: specs.map((s) => s.id), startAt });
      const mine = () => started.filter((e) => e.ack.broadcastId === broadcast.id);
      const deadline = Date.now() + 15_000;
      while (mine().length < CLUSTERS && Date.now() < deadline) await sleep(50);
      // `at` is on the cluster's clock: its true offset turns it into hub time. A cluster that
      // joined late (slow fetch) starts further into the media; what counts is its alignment.
      const starts = mine().map((e) => e.ack.at - trueOffset.get(e.clusterId)! - (e.ack.positionMs ?? 0) - startAt);
      items.push({
        started: starts.length,
        spreadMs: starts.length ? spreadOf(starts) : null,
        meanLateMs: starts.length ? Math.round(starts.reduce((a, b) => a + b, 0) / starts.length) : null,
      });
      log(`simulated item ${k + 1}: ${starts.length} started, spread ${items.at(-1)!.spreadMs} ms`);
      await sleep(1500);
    }
    const spreads = items.map((i) => i.spreadMs ?? Infinity);
    return {
      clusters: CLUSTERS,
      clockOffsetsMs: offsets,
      networkDelayMs: '0-200 each way, per message',
      syncedWithinMs: syncMs,
      clockSync: { offsetErrorMs: stats(clocks.map((c) => Math.abs(c.errorMs))), samplesPerCluster: stats(clocks.map((c) => c.samples)), clusters: clocks },
      items,
      spreadMs: stats(spreads),
      met: items.every((i) => i.started === CLUSTERS) && Math.max(...spreads) < TARGET_SPREAD_MS,
    };
  } finally {
    await fleet.stop();
  }
}

export async function sync(): Promise<Record<string, unknown>> {
  const hub = await startHubProcess({ mqtt: { auth: { scryptCost: 1024 } }, dispatch: { leadMs: 1500 } });
  const tmp = mkdtempSync(join(tmpdir(), 'loa-bench-sync-'));
  try {
    const mediaId = await importTone(hub, tmp);
    const sim = await simulated(hub, mediaId);
    const real = await syncRealDaemons({ hub, mediaId, dir: tmp, items: ITEMS });
    return {
      target: `spread of start times (hub time) under ${TARGET_SPREAD_MS} ms`,
      simulated: sim,
      realDaemons: real,
      met: sim.met === true && real.met === true,
    };
  } finally {
    await hub.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

// The simulator's clusters run loa-edge's ClockSync against the real hub: clusters whose clocks
// are up to 70 s off, behind a 0–20 ms network delay each way, measure their offsets, accept the
// hub's commands as fresh, start one item together in hub time, and report the offset in health.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import { startFleet, type AckEvent, type Fleet } from '../firmware-sim/index.js';
import type { Health } from '../protocol/index.js';
import { makeTone } from './helpers/audio.js';
import { startTestHub, waitFor, type TestHub } from './helpers/hub.js';
import { makeTempDir } from './helpers/tmp.js';

/** Cluster clock minus hub time. */
const OFFSETS: Record<string, number> = { 'skew-a': -30_000, 'skew-b': -12_500, 'skew-c': 0, 'skew-d': 9_000, 'skew-e': 30_000, 'skew-f': 70_000 };
const IDS = Object.keys(OFFSETS);

const tmp = makeTempDir('loa-clock-sim-');
let t: TestHub;
let fleet: Fleet;
let mediaId = '';

beforeAll(async () => {
  t = await startTestHub({ dataDir: join(tmp.path, 'hub'), config: { dispatch: { leadMs: 2000 } } });
  const up = await t.api<{ media: { id: string } }>('POST', '/api/v1/media?name=tone', readFileSync(makeTone(join(tmp.path, 'tone.wav'), 1)), {
    headers: { accept: 'application/json' },
  });
  mediaId = up.body.media.id;
  const clusters = [];
  for (const id of IDS) clusters.push({ ...(await t.addCluster(id)), overrides: { clockOffsetMs: OFFSETS[id]! } });
  fleet = await startFleet({
    mqttUrl: t.addresses.mqttUrl,
    clusters,
    hubKeys: t.hub.hubKeys(),
    logger: silentLogger(),
    delayMs: { min: 0, max: 20 },
    fetchDelayMs: 0,
    healthIntervalMs: 500,
    connectRatePerSec: 0,
  });
  await fleet.waitForConnected();
  // Synced once each cluster has pinned its offset to within 5 ms.
  await waitFor(() => fleet.clusters.every((c) => (c.sync?.state().uncertaintyMs ?? Infinity) <= 5), { what: 'every cluster synced', timeoutMs: 20_000 });
});

afterAll(async () => {
  await fleet?.stop();
  await t?.stop();
  tmp.remove();
});

describe('simulated clusters with wrong clocks', () => {
  it('measure their offsets to the hub', () => {
    for (const c of fleet.clusters) {
      const s = c.sync!.state();
      expect(Math.abs(s.offsetMs + OFFSETS[c.id]!), c.id).toBeLessThanOrEqual(s.uncertaintyMs! + 1);
    }
  });

  it('take a broadcast as fresh (even 70 s fast) and start it together in hub time', async () => {
    const started: AckEvent[] = [];
    fleet.events.on('ack', (e) => e.ack.status === 'started' && started.push(e));
    const refused: AckEvent[] = [];
    fleet.events.on('ack', (e) => e.ack.status === 'refused' && refused.push(e));
    const startAt = Date.now() + 2500;
    const r = await t.api<{ broadcast: { id: string } }>('POST', '/api/v1/broadcasts', { mediaId, clusters: IDS, startAt });
    expect(r.status).toBe(201);
    await waitFor(() => started.length === IDS.length || refused.length > 0, { what: 'started acks', timeoutMs: 10_000 });
    expect(refused.map((e) => e.clusterId)).toEqual([]);
    // `at` is the cluster's own clock; its true offset turns it into hub time.
    const starts = started.map((e) => e.ack.at - OFFSETS[e.clusterId]! - (e.ack.positionMs ?? 0));
    const spread = Math.max(...starts) - Math.min(...starts);
    expect(spread, JSON.stringify(starts.map((s) => s - startAt))).toBeLessThan(20);
    for (const s of starts) expect(Math.abs(s - startAt)).toBeLessThan(50);
    for (const e of started) expect(e.ack.startErrorMs).toBe(0);
  });

  it('report their clock offset in health', async () => {
    const seen = new Map<string, Health>();
    fleet.events.on('health', (e) => seen.set(e.clusterId, e.health));
    await waitFor(() => seen.size === IDS.length, { what: 'health from every cluster' });
    for (const [id, h] of seen) {
      expect(h.clock, id).toMatchObject({ samples: expect.any(Number), rttMs: expect.any(Number) });
      expect(Math.abs(h.clock!.offsetMs + OFFSETS[id]!), id).toBeLessThanOrEqual(10);
    }
  });
});

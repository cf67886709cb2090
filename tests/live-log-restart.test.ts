// A hand-started relay when the hub goes down mid-relay: streams live in the hub's memory, so the
// hub that comes back closes the row (stopped, reason hub-restart) instead of leaving it open (an
// open ad-hoc row would keep the schedule yielding to it), and starts the relay again under a new
// id until its end time; its clusters join as they reconnect. A cluster offline when a relay
// starts joins it when it comes back.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import { createFleet, type Fleet } from '../firmware-sim/index.js';
import { startTestHub, waitFor, type TestHub } from './helpers/hub.js';
import { startUpstream, type Upstream } from './helpers/live-upstream.js';
import { makeTempDir } from './helpers/tmp.js';

describe('live stream rows across a hub restart', () => {
  const tmp = makeTempDir('loa-live-restart-');
  let t: TestHub | null = null;
  let up: Upstream | null = null;
  let fleet: Fleet | null = null;
  afterAll(async () => {
    await fleet?.stop();
    await t?.stop();
    await up?.close();
    tmp.remove();
  });

  it('closes the rows of streams the hub lost by going down', async () => {
    up = await startUpstream();
    const dataDir = join(tmp.path, 'hub');
    t = await startTestHub({ dataDir });
    const secret = (await t.addCluster('sim-rs-1')).secret;
    fleet = createFleet({
      mqttUrl: t.addresses.mqttUrl,
      hubKeys: t.hub.hubKeys(),
      clusters: [{ id: 'sim-rs-1', secret }],
      logger: silentLogger(),
      fetchDelayMs: { min: 5, max: 20 },
      healthIntervalMs: 60_000,
      connectRatePerSec: 100,
    });
    await fleet.start();
    await waitFor(() => t!.hub.store.clusters.get('sim-rs-1')?.online, { what: 'sim online' });
    const r = await t.api<{ stream: { id: string } }>('POST', '/api/v1/live', { source: { url: up.url }, clusters: ['sim-rs-1'] });
    const id = r.body.stream.id;
    await waitFor(() => t!.hub.store.broadcasts.get(id)?.targets[0]?.status === 'started', { what: 'target started' });
    // The hub goes down first: the box's own stop on shutdown cannot reach it.
    await t.stop({ keepData: true });
    await fleet.stop();
    fleet = null;
    t = await startTestHub({ dataDir });
    const b = t.hub.store.broadcasts.get(id)!;
    expect(b.targets.map((x) => [x.status, x.reason])).toEqual([['stopped', 'hub-restart']]);
    expect(b.stoppedAt).not.toBeNull();
    // Started again, to the same end time; the box joins it when it is back.
    const again = await waitFor(() => t!.hub.live.list().find((s) => s.id !== id && 'url' in s.source && s.source.url === up!.url), {
      what: 'relay started again',
    });
    expect(again.until).toBe(b.plannedEnd);
    expect(again.clusters.map((c) => c.status)).toEqual(['offline']);
    fleet = createFleet({
      mqttUrl: t.addresses.mqttUrl,
      hubKeys: t.hub.hubKeys(),
      clusters: [{ id: 'sim-rs-1', secret }],
      logger: silentLogger(),
      fetchDelayMs: { min: 5, max: 20 },
      healthIntervalMs: 60_000,
      connectRatePerSec: 100,
    });
    await fleet.start();
    await waitFor(() => t!.hub.live.get(again.id)?.clusters[0]?.status === 'started', { what: 'box joined the relay again' });
    const row = t.hub.store.broadcasts.get(again.id)!;
    expect(row.targets.map((x) => [x.clusterId, x.status, x.reason])).toEqual([['sim-rs-1', 'started', null]]);
    expect(row.streamUrl).toBe(up.url);
    await t.api('DELETE', `/api/v1/live/${again.id}`);
    expect(t.hub.store.broadcasts.activeAdhoc('sim-rs-1', Date.now())).toEqual([]);
  }, 40_000);

  it('a cluster offline when a relay starts joins it at the live point when it comes back', async () => {
    const secret = (await t!.addCluster('sim-rs-2')).secret;
    const r = await t!.api<{ stream: { id: string } }>('POST', '/api/v1/live', { source: { url: up!.url }, clusters: ['sim-rs-1', 'sim-rs-2'] });
    const id = r.body.stream.id;
    await waitFor(() => t!.hub.live.get(id)?.clusters.find((c) => c.clusterId === 'sim-rs-1')?.status === 'started', { what: 'the online box started' });
    expect(t!.hub.live.get(id)!.clusters.find((c) => c.clusterId === 'sim-rs-2')!.status).toBe('offline');
    const late = createFleet({
      mqttUrl: t!.addresses.mqttUrl,
      hubKeys: t!.hub.hubKeys(),
      clusters: [{ id: 'sim-rs-2', secret }],
      logger: silentLogger(),
      fetchDelayMs: { min: 5, max: 20 },
      healthIntervalMs: 60_000,
      connectRatePerSec: 100,
    });
    try {
      await late.start();
      await waitFor(() => t!.hub.live.get(id)?.clusters.find((c) => c.clusterId === 'sim-rs-2')?.status === 'started', { what: 'the late box joined' });
      expect(t!.hub.store.broadcasts.target(id, 'sim-rs-2')).toMatchObject({ status: 'started', reason: null });
    } finally {
      await t!.api('DELETE', `/api/v1/live/${id}`);
      await late.stop();
    }
  }, 30_000);
});

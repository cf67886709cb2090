// Issue 14, item 10: the health table must not grow without bound. A box (a real MQTT client with
// its own cluster's credentials) floods 5,000 health messages: at most one sample per box per
// health.minIntervalSec is stored, while the latest is still shown. Old samples are thinned and
// deleted on the hub's clock (a fake one here, over a real SQLite file).
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterTopic } from '../../protocol/index.js';
import { HEALTH_PRUNE_EVERY_MS, openStore, type HealthSample, type Store } from '../../hub/store/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { startTestHub, waitFor, type TestHub } from '../helpers/hub.js';
import { connectDevice } from '../helpers/mqtt.js';
import { makeTempDir } from '../helpers/tmp.js';

const health = (at: number, uptimeS: number) => ({
  v: 1,
  at,
  uptimeS,
  cpuTempC: 48.5,
  load1: 0.31,
  memFreeMb: 612,
  memTotalMb: 970,
  diskFreeMb: 11_800,
  player: 'idle',
  lastError: null,
  agent: 'loa-edge/0.1.0',
  cache: { usedBytes: 120_000_000, capacityBytes: 2_000_000_000, files: 42, planMissingBytes: 0 },
  clock: { offsetMs: 3.2, rttMs: 41, samples: 8 },
  signal: { kind: 'cellular', dbm: -87 },
});

describe('a box flooding health messages', () => {
  let h: TestHub;
  let box: MqttClient;

  beforeAll(async () => {
    h = await startTestHub();
    const { secret } = await h.addCluster('ban-flood');
    box = await connectDevice(h.addresses.mqttUrl, 'ban-flood', secret);
  }, 20_000);
  afterAll(async () => {
    await box?.endAsync();
    await h?.stop();
  });

  it('5,000 messages in a few seconds store one sample per minIntervalSec, and the latest is still shown', async () => {
    const started = Date.now();
    const topic = clusterTopic('ban-flood', 'health');
    for (let i = 1; i <= 5000; i++) box.publish(topic, JSON.stringify(health(Date.now(), i)), { qos: 0 });
    await new Promise<void>((resolve, reject) => box.publish(topic, JSON.stringify(health(Date.now(), 5001)), { qos: 1 }, (e) => (e ? reject(e) : resolve())));
    // QoS 0 and 1 share one connection, in order: the hub has handled all 5,001 once it shows the last.
    await waitFor(() => h.hub.store.health.latest('ban-flood')?.uptimeS === 5001, { timeoutMs: 15_000, what: 'the last health message' });
    const seconds = (Date.now() - started) / 1000;
    h.hub.store.health.flush();
    const stored = h.hub.store.health.count('ban-flood');
    // Default minIntervalSec 20: one sample per started 20 s of the flood.
    expect(stored).toBeGreaterThanOrEqual(1);
    expect(stored).toBeLessThanOrEqual(Math.ceil(seconds / 20) + 1);
    expect(h.hub.store.health.skipped).toBeGreaterThanOrEqual(5001 - stored);
    // What was not stored is counted where district IT looks.
    const metrics = await h.api<string>('GET', '/metrics');
    expect(Number(/^loa_health_samples_not_stored_total (\d+)$/m.exec(metrics.body)?.[1])).toBe(h.hub.store.health.skipped);
    // The operator still sees the box's latest report.
    const r = await h.api<{ cluster: { health: { uptimeS: number } | null } }>('GET', '/api/v1/clusters/ban-flood');
    expect(r.body.cluster.health?.uptimeS).toBe(5001);
  }, 30_000);
});

describe('old health samples are thinned and deleted', () => {
  const tmp = makeTempDir('loa-health-');
  const day = 24 * 3600 * 1000;
  const t0 = Date.UTC(2026, 0, 1);
  let clock: FakeClock;
  let store: Store;

  beforeAll(() => {
    clock = new FakeClock(t0);
    store = openStore(join(tmp.path, 'hub'), clock, { health: { minIntervalSec: 20, detailDays: 1, downsampleMinutes: 60, retentionDays: 3 } });
  });
  afterAll(() => {
    store?.close();
    tmp.remove();
  });

  const rows = (from: number, to: number) =>
    (
      store.db
        .prepare('SELECT received_at FROM health_samples WHERE cluster_id = ? AND received_at >= ? AND received_at < ? ORDER BY received_at')
        .all('ban-a', from, to) as { received_at: number }[]
    ).map((r) => r.received_at);

  /** Moves the fake clock, firing its timers, without waiting on real I/O (there is none here). */
  const advance = (ms: number) => clock.advance(ms, async () => undefined);

  it('keeps every sample of the last detailDays, one per hour before, none before retentionDays', async () => {
    // Five days of a box reporting every 30 s (hub clock), plus a second box for one hour.
    const sample = (clusterId: string, i: number): HealthSample => ({ ...(health(clock.now(), i) as never), clusterId, receivedAt: clock.now() });
    for (let i = 0; i < 5 * 2880; i++) {
      store.health.add(sample('ban-a', i));
      if (i < 120) store.health.add(sample('ban-b', i));
      await advance(30_000);
    }
    store.health.flush();
    const now = clock.now();
    // The hourly pass has run on the clock: run one more at `now` to test the final state exactly.
    store.health.prune(now);
    expect(rows(0, now - 3 * day)).toEqual([]);
    const thinned = rows(now - 3 * day, now - day);
    const hours = new Set(thinned.map((t) => Math.floor(t / 3600_000)));
    expect(thinned.length).toBe(hours.size);
    expect(thinned.length).toBeGreaterThanOrEqual(47);
    expect(thinned.length).toBeLessThanOrEqual(49);
    // The last day is whole: one sample every 30 s.
    expect(rows(now - day + 3600_000, now).length).toBe(2880 - 120);
    // The second box's hour is older than retention: gone.
    expect(store.health.count('ban-b')).toBe(0);
    expect(store.health.count()).toBeLessThan(2880 + 50 + 120);
  });

  it('runs on its own every hour of the hub clock', async () => {
    const before = store.health.count('ban-a');
    // A day later without reports: the hourly passes delete a day's worth (thinned and old).
    for (let i = 0; i < 24; i++) await advance(HEALTH_PRUNE_EVERY_MS);
    expect(store.health.count('ban-a')).toBeLessThan(before - 2000);
  });
});

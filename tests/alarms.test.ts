// Cluster alarms on the real hub (FakeClock for the time-driven ones) with real MQTT boxes:
// offline for more than N minutes, temperature with hysteresis, throttling, a failed play, a cache
// that cannot hold the plan; each raised once per episode and cleared when its condition goes.
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Alarm, FeedEvent } from '../hub/alarms/types.js';
import { connectAlarmsBox, type AlarmsBox } from './helpers/alarms-box.js';
import { FakeClock } from './helpers/fake-clock.js';
import { startTestHub, waitFor, type TestHub } from './helpers/hub.js';

const MIN = 60_000;
const clock = new FakeClock(Date.UTC(2025, 2, 1, 0, 0, 0));
let t: TestHub;
const clients: MqttClient[] = [];
const secrets = new Map<string, string>();

beforeAll(async () => {
  t = await startTestHub({ clock, config: { alarms: { offlineMinutes: 5, temperatureC: 75, temperatureHysteresisC: 5, cacheGraceMinutes: 10 } } });
});

afterEach(() => {
  for (const c of clients.splice(0)) c.end(true);
});

afterAll(async () => {
  await t.stop();
});

async function box(id: string): Promise<AlarmsBox> {
  const secret = t.hub.store.clusters.exists(id) ? secrets.get(id)! : (await t.addCluster(id)).secret;
  secrets.set(id, secret);
  const b = await connectAlarmsBox(t.hub, t.addresses.mqttUrl, id, secret, clock);
  clients.push(b.client);
  return b;
}

const alarmsOf = (id: string, kind: string): Alarm[] => t.hub.store.alarms.list(1000).filter((a) => a.subjectId === id && a.kind === kind);
const openOf = (id: string, kind: string): Alarm[] => alarmsOf(id, kind).filter((a) => a.clearedAt === null);
const eventsOf = (id: string, kind: string): FeedEvent['type'][] =>
  t.hub.store.alarms
    .events(0, 1000)
    .filter((e) => e.subjectId === id && e.kind === kind)
    .map((e) => e.type);

describe('cluster offline', () => {
  it('raises one alarm after N minutes offline, none while it stays, and clears it when the box is back', async () => {
    const b = await box('ban-hon');
    const wentAt = clock.now();
    await b.drop();
    await clock.advance(4 * MIN);
    expect(openOf('ban-hon', 'cluster-offline')).toHaveLength(0);
    await clock.advance(1 * MIN + 1);
    const [alarm] = openOf('ban-hon', 'cluster-offline');
    expect(alarm).toMatchObject({ severity: 'critical', subjectType: 'cluster', subjectId: 'ban-hon', raisedAt: wentAt + 5 * MIN });
    // How it went, coded for readers to translate (the broker saw the link drop).
    expect(alarm!.detailCode).toMatch(/^cluster\.(lost|disconnected)$/);
    await clock.advance(30 * MIN);
    expect(alarmsOf('ban-hon', 'cluster-offline')).toHaveLength(1);

    await box('ban-hon');
    const [cleared] = alarmsOf('ban-hon', 'cluster-offline');
    expect(cleared!.clearedAt).toBe(clock.now());
    expect(cleared).toMatchObject({ clearCode: 'alarm.back-online', clearDetail: 'online again' });
    expect(eventsOf('ban-hon', 'cluster-offline')).toEqual(['alarm-raised', 'alarm-cleared']);
  });

  it('a blip shorter than N minutes raises nothing, and the timer it armed is cancelled', async () => {
    const b = await box('lang-cang');
    await b.drop();
    await clock.advance(3 * MIN);
    await box('lang-cang');
    await clock.advance(20 * MIN);
    expect(alarmsOf('lang-cang', 'cluster-offline')).toHaveLength(0);
  });
});

describe('health', () => {
  it('temperature: raised over the limit, kept open down to limit − hysteresis, cleared below it', async () => {
    const b = await box('ta-ghenh');
    await b.health({ cpuTempC: 74.9 });
    expect(alarmsOf('ta-ghenh', 'temperature')).toHaveLength(0);
    await b.health({ cpuTempC: 80.5 });
    expect(openOf('ta-ghenh', 'temperature')[0]).toMatchObject({
      severity: 'warning',
      detail: '80.5 °C > 75 °C',
      detailCode: 'cluster.too-hot',
      detailParams: { celsius: '80.5', limit: 75 },
    });
    await b.health({ cpuTempC: 83 });
    await b.health({ cpuTempC: 72 }); // under the limit but within the hysteresis: still hot
    await b.health({ cpuTempC: null }); // a reading missing says nothing
    expect(openOf('ta-ghenh', 'temperature')).toHaveLength(1);
    await b.health({ cpuTempC: 69.5 });
    expect(openOf('ta-ghenh', 'temperature')).toHaveLength(0);
    await b.health({ cpuTempC: 76 }); // a new episode
    expect(eventsOf('ta-ghenh', 'temperature')).toEqual(['alarm-raised', 'alarm-cleared', 'alarm-raised']);
  });

  it('throttled: raised while throttled now, cleared when it stops; a report without the part changes nothing', async () => {
    const b = await box('sang-pao');
    await b.health({ throttled: { now: false, sinceBoot: true, raw: '0x50000' } });
    expect(alarmsOf('sang-pao', 'throttled')).toHaveLength(0);
    await b.health({ throttled: { now: true, sinceBoot: true, raw: '0x50005' } });
    await b.health({ throttled: { now: true, sinceBoot: true, raw: '0x50005' } });
    await b.health({});
    expect(openOf('sang-pao', 'throttled')).toEqual([
      expect.objectContaining({
        detailCode: 'cluster.throttled',
        detailParams: { raw: '0x50005' },
        detail: 'under-voltage or overheating (get_throttled 0x50005)',
      }),
    ]);
    // /metrics counts it for Prometheus alerting.
    const metrics = await t.api<string>('GET', '/metrics', undefined, { token: null });
    expect(metrics.body).toMatch(/loa_alarms_open\{kind="throttled",severity="warning"\} 1/);
    await b.health({ throttled: { now: false, sinceBoot: true, raw: '0x50000' } });
    expect(eventsOf('sang-pao', 'throttled')).toEqual(['alarm-raised', 'alarm-cleared']);
  });

  it('cache: media of the plan missing past the grace raises it (prefetching does not); all cached clears it', async () => {
    const b = await box('khau-than');
    const cache = (missing: number) => ({ cache: { usedBytes: 900e6, capacityBytes: 1e9, files: 12, planMissingBytes: missing } });
    await b.health(cache(30e6)); // a new plan: prefetching starts
    await clock.advance(3 * MIN);
    await b.health(cache(0)); // fetched within the grace
    await b.health(cache(250e6));
    await clock.advance(9 * MIN);
    await b.health(cache(250e6));
    expect(alarmsOf('khau-than', 'cache-insufficient')).toHaveLength(0);
    await clock.advance(2 * MIN);
    await b.health(cache(250e6));
    expect(openOf('khau-than', 'cache-insufficient')[0]).toMatchObject({ severity: 'warning' });
    expect(openOf('khau-than', 'cache-insufficient')[0]!.detail).toContain('238.4 MB of the plan missing');
    await b.health(cache(0));
    expect(eventsOf('khau-than', 'cache-insufficient')).toEqual(['alarm-raised', 'alarm-cleared']);
  });
});

describe('play failed', () => {
  it('a failed play raises it once; the next start on that cluster clears it', async () => {
    const b = await box('pang-cang');
    await b.ack('accepted');
    expect(alarmsOf('pang-cang', 'play-failed')).toHaveLength(0);
    await b.ack('failed', { reason: 'media-fetch-failed', detail: 'HTTP 404', broadcastId: 'b-1' });
    await b.ack('failed', { reason: 'player-error', broadcastId: 'b-2' });
    expect(openOf('pang-cang', 'play-failed')).toEqual([
      expect.objectContaining({
        severity: 'critical',
        detailCode: 'play.media-fetch-failed',
        detailExtra: 'b-1: HTTP 404',
        detail: 'could not download the audio (b-1: HTTP 404)',
      }),
    ]);
    await b.ack('started', { broadcastId: 'b-3', positionMs: 0 });
    expect(alarmsOf('pang-cang', 'play-failed')[0]).toMatchObject({ clearCode: 'play.started', clearExtra: 'b-3', clearDetail: 'playing again (b-3)' });
    expect(eventsOf('pang-cang', 'play-failed')).toEqual(['alarm-raised', 'alarm-cleared']);
  });
});

describe("a box refusing the hub's signature", () => {
  it('raises a critical alarm on that box once; a command it takes again clears it', async () => {
    const b = await box('sin-chai');
    await b.ack('refused', { reason: 'bad-signature', detail: 'signature does not verify against hubKeys' });
    await b.ack('refused', { reason: 'bad-signature' });
    expect(openOf('sin-chai', 'hub-key-refused')).toEqual([
      expect.objectContaining({ severity: 'critical', detailCode: 'cluster.hub-key-refused', detailExtra: 'signature does not verify against hubKeys' }),
    ]);
    // Refusals for other reasons (an expired or replayed command) are not about the key.
    await b.ack('refused', { reason: 'expired' });
    await b.ack('accepted');
    expect(alarmsOf('sin-chai', 'hub-key-refused')[0]).toMatchObject({ clearCode: 'cluster.hub-key-ok', clearDetail: 'the box took a signed command again' });
    expect(eventsOf('sin-chai', 'hub-key-refused')).toEqual(['alarm-raised', 'alarm-cleared']);
    await b.ack('refused', { reason: 'unsigned' });
    expect(openOf('sin-chai', 'hub-key-refused')).toEqual([expect.objectContaining({ detailCode: 'cluster.hub-key-unsigned' })]);
  });
});

describe('removal', () => {
  it('removing a cluster clears its open alarms and stops its offline timer', async () => {
    const b = await box('na-hang');
    await b.health({ cpuTempC: 90 });
    await b.drop();
    expect((await t.api('DELETE', '/api/v1/clusters/na-hang')).status).toBe(200);
    await waitFor(() => openOf('na-hang', 'temperature').length === 0, { what: 'cleared on removal' });
    await clock.advance(10 * MIN);
    expect(alarmsOf('na-hang', 'cluster-offline')).toHaveLength(0);
    expect(alarmsOf('na-hang', 'temperature')[0]).toMatchObject({ clearCode: 'cluster.removed', clearDetail: 'cluster removed' });
  });
});

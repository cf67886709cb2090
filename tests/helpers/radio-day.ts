// A simulated broadcast day: a real hub on a FakeClock, the 12 Tú Lệ clusters as a simulated
// fleet on the same clock, the Tú Lệ schedule in force, and media records of set lengths (the
// simulated boxes never fetch audio, so no files are needed for them).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { silentLogger } from '../../common/logger.js';
import { startFleet, type Fleet } from '../../firmware-sim/index.js';
import { zonedToEpoch } from '../../hub/schedule/calendar.js';
import { FakeClock, pause } from './fake-clock.js';
import type { Hub } from '../../hub/hub.js';
import { Hub as HubClass } from '../../hub/hub.js';
import { startTestHub, testHubConfig, waitFor, type TestHub } from './hub.js';

export const TZ = 'Asia/Ho_Chi_Minh';
export const SITE = parse(readFileSync('config/sites/tu-le/site.yaml', 'utf8')) as { clusters: { id: string; name: string; village: string }[] };
export const SCHEDULE_FILE = 'config/sites/tu-le/schedule.yaml';

/** Media lengths chosen so that 06:00 and 06:10 fall inside items, not on their edges. */
export const MEDIA_LENGTHS: Record<string, number> = {
  'quoc-ca': 60_000,
  'ban-tin-sang': 15 * 60_000,
  'tin-xa': 10 * 60_000,
  'nhac-nen': 5 * 60_000,
  'thong-bao-hop': 60_000,
  'canh-bao': 90_000,
};

export const local = (date: string, hhmmss: string): number => {
  const [h, m, s] = hhmmss.split(':').map(Number) as [number, number, number?];
  return zonedToEpoch(TZ, date, h * 3600 + m * 60 + (s ?? 0));
};

export interface RadioDay {
  t: TestHub;
  clock: FakeClock;
  /** Waits (in real time) until every command the hub sent has reached the fleet and every ack the fleet sent has reached the hub. */
  quiet: () => Promise<void>;
  /** The same for a hub started later (after a restart) against the same fleet. */
  quietFor: (hub: Hub) => () => Promise<void>;
  fleet: Fleet;
  secrets: Map<string, string>;
  mediaIds: Map<string, string>;
  stop(): Promise<void>;
}

/** A radio-day suite's afterEach: the fleet first (the boxes would keep reconnecting to a hub being
 *  stopped), then a hub the test started later on the same data, then the day's own hub. */
export async function endRadioDay(day: RadioDay | null, extraHub: { stop(): Promise<void> } | null = null): Promise<void> {
  await day?.fleet.stop();
  await extraHub?.stop();
  await day?.t.stop().catch(() => undefined);
}

export async function startRadioDay(startAt: number, opts: { dataDir?: string; backoff?: { minMs: number; maxMs: number } } = {}): Promise<RadioDay> {
  const clock = new FakeClock(startAt);
  const t = await startTestHub({
    clock,
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    config: { dispatch: { leadMs: 3000, joinLeadMs: 1500, emergencyLeadMs: 1500 } },
  });
  const secrets = new Map<string, string>();
  for (const c of SITE.clusters) secrets.set(c.id, (await t.hub.clusters.add(c)).secret);
  const mediaIds = new Map<string, string>();
  for (const [name, durationMs] of Object.entries(MEDIA_LENGTHS)) {
    const id = createHash('sha256').update(name).digest('hex');
    t.hub.store.media.upsert({
      id,
      name,
      originalName: `${name}.mp3`,
      durationMs,
      bytes: Math.round(durationMs * 4),
      format: 'ogg/opus',
      createdAt: clock.now(),
    });
    mediaIds.set(name, id);
  }
  t.hub.bus.emit('mediaChanged', { mediaId: '', removed: false });
  t.hub.schedules.apply(readFileSync(SCHEDULE_FILE, 'utf8'), SCHEDULE_FILE, 'test', false);
  const fleet = await startFleet({
    mqttUrl: t.addresses.mqttUrl,
    // The simulated boxes pin the hub's CA, as loa-edge does.
    ca: readFileSync(t.addresses.caFile),
    clusters: SITE.clusters.map((c) => ({ id: c.id, secret: secrets.get(c.id)! })),
    hubKeys: t.hub.hubKeys(),
    clock,
    logger: silentLogger(),
    delayMs: 0,
    fetchDelayMs: 0,
    healthIntervalMs: 7 * 24 * 3600_000,
    connectRatePerSec: 0,
    // Fleet and hub share one simulated clock already; clock sync would only add an instant per
    // cluster per minute for the clock to stop at (tests/clock-sync-sim.test.ts covers it).
    clockSync: false,
    // The boxes' reconnect backoff runs on the simulated clock too: while the hub is down, each
    // retry is an instant the clock stops at.
    backoff: opts.backoff ?? { minMs: 50, maxMs: 300 },
  });
  await waitFor(() => SITE.clusters.every((c) => t.hub.store.clusters.get(c.id)?.online), { what: 'fleet online' });
  const quiet = quietFor(t.hub, fleet);
  return {
    t,
    clock,
    quiet,
    quietFor: (hub) => quietFor(hub, fleet),
    fleet,
    secrets,
    mediaIds,
    async stop() {
      await fleet.stop();
      await t.stop();
    },
  };
}

/**
 * Counts traffic both ways so the simulated clock moves only once the wires are quiet: a fixed
 * pause is too short on a loaded machine, and a command that lands after its start time would
 * make a box start late.
 */
export function quietFor(hub: Hub, fleet: Fleet): () => Promise<void> {
  const total = () => {
    const c = fleet.counters;
    return { received: c.commandsReceived + c.commandsDropped, acks: Object.values(c.acks).reduce((a, b) => a + b, 0) - c.acksLost };
  };
  const base = total();
  let commandsSent = 0;
  const publish = hub.broker.publish.bind(hub.broker);
  hub.broker.publish = (topic, payload, o) => {
    if (topic.endsWith('/cmd')) commandsSent += 1;
    return publish(topic, payload, o);
  };
  let acksHeard = 0;
  hub.bus.on(fleet, 'ack', () => (acksHeard += 1));
  return async () => {
    // Generous: on a loaded CI machine a message can take seconds; moving on early would make a
    // box start late and fail the test for the wrong reason.
    const deadline = Date.now() + 15_000;
    await pause(2);
    for (;;) {
      const now = total();
      if (now.received - base.received >= commandsSent && acksHeard >= now.acks - base.acks) break;
      if (Date.now() > deadline) {
        console.warn('radio-day: traffic did not settle within 15 s', JSON.stringify({ now, base, commandsSent, acksHeard }));
        break;
      }
      await pause(3);
    }
  };
}

/**
 * Stops the day's hub, lets the simulated clock run to `downUntil` with no hub (the boxes go on
 * by themselves), starts a new hub on the same data directory and ports, and waits until the
 * whole fleet is back (their reconnect backoff runs on the simulated clock, in `stepMs` steps).
 */
export async function restartHub(day: RadioDay, downUntil: number, stepMs: number): Promise<Hub> {
  const { dataDir, addresses } = day.t;
  await day.t.hub.stop();
  await day.clock.runUntil(downUntil);
  const hub = new HubClass({
    config: testHubConfig(dataDir, {
      mqtt: { tls: { port: addresses.mqttsPort ?? 0 } },
      http: { port: addresses.httpPort },
      dispatch: { leadMs: 3000, joinLeadMs: 1500, emergencyLeadMs: 1500 },
    }),
    clock: day.clock,
    logger: silentLogger(),
    cron: false,
  });
  await hub.start();
  await waitFor(
    async () => {
      await day.clock.advance(stepMs, 5);
      return SITE.clusters.every((c) => hub.store.clusters.get(c.id)?.online);
    },
    { what: 'fleet back', timeoutMs: 15_000 },
  );
  return hub;
}

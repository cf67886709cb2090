// The hub's side of offline operation: each cluster's 48-hour plan on its retained topic, and the
// box's own play log merged into the broadcast log once, marked as played offline.
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { clusterTopic, planSchema, PROTOCOL_VERSION, type Plan } from '../protocol/index.js';
import { waitFor } from './helpers/hub.js';
import { connectDevice } from './helpers/mqtt.js';
import { local, startRadioDay, type RadioDay } from './helpers/radio-day.js';

let day: RadioDay | null = null;
let box: MqttClient | null = null;
afterEach(async () => {
  box?.end(true);
  await day?.stop();
  day = null;
  box = null;
});

async function planOf(client: MqttClient, id: string): Promise<Plan[]> {
  const plans: Plan[] = [];
  client.on('message', (topic, payload) => topic === clusterTopic(id, 'plan') && plans.push(planSchema.parse(JSON.parse(payload.toString()))));
  await client.subscribeAsync(clusterTopic(id, 'plan'), { qos: 1 });
  return plans;
}

describe('plans', () => {
  it('publishes a retained 48-hour plan per cluster, resolved by priority, and a new version when the schedule changes', async () => {
    const date = '2026-12-02';
    day = await startRadioDay(local(date, '04:00:00'));
    const { t, clock } = day;
    const { secret } = await t.hub.clusters.add({ id: 'xtra', name: 'extra', village: 'Bản Thử' });
    await day.quiet();
    box = await connectDevice(t.addresses.mqttUrl, 'xtra', secret);
    const plans = await planOf(box, 'xtra');
    await waitFor(() => plans.length > 0, { what: 'retained plan' });
    const plan = plans[0]!;
    expect(plan.from).toBe(clock.now());
    expect(plan.until).toBe(clock.now() + 48 * 3600_000);
    expect(plan.items[0]).toMatchObject({ startAt: local(date, '05:00:00'), offsetMs: 0, priority: 'normal' });
    // The same items the scheduler would play, for today and tomorrow (all-zone programmes).
    const expected = [date, '2026-12-03']
      .flatMap((d) => t.hub.schedules.plan(d, 'xtra').entries)
      .filter((e) => e.item.kind === 'media' && e.startAt >= clock.now() && e.startAt < plan.until);
    expect(plan.items.map((i) => i.startAt)).toEqual(expected.map((e) => e.startAt));
    // A cut item carries its end: the last morning music round stops at 06:30.
    expect(plan.items.find((i) => i.stopAt === local(date, '06:30:00'))).toBeDefined();

    // A new schedule (volume changed) → a new plan version on the same topic.
    const { readFileSync } = await import('node:fs');
    t.hub.schedules.apply(readFileSync('config/sites/tu-le/schedule.yaml', 'utf8').replace('volume: 85', 'volume: 60'), 'x.yaml', 'test', false);
    await waitFor(() => plans.length > 1, { what: 'second plan' });
    expect(plans[1]!.version).toBeGreaterThan(plan.version);
    expect(plans[1]!.items.some((i) => i.volume === 60)).toBe(true);
  });
});

describe('offline play log', () => {
  it('merges what a box played on its own once, marked played offline', async () => {
    const date = '2026-12-02';
    day = await startRadioDay(local(date, '04:00:00'));
    const { t, clock } = day;
    const { secret } = await t.hub.clusters.add({ id: 'xtra', name: 'extra', village: 'Bản Thử' });
    box = await connectDevice(t.addresses.mqttUrl, 'xtra', secret);
    const plans = await planOf(box, 'xtra');
    await waitFor(() => plans.length > 0, { what: 'retained plan' });
    const first = plans[0]!.items[0]!;
    // The box is away all morning; it plays the first item from its plan and reports it later.
    box.end(true);
    await clock.runUntil(local(date, '05:30:00'), day.quiet);
    const before = t.hub.store.broadcasts.target(first.broadcastId, 'xtra');
    expect(before?.status).toBe('offline');
    box = await connectDevice(t.addresses.mqttUrl, 'xtra', secret);
    const entry = {
      broadcastId: first.broadcastId,
      startedAt: first.startAt,
      endedAt: first.startAt + first.media.durationMs,
      startOffsetMs: 0,
      positionMs: first.media.durationMs,
      outcome: 'finished',
    };
    for (let i = 0; i < 2; i++) await box.publishAsync(clusterTopic('xtra', 'playlog'), JSON.stringify({ v: PROTOCOL_VERSION, entries: [entry] }), { qos: 1 });
    await waitFor(() => t.hub.store.broadcasts.target(first.broadcastId, 'xtra')?.status === 'finished', { what: 'merged' });
    await day.quiet();
    expect(t.hub.playlog.merged).toBe(1);
    const log = t.hub.store.broadcasts.log({ from: local(date, '00:00:00'), to: local(date, '23:59:59'), clusterId: 'xtra' });
    const row = log.find((e) => e.broadcastId === first.broadcastId)!;
    expect(row).toMatchObject({ outcome: 'played', reason: 'played-offline', startedAt: first.startAt, playedMs: first.media.durationMs });
    expect(log.filter((e) => e.broadcastId === first.broadcastId)).toHaveLength(1);
  });
});

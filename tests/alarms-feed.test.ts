// The alarms API and the events feed on the real hub: open and all alarms, the cursor (`after=`)
// returning raises and clears in order, long-poll (`wait=`), roles, bad queries, and alarms that
// survive a hub restart on the same data directory (the offline timer too).
import type { MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import type { Alarm, FeedEvent } from '../hub/alarms/types.js';
import { connectAlarmsBox } from './helpers/alarms-box.js';
import { FakeClock } from './helpers/fake-clock.js';
import { startTestHub, waitFor, type TestHub } from './helpers/hub.js';
import { makeTempDir } from './helpers/tmp.js';

const MIN = 60_000;
const clients: MqttClient[] = [];
const hubs: TestHub[] = [];
const dirs: { remove(): void }[] = [];

afterAll(async () => {
  for (const c of clients) c.end(true);
  for (const h of hubs) await h.stop();
  for (const d of dirs) d.remove();
});

async function hubOn(clock: FakeClock, dataDir?: string): Promise<TestHub> {
  const t = await startTestHub({ clock, ...(dataDir ? { dataDir } : {}), config: { alarms: { offlineMinutes: 5 } } });
  hubs.push(t);
  return t;
}

type EventsAnswer = { events: FeedEvent[]; cursor: number };

describe('alarms API and events feed', () => {
  const clock = new FakeClock(Date.UTC(2025, 5, 1, 22, 0, 0));
  let t: TestHub;

  it('lists open alarms, all with ?all=1, and feeds every raise and clear in order after a cursor', async () => {
    t = await hubOn(clock);
    const { secret } = await t.addCluster('ban-hon');
    const b = await connectAlarmsBox(t.hub, t.addresses.mqttUrl, 'ban-hon', secret, clock);
    clients.push(b.client);

    const empty = await t.api<EventsAnswer>('GET', '/api/v1/alarms/events');
    expect(empty.body).toEqual({ events: [], cursor: 0 });

    await b.health({ cpuTempC: 81 });
    await b.ack('failed', { reason: 'no-audio-device' });
    await clock.advance(MIN);
    await b.health({ cpuTempC: 60 });

    const open = await t.api<{ alarms: Alarm[] }>('GET', '/api/v1/alarms');
    expect(open.status).toBe(200);
    expect(open.body.alarms.map((a) => a.kind)).toEqual(['play-failed']);
    const all = await t.api<{ alarms: Alarm[] }>('GET', '/api/v1/alarms?all=1');
    expect(all.body.alarms.map((a) => [a.kind, a.clearedAt === null])).toEqual([
      ['play-failed', true],
      ['temperature', false],
    ]);
    expect((await t.api<{ alarms: Alarm[] }>('GET', '/api/v1/alarms?all=1&limit=1')).body.alarms).toHaveLength(1);

    const feed = await t.api<EventsAnswer>('GET', '/api/v1/alarms/events?after=0');
    expect(feed.body.events.map((e) => [e.type, e.kind, e.subjectType, e.subjectId])).toEqual([
      ['alarm-raised', 'temperature', 'cluster', 'ban-hon'],
      ['alarm-raised', 'play-failed', 'cluster', 'ban-hon'],
      ['alarm-cleared', 'temperature', 'cluster', 'ban-hon'],
    ]);
    const ids = feed.body.events.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(feed.body.cursor).toBe(ids[2]);
    expect(feed.body.events[2]).toMatchObject({ at: clock.now(), severity: 'warning', detail: '60.0 °C' });

    const after = await t.api<EventsAnswer>('GET', `/api/v1/alarms/events?after=${ids[0]}&limit=1`);
    expect(after.body.events.map((e) => e.id)).toEqual([ids[1]]);
    expect(after.body.cursor).toBe(ids[1]);
    const none = await t.api<EventsAnswer>('GET', `/api/v1/alarms/events?after=${ids[2]}`);
    expect(none.body).toEqual({ events: [], cursor: ids[2] });

    // Long-poll: the answer waits for the next event, which the box's next start brings.
    const cursor = feed.body.cursor;
    const waiting = t.api<EventsAnswer>('GET', `/api/v1/alarms/events?after=${cursor}&wait=30`);
    await new Promise((r) => setTimeout(r, 100));
    await b.ack('started', { broadcastId: 'b-9' });
    const woken = await waiting;
    expect(woken.body.events.map((e) => [e.type, e.kind])).toEqual([['alarm-cleared', 'play-failed']]);

    // With nothing coming, the wait ends at its time (the hub's clock) with an empty answer.
    const idle = t.api<EventsAnswer>('GET', `/api/v1/alarms/events?after=${woken.body.cursor}&wait=10`);
    await new Promise((r) => setTimeout(r, 100));
    await clock.advance(10_000);
    expect((await idle).body).toEqual({ events: [], cursor: woken.body.cursor });
  });

  it('needs an operator token and refuses bad queries', async () => {
    const viewer = await t.api<{ secret: string }>('POST', '/api/v1/tokens', { role: 'viewer', name: 'v' });
    for (const path of ['/api/v1/alarms', '/api/v1/alarms/events']) {
      expect((await t.api('GET', path, undefined, { token: null })).status).toBe(401);
      expect((await t.api('GET', path, undefined, { token: viewer.body.secret })).status).toBe(403);
    }
    for (const q of ['after=-1', 'after=x', 'limit=0', 'limit=5000', 'wait=600']) {
      const r = await t.api<{ error: { code: string } }>('GET', `/api/v1/alarms/events?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.error.code).toBe('LOA_BAD_REQUEST');
    }
    expect((await t.api('GET', '/api/v1/alarms?all=maybe')).status).toBe(400);
  });
});

describe('hub restart', () => {
  it('keeps open alarms open, times offline again from the restart, and clears them when boxes return', async () => {
    const dir = makeTempDir('loa-alarms-');
    dirs.push(dir);
    const clock = new FakeClock(Date.UTC(2025, 5, 2, 4, 0, 0));
    const t1 = await hubOn(clock, dir.path);
    const hot = await t1.addCluster('ta-xua');
    const quiet = await t1.addCluster('lao-chai');
    await t1.addCluster('never-seen');
    const a = await connectAlarmsBox(t1.hub, t1.addresses.mqttUrl, 'ta-xua', hot.secret, clock);
    const c = await connectAlarmsBox(t1.hub, t1.addresses.mqttUrl, 'lao-chai', quiet.secret, clock);
    clients.push(a.client, c.client);
    await a.health({ cpuTempC: 88 });
    await a.drop();
    await clock.advance(6 * MIN);
    const before = t1.hub.store.alarms
      .open()
      .map((x) => `${x.subjectId}/${x.kind}`)
      .sort();
    expect(before).toEqual(['ta-xua/cluster-offline', 'ta-xua/temperature']);
    const lastId = t1.hub.store.alarms.lastEventId();
    c.client.end(true);
    await t1.stop({ keepData: true });

    // The same data directory, a clock that goes on from where the first stopped.
    const clock2 = new FakeClock(clock.now() + MIN);
    const t2 = await hubOn(clock2, dir.path);
    const open = await t2.api<{ alarms: Alarm[] }>('GET', '/api/v1/alarms');
    expect(open.body.alarms.map((x) => `${x.subjectId}/${x.kind}`).sort()).toEqual(before);
    expect(t2.hub.store.alarms.lastEventId()).toBe(lastId); // nothing raised twice

    // lao-chai was online until the hub stopped: the hub saw nothing while down, so its box has
    // N minutes from this start to come back before the alarm.
    await clock2.advance(4 * MIN);
    expect(t2.hub.store.alarms.open().some((x) => x.subjectId === 'lao-chai')).toBe(false);
    await clock2.advance(MIN + 1);
    const now = t2.hub.store.alarms
      .open()
      .map((x) => `${x.subjectId}/${x.kind}`)
      .sort();
    expect(now).toEqual(['lao-chai/cluster-offline', ...before]); // never-seen has no box yet: no alarm

    const back = await connectAlarmsBox(t2.hub, t2.addresses.mqttUrl, 'ta-xua', hot.secret, clock2);
    clients.push(back.client);
    await back.health({ cpuTempC: 55 });
    await waitFor(() => !t2.hub.store.alarms.open().some((x) => x.subjectId === 'ta-xua'), { what: 'ta-xua cleared' });
    const feed = await t2.api<EventsAnswer>('GET', `/api/v1/alarms/events?after=${lastId}`);
    expect(feed.body.events.map((e) => `${e.type} ${e.subjectId}/${e.kind}`)).toEqual([
      'alarm-raised lao-chai/cluster-offline',
      'alarm-cleared ta-xua/cluster-offline',
      'alarm-cleared ta-xua/temperature',
    ]);
  });
});

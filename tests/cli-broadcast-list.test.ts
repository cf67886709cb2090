// `loa broadcast list` and GET /api/v1/broadcasts: by default what is on air and what happened,
// on air first then newest first (an item set for tomorrow is not "the latest"), with filters by
// status, start time, cluster (any name: id, zone, village) and kind. The real `node bin/loa.js`
// against a real hub with the Tú Lệ clusters; one box (an MQTT client) is online, accepts and
// starts what it is sent and never finishes, so a broadcast to it stays running.
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { clusterTopic, commandSchema } from '../protocol/index.js';
import { formatDate } from '../cli/time.js';
import { useTuLeCli } from './helpers/cli-tu-le.js';
import { waitFor } from './helpers/hub.js';
import { connectDevice } from './helpers/mqtt.js';

const cli = useTuLeCli({ prefix: 'loa-broadcast-list-' });
const TZ = 'Asia/Ho_Chi_Minh';
let box: MqttClient;
/** The broadcasts made below, by what they are. */
const ids = { done: '', emergency: '', tomorrow: '', stopped: '', running: '' };
let afterDone = 0;

interface Listed {
  id: string;
  status: string;
  kind: string;
  targets: { clusterId: string }[];
}

async function list(...args: string[]): Promise<Listed[]> {
  const r = await cli.loa(['broadcast', 'list', ...args, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { broadcasts: Listed[] }).broadcasts;
}

async function play(...args: string[]): Promise<string> {
  const r = await cli.loa(['broadcast', 'play', '--media', 'thong-bao', ...args, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { broadcast: { id: string } }).broadcast.id;
}

beforeAll(async () => {
  const { t } = cli;
  const { secret } = await t.hub.clusters.rotateSecret('bo-he');
  box = await connectDevice(t.addresses.mqttUrl, 'bo-he', secret);
  await box.subscribeAsync(clusterTopic('bo-he', 'cmd'), { qos: 1 });
  box.on('message', (_topic, payload) => {
    const cmd = commandSchema.parse(JSON.parse(payload.toString()));
    if (cmd.type !== 'play') return;
    for (const status of ['accepted', 'started']) {
      box.publish(clusterTopic('bo-he', 'ack'), JSON.stringify({ v: 1, cmdId: cmd.id, seq: cmd.seq, status, at: Date.now() }), { qos: 1 });
    }
  });
  await box.publishAsync(clusterTopic('bo-he', 'presence'), JSON.stringify({ v: 1, status: 'online' }), { qos: 1, retain: true });
  await waitFor(() => t.hub.store.clusters.get('bo-he')?.online, { what: 'bo-he online' });

  // Played now on a cluster that is offline: over at once (done).
  ids.done = await play('--clusters', 'ta-cho');
  await waitFor(() => t.hub.store.broadcasts.get(ids.done)!.targets.every((x) => x.status === 'offline'), { what: 'ta-cho missed it' });
  afterDone = t.hub.store.broadcasts.get(ids.done)!.startAt + 1;
  t.hub.schedules.startEmergency({
    zones: ['lim-mong'],
    mediaId: t.hub.store.media.list().find((m) => m.name === 'thong-bao')!.id,
    repeat: false,
    volume: null,
    by: 'test',
  });
  const emergencyRow = () => t.hub.store.broadcasts.log({ from: 0, to: Number.MAX_SAFE_INTEGER }).find((e) => e.kind === 'emergency');
  ids.emergency = (await waitFor(emergencyRow, { what: 'the emergency broadcast row' })).broadcastId;
  t.hub.schedules.stopEmergency('test');
  // Set for tomorrow 17:00: it starts after everything else here.
  const tomorrow = formatDate(t.hub.clock.now() + 86_400_000, TZ);
  ids.tomorrow = await play('--clusters', 'phinh-ho', '--at', `${tomorrow} 17:00`);
  // `loa` reads times by its own clock; the hub's runs in 2026-11 (cli-schedule-hub.ts): say the day.
  ids.stopped = await play('--clusters', 'khau-than', '--at', `${formatDate(t.hub.clock.now(), TZ)} 23:59`);
  expect((await cli.loa(['broadcast', 'stop', '--broadcast', ids.stopped])).code).toBe(0);
  // On the box that never finishes: the 15 minutes of the morning bulletin, running.
  const r = await cli.loa(['broadcast', 'play', '--media', 'ban-tin-sang', '--clusters', 'bo-he', '--json']);
  ids.running = (JSON.parse(r.stdout) as { broadcast: { id: string } }).broadcast.id;
  // The box acks at once; the broadcast runs from its start time (the hub's lead after the play).
  await waitFor(
    () => {
      const b = t.hub.store.broadcasts.get(ids.running)!;
      return b.targets[0]!.status === 'started' && t.hub.clock.now() >= b.startAt;
    },
    { what: 'bo-he playing', timeoutMs: 15_000 },
  );
});
afterAll(() => {
  box?.end(true);
});

describe('by default: on air, then the most recent', () => {
  test("--limit 1 is what is on air now, not tomorrow's", async () => {
    const [first] = await list('--limit', '1');
    expect(first).toMatchObject({ id: ids.running, status: 'running' });
  });

  test('nothing still to come; on air first, then newest first', async () => {
    const all = await list();
    expect(all.map((b) => b.id)).not.toContain(ids.tomorrow);
    expect(all.map((b) => b.id).filter((id) => Object.values(ids).includes(id))).toEqual([ids.running, ids.stopped, ids.emergency, ids.done]);
    const human = await cli.loa(['broadcast', 'list']);
    expect(human.stdout).toMatch(/ID\s*│ Kind\s*│ Media\s*│ Start\s*│ Status/);
    expect(human.stdout).toMatch(new RegExp(`${ids.running}\\s*│ on demand\\s*│ ban-tin-sang .*│ running`));
    expect(human.stdout).toMatch(new RegExp(`${ids.emergency}\\s*│ EMERGENCY`));
    expect(human.stdout).toContain('--status scheduled');
  });
});

describe('filters', () => {
  test('--status scheduled lists what is to come (soonest first); --status running, done', async () => {
    expect((await list('--status', 'scheduled')).map((b) => b.id)).toEqual([ids.tomorrow]);
    expect((await list('--status', 'running')).map((b) => b.id)).toEqual([ids.running]);
    const done = await list('--status', 'done,stopped');
    expect(done.every((b) => ['done', 'stopped'].includes(b.status))).toBe(true);
    expect(done.map((b) => b.id)).toEqual(expect.arrayContaining([ids.done, ids.stopped, ids.emergency]));
  });

  test('--cluster takes any name; --kind; --since', async () => {
    expect((await list('--cluster', 'ta-cho')).map((b) => b.id)).toEqual([ids.done]);
    expect((await list('--cluster', 'Bản Lìm Mông')).map((b) => b.id)).toEqual([ids.emergency]);
    expect((await list('--kind', 'emergency')).map((b) => b.kind)).toEqual(['emergency']);
    expect((await list('--kind', 'ad-hoc')).map((b) => b.id)).not.toContain(ids.emergency);
    const tomorrow = formatDate(cli.t.hub.clock.now() + 86_400_000, TZ);
    expect((await list('--since', tomorrow, '--status', 'all')).map((b) => b.id)).toEqual([ids.tomorrow]);
    const api = await cli.t.api<{ broadcasts: Listed[] }>('GET', `/api/v1/broadcasts?since=${afterDone}`);
    expect(api.body.broadcasts.map((b) => b.id)).not.toContain(ids.done);
    expect(api.body.broadcasts.map((b) => b.id)).toContain(ids.emergency);
  });

  test('bad values are usage errors (exit 2); the API says what it takes', async () => {
    for (const [args, code] of [
      [['--status', 'soon'], 'LOA_CLI_BAD_STATUS'],
      [['--kind', 'weekly'], 'LOA_CLI_BAD_KIND'],
      [['--since', 'hôm qua'], 'LOA_CLI_BAD_DATE'],
      [['--cluster', ''], 'LOA_CLI_BAD_TEXT'],
    ] as const) {
      const r = await cli.loa(['broadcast', 'list', ...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`[${code}]`);
    }
    const bad = await cli.t.api<{ error: { code: string } }>('GET', '/api/v1/broadcasts?status=soon');
    expect([bad.status, bad.body.error.code]).toEqual([400, 'LOA_BAD_REQUEST']);
    const nowhere = await cli.t.api<{ error: { code: string } }>('GET', '/api/v1/broadcasts?cluster=ban-hom');
    expect([nowhere.status, nowhere.body.error.code]).toEqual([404, 'LOA_UNKNOWN_TARGET']);
  });
});

// `loa alarms` and the alarms section of `loa status`: the real CLI (child process, built in
// dist/) against the real hub, with alarms raised by a real MQTT box; English and Vietnamese.
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../common/clock.js';
import { connectAlarmsBox, type AlarmsBox } from './helpers/alarms-box.js';
import { spawnLoa } from './helpers/cli-run.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { makeTempDir } from './helpers/tmp.js';

let t: TestHub;
let box: AlarmsBox;
const tmp = makeTempDir();
const clients: MqttClient[] = [];
const loa = (args: string[], lang = 'en') => spawnLoa(['--data-dir', t.dataDir, ...args], { cwd: tmp.path, env: { LOA_LANG: lang } });

beforeAll(async () => {
  t = await startTestHub();
  const { secret } = await t.addCluster('ban-hon');
  box = await connectAlarmsBox(t.hub, t.addresses.mqttUrl, 'ban-hon', secret, systemClock);
  clients.push(box.client);
});

afterAll(async () => {
  for (const c of clients) c.end(true);
  await t.stop();
  tmp.remove();
});

describe('loa alarms', () => {
  it('says when nothing is open, then shows subject, kind, severity, since and detail of each open alarm', async () => {
    const none = await loa(['alarms']);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toContain('No open alarms.');

    await box.health({ cpuTempC: 90 });
    await box.ack('failed', { reason: 'media-corrupt', broadcastId: 'b-7' });
    const r = await loa(['alarms']);
    expect(r.code, r.stderr).toBe(0);
    for (const text of [
      'Subject',
      'Alarm',
      'Severity',
      'Since',
      'Detail',
      'ban-hon',
      'too hot',
      'warning',
      '90.0 °C > 75 °C',
      'item failed to play',
      'CRITICAL',
      'the audio file is damaged (b-7)',
      'Open alarms: 2',
    ]) {
      expect(r.stdout).toContain(text);
    }

    const vi = await loa(['alarms'], 'vi');
    for (const text of ['Đối tượng', 'Mức độ', 'quá nóng', 'không phát được bài', 'NGHIÊM TRỌNG', 'Cảnh báo đang mở: 2']) expect(vi.stdout).toContain(text);
    // The details too, translated from the hub's codes (the broadcast is the operator's extra).
    for (const text of ['90.0 °C, quá ngưỡng 75 °C', 'tệp âm thanh bị hỏng (b-7)']) expect(vi.stdout).toContain(text);

    const json = JSON.parse((await loa(['alarms', '--json'])).stdout) as { alarms: { kind: string; subjectId: string; clearedAt: null }[] };
    expect(json.alarms.map((a) => a.kind).sort()).toEqual(['play-failed', 'temperature']);
  });

  it('--all adds the cleared ones with when they cleared', async () => {
    await box.health({ cpuTempC: 60 });
    const r = await loa(['alarms', '--all']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Cleared');
    expect(r.stdout).toContain('still open');
    expect(r.stdout).toContain('1 open of 2 shown');
    expect((await loa(['alarms'])).stdout).not.toContain('too hot');
    expect((await loa(['alarms', '--limit', '0'])).code).toBe(2);
  });

  it('loa status lists the open alarms below the cluster table', async () => {
    const r = await loa(['status']);
    expect(r.code, r.stderr).toBe(0);
    const table = r.stdout.indexOf('1 of 1 clusters online');
    const section = r.stdout.indexOf('Open alarms: 1');
    expect(table).toBeGreaterThan(0);
    expect(section).toBeGreaterThan(table);
    expect(r.stdout.slice(section)).toContain('item failed to play');
    const json = JSON.parse((await loa(['status', '--json'])).stdout) as { clusters: unknown[]; alarms: { kind: string }[] };
    expect(json.alarms.map((a) => a.kind)).toEqual(['play-failed']);

    await box.ack('started', { broadcastId: 'b-8' });
    expect((await loa(['status'])).stdout).toContain('No open alarms.');
    expect((await loa(['status'], 'vi')).stdout).toContain('Không có cảnh báo nào đang mở.');
  });
});

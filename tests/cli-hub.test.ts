// The real `loa` CLI (child process) against the real hub: it finds the hub and the operator
// token in the hub's data directory with no flags, registers clusters, imports audio with
// progress, plays it, and shows status and the log.
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterTopic, commandSchema } from '../protocol/index.js';
import { makeTone } from './helpers/audio.js';
import { spawnLoa } from './helpers/cli-run.js';
import { startTestHub, waitFor, type TestHub } from './helpers/hub.js';
import { connectDevice } from './helpers/mqtt.js';
import { makeTempDir } from './helpers/tmp.js';

let t: TestHub;
const tmp = makeTempDir();
const boxes: MqttClient[] = [];
const loa = (args: string[]) => spawnLoa(['--data-dir', t.dataDir, ...args], { cwd: tmp.path, env: { LOA_LANG: 'en' } });

beforeAll(async () => {
  t = await startTestHub({ config: { dispatch: { leadMs: 300 } } });
});
afterAll(async () => {
  for (const b of boxes) b.end(true);
  await t.stop();
  tmp.remove();
});

describe('loa against the real hub', () => {
  it('adds clusters, imports media, plays it on all and shows who played', async () => {
    const added = await loa(['clusters', 'add', 'ban-hon', '--name', 'Bản Hon', '--village', 'Bản Hon', '--json']);
    expect(added.code, added.stderr).toBe(0);
    const { id, secret } = JSON.parse(added.stdout) as { id: string; secret: string };
    expect(id).toBe('ban-hon');

    // A box that answers like loa-edge would.
    const box = await connectDevice(t.addresses.mqttUrl, id, secret);
    boxes.push(box);
    await box.subscribeAsync(clusterTopic(id, 'cmd'), { qos: 1 });
    box.on('message', (_topic, payload) => {
      const cmd = commandSchema.parse(JSON.parse(payload.toString()));
      for (const status of ['accepted', 'started', 'finished']) {
        box.publish(clusterTopic(id, 'ack'), JSON.stringify({ v: 1, cmdId: cmd.id, seq: cmd.seq, status, at: Date.now() }), { qos: 1 });
      }
    });
    await box.publishAsync(clusterTopic(id, 'presence'), JSON.stringify({ v: 1, status: 'online' }), { qos: 1, retain: true });

    const wav = makeTone(join(tmp.path, 'thong-bao.wav'), 1.2);
    const media = await loa(['media', 'add', wav, '--json']);
    expect(media.code, media.stderr).toBe(0);
    const m = JSON.parse(media.stdout) as { id?: string; media?: { id: string; name: string } };
    const mediaRow = m.media ?? (m as { id: string; name: string });
    expect(mediaRow.name).toBe('thong-bao');
    expect(media.stderr).toMatch(/100/);

    const play = await loa(['broadcast', 'play', '--media', 'thong-bao', '--all', '--json']);
    expect(play.code, play.stderr).toBe(0);
    await waitFor(() => t.hub.store.broadcasts.log({ from: 0, to: Date.now() + 60_000 }).some((e) => e.status === 'finished'), { what: 'finished' });

    const status = await loa(['status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('ban-hon');
    expect(status.stdout).toMatch(/online/i);

    const csv = await loa(['log', '--csv']);
    expect(csv.code, csv.stderr).toBe(0);
    const rows = csv.stdout.trim().split(/\r?\n/);
    expect(rows).toHaveLength(2);
    expect(rows[1]).toContain('ban-hon');
    expect(rows[1]).toContain('finished');
  });

  it("reports a refusal from the hub as one line and exit 1 (a bad id is the command line's: exit 2)", async () => {
    const r = await loa(['clusters', 'add', 'ban-hon']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/LOA_CLUSTER_EXISTS/);
    const bad = await loa(['clusters', 'add', 'Bad_Id']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/"bad-id".*\[LOA_CLI_BAD_ID\]/);
  });
});

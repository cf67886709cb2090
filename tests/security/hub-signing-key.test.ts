// Issue 14, item 3, the hub's side: its Ed25519 key is made at first start (0600) and never
// replaced silently; everything it publishes to a box (commands, clock answers, plans) is signed
// for that box's topic; the operator sees the key to provision a box; and a key rotation with the
// real `loa-hub` options keeps a real loa-edge obeying throughout.
import { execFileSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.js';
import { SIGNING_KEY_FILE } from '../../hub/signing/key-file.js';
import { Hub } from '../../hub/hub.js';
import { clusterTopic, formatHubKey, openSigned, parseHubKey } from '../../protocol/index.js';
import { REPO, spawnLoa } from '../helpers/cli-run.js';
import { spawnEdge, type EdgeProcess } from '../helpers/edge-process.js';
import { startTestHub, testHubConfig, waitFor, type TestHub } from '../helpers/hub.js';
import { connectDevice } from '../helpers/mqtt.js';
import { makeTempDir } from '../helpers/tmp.js';

const tmp = makeTempDir('loa-sec-signkey-');
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => tmp.remove());

const loaHub = (dataDir: string, option: string) =>
  execFileSync(process.execPath, [join(REPO, 'bin', 'loa-hub.js'), '--data-dir', dataDir, option], { encoding: 'utf8' });

describe("the hub's signing key", () => {
  it('is made at first start (mode 0600), kept across restarts, and a damaged one stops the hub', async () => {
    const dataDir = join(tmp.path, 'fresh');
    const start = async () => {
      const hub = new Hub({ config: testHubConfig(dataDir), logger: silentLogger(), cron: false });
      await hub.start();
      return hub;
    };
    const first = await start();
    const key = join(dataDir, SIGNING_KEY_FILE);
    expect(statSync(key).mode & 0o777).toBe(0o600);
    const pem = readFileSync(key, 'utf8');
    expect(first.hubKeys()).toEqual([formatHubKey(createPublicKey(pem))]);
    await first.stop();
    const second = await start();
    expect(second.hubKeys()).toEqual(first.hubKeys());
    await second.stop();

    writeFileSync(key, '-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n', { mode: 0o600 });
    await expect(start()).rejects.toMatchObject({ code: 'LOA_SIGNING_KEY_BAD', message: expect.stringContaining(`${key} is not a PEM private key`) });
    // Not replaced by a new key: the boxes would obey no one.
    expect(readFileSync(key, 'utf8')).toContain('garbage');
  });

  it('signs every command, clock answer and plan for the topic it goes on', async () => {
    const t = await startTestHub();
    cleanups.push(() => t.stop());
    const { id, secret } = await t.addCluster('signed-box');
    const keys = t.hub.hubKeys().map(parseHubKey);
    const box: MqttClient = await connectDevice(t.addresses.mqttUrl, id, secret);
    cleanups.push(() => box.endAsync(true));
    const got = new Map<string, string>();
    box.on('message', (topic, payload) => got.set(topic, payload.toString()));
    await box.subscribeAsync([clusterTopic(id, 'cmd'), clusterTopic(id, 'time'), clusterTopic(id, 'plan')], { qos: 1 });
    await box.publishAsync(clusterTopic(id, 'presence'), JSON.stringify({ v: 1, status: 'online', at: Date.now() }), { qos: 1, retain: true });
    await waitFor(() => t.hub.store.clusters.get(id)?.online, { what: 'the box online' });
    await box.publishAsync(clusterTopic(id, 'timereq'), JSON.stringify({ v: 1, id: 'q1', t0: Date.now() }), { qos: 0 });
    expect((await t.api('POST', `/api/v1/clusters/${id}/volume`, { volume: 30 })).status).toBe(200);
    for (const channel of ['cmd', 'time', 'plan'] as const) {
      const topic = clusterTopic(id, channel);
      const payload = await waitFor(() => got.get(topic), { what: `a ${channel} message` });
      const opened = openSigned(keys, topic, payload);
      expect(opened, channel).toMatchObject({ ok: true });
      // Bound to this box: the same bytes on another box's topic do not verify.
      expect(openSigned(keys, clusterTopic('other-box', channel), payload)).toMatchObject({ ok: false, reason: 'bad-signature' });
    }
  });

  it('rotates: a box trusting [old, new] obeys the hub before and after the switch; one trusting only the old key refuses after', async () => {
    const dataDir = join(tmp.path, 'rotate');
    let t: TestHub = await startTestHub({ dataDir });
    cleanups.push(() => t.stop());
    const [old] = t.hub.hubKeys() as [string];
    const loa = (args: string[]) => spawnLoa(['--data-dir', dataDir, ...args], { cwd: tmp.path, env: { LOA_LANG: 'en' } });

    // Step 1: the next key, printed for the boxes; the API and the CLI show both from now on.
    const next = /next signing key: (ed25519:\S+)/.exec(loaHub(dataDir, '--new-signing-key'))?.[1];
    expect(next).toMatch(/^ed25519:/);
    expect(next).not.toBe(old);
    const added = JSON.parse((await loa(['clusters', 'add', 'rot-both', '--json'])).stdout) as { secret: string; hubKeys: string[] };
    expect(added.hubKeys).toEqual([old, next]);
    const { secret: oldOnlySecret } = await t.addCluster('rot-old');
    const shown = await loa(['clusters', 'show', 'rot-both']);
    expect(shown.stdout).toContain(`Hub keys (hubKeys)`);
    expect(shown.stdout).toContain(`${old} ${next}`);

    // Step 2: the boxes get both keys (and one box is left behind with the old one only).
    const edges: EdgeProcess[] = [];
    cleanups.push(() => Promise.all(edges.map((e) => e.stop('SIGKILL'))));
    const spawn = (clusterId: string, secret: string, hubKeys: string[]) =>
      edges.push(
        spawnEdge({ clusterId, secret, hubKeys, mqttUrl: t.addresses.mqttUrl, httpUrl: t.addresses.httpUrl, dir: join(tmp.path, clusterId), logLevel: 'info' }),
      );
    spawn('rot-both', added.secret, added.hubKeys);
    spawn('rot-old', oldOnlySecret, [old]);
    const volumeOf = (id: string) => t.hub.devices.reportedState(id)?.volume;
    const setVolume = async (id: string, volume: number) => expect((await t.api('POST', `/api/v1/clusters/${id}/volume`, { volume })).status).toBe(200);
    await waitFor(() => t.hub.store.clusters.get('rot-both')?.online && t.hub.store.clusters.get('rot-old')?.online, {
      what: 'both boxes online',
      timeoutMs: 20_000,
    });
    await setVolume('rot-both', 41);
    await waitFor(() => volumeOf('rot-both') === 41, { what: 'the old key obeyed', timeoutMs: 10_000 });

    // Step 3: the hub switches to the new key at its next start.
    const ports = { mqtts: t.addresses.mqttsPort ?? 0, http: t.addresses.httpPort };
    await t.stop({ keepData: true });
    expect(loaHub(dataDir, '--switch-signing-key')).toContain(`signing key: ${next}`);
    t = await startTestHub({ dataDir, config: { mqtt: { tls: { port: ports.mqtts } }, http: { port: ports.http } } });
    expect(t.hub.hubKeys()).toEqual([next]);
    await waitFor(() => t.hub.store.clusters.get('rot-both')?.online && t.hub.store.clusters.get('rot-old')?.online, {
      what: 'both boxes back',
      timeoutMs: 20_000,
    });
    await setVolume('rot-both', 52);
    await waitFor(() => volumeOf('rot-both') === 52, { what: 'the new key obeyed', timeoutMs: 10_000 });
    const before = volumeOf('rot-old');
    await setVolume('rot-old', 63);
    const oldOnly = edges[1]!;
    const refused = await waitFor(() => oldOnly.logs().find((l) => l.msg === 'refused a command the hub did not sign'), {
      what: 'the left-behind box refusing',
      timeoutMs: 10_000,
    });
    expect(refused).toMatchObject({ reason: 'bad-signature' });
    expect(volumeOf('rot-old')).toBe(before);
    // The operator is told which box was left behind, by a critical alarm on it alone.
    const alarm = await waitFor(() => t.hub.store.alarms.open().find((a) => a.subjectId === 'rot-old' && a.kind === 'hub-key-refused'), {
      what: 'the alarm on the left-behind box',
      timeoutMs: 10_000,
    });
    expect(alarm).toMatchObject({ severity: 'critical', detailCode: 'cluster.hub-key-refused' });
    expect(
      t.hub.store.alarms
        .open()
        .filter((a) => a.kind === 'hub-key-refused')
        .map((a) => a.subjectId),
    ).toEqual(['rot-old']);
  }, 90_000);
});

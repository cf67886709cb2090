// External broker mode against a real Mosquitto 2: the files the hub writes (mosquitto_passwd's
// "$7$" format, the ACL read back), devices logging in with their secrets, being held to their own
// topics, being dropped when removed or rotated (Mosquitto re-checks clients on reload), the start
// errors, and `loa broker files`.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubConfigSchema } from '../hub/config.js';
import { Hub } from '../hub/hub.js';
import { createServer, connect as tcpConnect, type Socket } from 'node:net';
import { ExternalBroker, topicMatches } from '../hub/broker/external.js';
import { mosquittoHash, renderAclFile, verifyMosquittoHash } from '../hub/broker/mosquitto-files.js';
import { silentLogger } from '../common/logger.js';
import { clusterTopic, DEVICE_PUBLISH_CHANNELS, DEVICE_SUBSCRIBE_CHANNELS } from '../protocol/index.js';
import { runLoa } from './helpers/cli-run.js';
import { startTestHub, testHubConfig, waitFor, type TestHub } from './helpers/hub.js';
import { startMosquitto, type RunningMosquitto } from './helpers/mosquitto.js';
import { closed, connectDevice } from './helpers/mqtt.js';
import { makeTempDir } from './helpers/tmp.js';
import { requireTool } from './helpers/tools.js';

const haveMosquitto = requireTool('mosquitto') || requireTool('/usr/sbin/mosquitto');
const havePasswd = requireTool('mosquitto_passwd');
const tmp = makeTempDir('loa-brokerx-');
const clients: MqttClient[] = [];
const HUB_PASSWORD = 'hub-pw-for-tests';

afterAll(() => {
  for (const c of clients) c.end(true);
  tmp.remove();
});

/** user → hash, from a Mosquitto password file. */
function parsePasswords(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n').filter(Boolean)) {
    const i = line.indexOf(':');
    out.set(line.slice(0, i), line.slice(i + 1));
  }
  return out;
}

/** user → [access, topic][], from a Mosquitto ACL file. */
function parseAcl(text: string): Map<string, string[][]> {
  const out = new Map<string, string[][]>();
  let user = '';
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (!line || line.startsWith('#')) continue;
    const [kw, a, b] = line.split(/\s+/);
    if (kw === 'user') {
      user = a!;
      out.set(user, []);
    } else if (kw === 'topic') out.get(user)!.push([a!, b!]);
  }
  return out;
}

async function track(c: Promise<MqttClient>): Promise<MqttClient> {
  const client = await c;
  clients.push(client);
  return client;
}

describe.runIf(havePasswd)('the Mosquitto password format', () => {
  it('checks a line written by mosquitto_passwd, and mosquitto_passwd-style lines from the hub verify the same way', () => {
    const file = join(tmp.path, 'pw-check');
    const r = spawnSync('mosquitto_passwd', ['-c', '-b', file, 'ban-x', 's3cret'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const theirs = readFileSync(file, 'utf8').trim().split(':')[1]!;
    expect(theirs).toMatch(/^\$7\$\d+\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==$/);
    expect(verifyMosquittoHash('s3cret', theirs)).toBe(true);
    expect(verifyMosquittoHash('other', theirs)).toBe(false);
    const ours = mosquittoHash('s3cret');
    // Same shape: 12-byte salt, 64-byte SHA-512 key, mosquitto_passwd's 101 rounds.
    expect(ours.split('$').slice(0, 3)).toEqual(theirs.split('$').slice(0, 3));
    expect(ours.split('$')[3]).toHaveLength(16);
    expect(ours.split('$')[4]).toHaveLength(88);
    expect(verifyMosquittoHash('s3cret', ours)).toBe(true);
  });

  it('gives each cluster exactly its protocol topics in the ACL', () => {
    const acl = parseAcl(renderAclFile('loa-hub', ['ban-a']));
    expect(acl.get('loa-hub')).toEqual([['readwrite', 'loa/#']]);
    expect(acl.get('ban-a')).toEqual([
      ...DEVICE_PUBLISH_CHANNELS.map((ch) => ['write', clusterTopic('ban-a', ch)]),
      ...DEVICE_SUBSCRIBE_CHANNELS.map((ch) => ['read', clusterTopic('ban-a', ch)]),
    ]);
  });
});

describe('topic filters (for a broker that sends no subscription identifiers)', () => {
  it('match + one level and # the rest', () => {
    expect(topicMatches('loa/v1/clusters/+/ack', 'loa/v1/clusters/ban-a/ack')).toBe(true);
    expect(topicMatches('loa/v1/clusters/+/ack', 'loa/v1/clusters/ban-a/state')).toBe(false);
    expect(topicMatches('loa/v1/clusters/+/ack', 'loa/v1/clusters/ban-a/ack/x')).toBe(false);
    expect(topicMatches('loa/#', 'loa/v1/clusters/ban-a/ack')).toBe(true);
    expect(topicMatches('loa/v1/clusters/ban-a/cmd', 'loa/v1/clusters/ban-b/cmd')).toBe(false);
  });
});

describe('broker config', () => {
  it('external needs a url and a password source, and says so', () => {
    const r = hubConfigSchema.safeParse({ broker: { mode: 'external' } });
    expect(r.success).toBe(false);
    const messages = r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^broker\.url: .*needs broker\.url/),
        expect.stringMatching(/^broker\.password: .*needs broker\.password/),
      ]),
    );
    expect(hubConfigSchema.safeParse({ broker: { mode: 'external', url: 'http://x', password: 'p' } }).success).toBe(false);
    expect(hubConfigSchema.parse({}).broker).toMatchObject({ mode: 'embedded', username: 'loa-hub' });
  });
});

describe.runIf(haveMosquitto)('a hub on an external Mosquitto', () => {
  let m: RunningMosquitto;
  let t: TestHub;
  let a: { id: string; secret: string };
  let b: { id: string; secret: string };

  beforeAll(async () => {
    m = await startMosquitto({ hubUser: 'loa-hub', hubPassword: HUB_PASSWORD, maxPacketBytes: 65536 });
    t = await startTestHub({
      config: {
        broker: {
          mode: 'external',
          url: m.url,
          password: HUB_PASSWORD,
          mosquitto: { passwordFile: m.passwordFile, aclFile: m.aclFile, reload: { pidFile: m.pidFile } },
        },
      },
    });
    a = await t.addCluster('ban-a');
    b = await t.addCluster('ban-b');
  });

  afterAll(async () => {
    await t?.stop();
    await m?.stop();
  });

  it('writes both files, the password file private, and a cluster logs in with its secret', async () => {
    const pw = parsePasswords(readFileSync(m.passwordFile, 'utf8'));
    expect([...pw.keys()].sort()).toEqual(['ban-a', 'ban-b', 'loa-hub']);
    expect(verifyMosquittoHash(a.secret, pw.get('ban-a')!)).toBe(true);
    expect(verifyMosquittoHash(HUB_PASSWORD, pw.get('loa-hub')!)).toBe(true);
    expect(statSync(m.passwordFile).mode & 0o777).toBe(0o600);
    expect([...parseAcl(readFileSync(m.aclFile, 'utf8')).keys()]).toEqual(['loa-hub', 'ban-a', 'ban-b']);
    expect(t.addresses.mqttUrl).toBe(m.url);
    const c = await track(connectDevice(m.url, a.id, a.secret));
    expect(c.connected).toBe(true);
    c.end(true);
  });

  it('refuses a wrong secret and an unknown cluster (CONNACK 5)', async () => {
    await expect(connectDevice(m.url, a.id, 'wrong-secret')).rejects.toThrow(/Not authorized/i);
    await expect(connectDevice(m.url, 'ban-zz', a.secret)).rejects.toThrow(/Not authorized/i);
  });

  it("holds a cluster to its own topics: it gets its commands and not another's, and its writes elsewhere never reach the hub", async () => {
    const ca = await track(connectDevice(m.url, a.id, a.secret));
    const cb = await track(connectDevice(m.url, b.id, b.secret));
    const gotA: string[] = [];
    const gotB: string[] = [];
    ca.on('message', (topic) => gotA.push(topic));
    cb.on('message', (topic) => gotB.push(topic));
    await ca.subscribeAsync([clusterTopic(a.id, 'cmd'), clusterTopic(b.id, 'cmd'), 'loa/#'], { qos: 1 });
    await cb.subscribeAsync(clusterTopic(b.id, 'cmd'), { qos: 1 });
    const hubSaw: string[] = [];
    await t.hub.broker.subscribe(clusterTopic(b.id, 'ack'), (_topic, payload) => hubSaw.push(payload.toString()));
    await t.hub.broker.subscribe(clusterTopic(a.id, 'ack'), (_topic, payload) => hubSaw.push(payload.toString()));
    await t.hub.broker.publish(clusterTopic(b.id, 'cmd'), '{"for":"b"}', { qos: 1, retain: false });
    await t.hub.broker.publish(clusterTopic(a.id, 'cmd'), '{"for":"a"}', { qos: 1, retain: false });
    await ca.publishAsync(clusterTopic(b.id, 'ack'), '{"forged":true}', { qos: 1 });
    await ca.publishAsync(clusterTopic(a.id, 'ack'), '{"own":true}', { qos: 1 });
    await waitFor(() => gotA.length >= 1 && gotB.length >= 1 && hubSaw.length >= 1, { what: 'own messages delivered' });
    await new Promise((r) => setTimeout(r, 300));
    // (Its own retained plan may come too; nothing of the other cluster does.)
    expect(gotA).toContain(clusterTopic(a.id, 'cmd'));
    expect(gotA.filter((topic) => !topic.startsWith(`loa/v1/clusters/${a.id}/`))).toEqual([]);
    expect(gotB).toEqual([clusterTopic(b.id, 'cmd')]);
    expect(hubSaw).toEqual(['{"own":true}']);
    ca.end(true);
    cb.end(true);
  });

  it("forces the client id to the username, so one box cannot take over another's session", async () => {
    const cb = await track(connectDevice(m.url, b.id, b.secret));
    const ca = await track(connectDevice(m.url, a.id, a.secret, { clientId: b.id }));
    expect(ca.connected).toBe(true);
    expect(await closed(cb, 500)).toBe(false);
    ca.end(true);
    cb.end(true);
  });

  it('closes the connection of an oversize packet (max_packet_size)', async () => {
    const c = await track(connectDevice(m.url, a.id, a.secret));
    c.publish(clusterTopic(a.id, 'health'), Buffer.alloc(70_000, 'x'), { qos: 0 });
    expect(await closed(c)).toBe(true);
  });

  it('Mosquitto drops a live session on reload once its cluster is rotated or removed; the new secret gets in', async () => {
    const c = await track(connectDevice(m.url, a.id, a.secret));
    const r = await t.api<{ secret: string }>('POST', `/api/v1/clusters/${a.id}/rotate-secret`);
    expect(r.status).toBe(200);
    expect(await closed(c)).toBe(true);
    await expect(connectDevice(m.url, a.id, a.secret)).rejects.toThrow(/Not authorized/i);
    const fresh = await track(connectDevice(m.url, a.id, r.body.secret));
    expect(fresh.connected).toBe(true);
    a = { id: a.id, secret: r.body.secret };
    fresh.end(true);

    const extra = await t.addCluster('ban-gone');
    const g = await track(connectDevice(m.url, extra.id, extra.secret));
    expect((await t.api('DELETE', `/api/v1/clusters/${extra.id}`)).status).toBe(200);
    expect(await closed(g)).toBe(true);
    await expect(connectDevice(m.url, extra.id, extra.secret)).rejects.toThrow(/Not authorized/i);
    expect(m.log()).toMatch(/Reloading config/);
  });

  it('a cluster whose secret predates external mode is listed as needing rotate-secret, not written', async () => {
    t.hub.store.clusters.add({ id: 'ban-old', name: '', village: '', secretHash: 'scrypt$2$x$y', createdAt: Date.now() });
    const r = await t.api<{ clusters: number; needsRotation: string[]; reload: string }>('POST', '/api/v1/broker/files');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ clusters: 2, needsRotation: ['ban-old'], reload: 'signal' });
    expect(parsePasswords(readFileSync(m.passwordFile, 'utf8')).has('ban-old')).toBe(false);
    expect(parseAcl(readFileSync(m.aclFile, 'utf8')).has('ban-old')).toBe(false);
  });

  it('`loa broker files` rewrites the files and reports them (human, Vietnamese and --json)', async () => {
    writeFileSync(m.aclFile, '# clobbered\n');
    const env = { LOA_HUB: t.addresses.httpUrl, LOA_TOKEN: t.token };
    const human = await runLoa(['broker', 'files', '--lang', 'en'], { cwd: tmp.path, env });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/Mosquitto files written for 2 clusters/);
    expect(human.stdout).toContain(m.passwordFile);
    expect(human.stderr + human.stdout).toMatch(/ban-old/);
    expect([...parseAcl(readFileSync(m.aclFile, 'utf8')).keys()]).toEqual(['loa-hub', 'ban-a', 'ban-b']);
    const vi = await runLoa(['broker', 'files', '--lang', 'vi'], { cwd: tmp.path, env });
    expect(vi.stdout).toMatch(/Đã ghi tệp Mosquitto cho 2 cụm loa/);
    const json = await runLoa(['broker', 'files', '--json'], { cwd: tmp.path, env });
    expect(JSON.parse(json.stdout)).toMatchObject({ clusters: 2, needsRotation: ['ban-old'], passwordFile: m.passwordFile, aclFile: m.aclFile });
  });
});

describe.runIf(haveMosquitto)('a hub restart while Mosquitto stays up', () => {
  it('boxes stay connected and the new hub knows them online at once from their retained presence', async () => {
    const m = await startMosquitto({ hubUser: 'loa-hub', hubPassword: HUB_PASSWORD });
    const dir = makeTempDir('loa-brokerx-restart-');
    const config = {
      broker: {
        mode: 'external' as const,
        url: m.url,
        password: HUB_PASSWORD,
        mosquitto: { passwordFile: m.passwordFile, aclFile: m.aclFile, reload: { pidFile: m.pidFile } },
      },
    };
    let t = await startTestHub({ dataDir: dir.path, config });
    try {
      const c = await t.addCluster('ban-stay');
      // Clusters added at the same moment share rewrites, and every one of them lands in the files.
      const many = await Promise.all(['ban-p1', 'ban-p2', 'ban-p3'].map((id) => t.addCluster(id)));
      const pw = parsePasswords(readFileSync(m.passwordFile, 'utf8'));
      for (const x of many) expect(verifyMosquittoHash(x.secret, pw.get(x.id) ?? '')).toBe(true);
      const box = await track(connectDevice(m.url, c.id, c.secret));
      await box.publishAsync(clusterTopic(c.id, 'presence'), JSON.stringify({ v: 1, status: 'online', at: Date.now() }), { qos: 1, retain: true });
      await waitFor(() => t.hub.store.clusters.get(c.id)?.online, { what: 'online on the first hub' });
      await t.stop({ keepData: true });
      t = await startTestHub({ dataDir: dir.path, config });
      await waitFor(() => t.hub.store.clusters.get(c.id)?.online && t.hub.broker.isConnected(c.id), { what: 'online on the restarted hub', timeoutMs: 3000 });
      expect(box.connected).toBe(true);
      // Its retained last will still tells the hub when it goes.
      box.stream.destroy();
      await waitFor(() => !t.hub.store.clusters.get(c.id)?.online, { what: 'offline by the last will', timeoutMs: 5000 });
      expect(t.hub.store.clusters.presenceEvents(c.id, 1)[0]).toMatchObject({ online: false, reason: 'lost' });
    } finally {
      await t.stop();
      await m.stop();
      dir.remove();
    }
  });
});

describe.runIf(haveMosquitto)('Mosquitto restarting under a running hub', () => {
  it('the hub logs in again by itself and hears the boxes', async () => {
    const dir = makeTempDir('loa-brokerx-bounce-');
    let m = await startMosquitto({ hubUser: 'loa-hub', hubPassword: HUB_PASSWORD, dir: dir.path });
    const t = await startTestHub({
      config: {
        broker: {
          mode: 'external',
          url: m.url,
          password: HUB_PASSWORD,
          mosquitto: { passwordFile: m.passwordFile, aclFile: m.aclFile, reload: { pidFile: m.pidFile } },
        },
      },
    });
    try {
      const c = await t.addCluster('ban-bounce');
      await m.stop();
      m = await startMosquitto({ hubUser: 'loa-hub', hubPassword: HUB_PASSWORD, dir: dir.path, port: m.port });
      const box = await track(connectDevice(m.url, c.id, c.secret));
      const health = {
        v: 1,
        at: Date.now(),
        uptimeS: 1,
        cpuTempC: 42.5,
        load1: 0.1,
        memFreeMb: 300,
        memTotalMb: 900,
        diskFreeMb: 5000,
        player: 'idle',
        lastError: null,
        agent: 'test/1',
      };
      // Published until the reconnected hub has subscribed again and records one.
      await waitFor(
        async () => {
          await box.publishAsync(clusterTopic(c.id, 'health'), JSON.stringify({ ...health, at: Date.now() }), { qos: 1 });
          return t.hub.store.health.latest(c.id)?.cpuTempC === 42.5;
        },
        { what: 'health through the restarted broker', timeoutMs: 8000, intervalMs: 250 },
      );
    } finally {
      // The broker first: a hub stops promptly even while its broker is away.
      await m.stop();
      const stopping = Date.now();
      await t.stop();
      expect(Date.now() - stopping).toBeLessThan(3000);
      dir.remove();
    }
  });
});

describe.runIf(haveMosquitto)('start errors and embedded mode', () => {
  it('does not start half connected: a refused login fails start with LOA_BROKER_UNREACHABLE naming the URL', async () => {
    const m = await startMosquitto({ hubUser: 'loa-hub', hubPassword: HUB_PASSWORD });
    const dir = makeTempDir('loa-brokerx-hub-');
    try {
      const hub = new Hub({
        config: testHubConfig(dir.path, { broker: { mode: 'external', url: m.url, password: 'not-the-password' } }),
        logger: silentLogger(),
      });
      await expect(hub.start()).rejects.toMatchObject({ code: 'LOA_BROKER_UNREACHABLE', message: expect.stringContaining(m.url) });
      const none = new Hub({
        config: testHubConfig(dir.path, { broker: { mode: 'external', url: 'mqtt://127.0.0.1:1', password: HUB_PASSWORD } }),
        logger: silentLogger(),
      });
      await expect(none.start()).rejects.toMatchObject({ code: 'LOA_BROKER_UNREACHABLE', message: expect.stringContaining('mqtt://127.0.0.1:1') });
    } finally {
      await m.stop();
      dir.remove();
    }
  });

  it('a broker too busy to answer the first login (boxes storming it after a power cut) is tried again, not given up on', async () => {
    const m = await startMosquitto({ hubUser: 'loa-hub', hubPassword: HUB_PASSWORD });
    // In front of Mosquitto: the first two connections are taken and never answered, as a broker
    // drowning in 10,000 TLS handshakes does; later ones go through.
    let accepted = 0;
    const held: Socket[] = [];
    const front = createServer((s) => {
      if (++accepted <= 2) return void held.push(s);
      const back = tcpConnect(m.port, '127.0.0.1');
      s.pipe(back).pipe(s);
      s.on('error', () => back.destroy());
      back.on('error', () => s.destroy());
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', () => r()));
    const url = `mqtt://127.0.0.1:${(front.address() as { port: number }).port}`;
    const broker = new ExternalBroker({
      config: hubConfigSchema.parse({ broker: { mode: 'external', url, password: HUB_PASSWORD } }).broker,
      logger: silentLogger(),
      connectTimeoutMs: 300,
      busyRetryForMs: 20_000,
    });
    try {
      await broker.start();
      expect(accepted).toBeGreaterThanOrEqual(3);
      // A broker that never answers is still given up on, with the reason.
      accepted = -1_000_000;
      const silent = new ExternalBroker({
        config: hubConfigSchema.parse({ broker: { mode: 'external', url, password: HUB_PASSWORD } }).broker,
        logger: silentLogger(),
        connectTimeoutMs: 300,
        busyRetryForMs: 2_000,
      });
      await expect(silent.start()).rejects.toMatchObject({ code: 'LOA_BROKER_UNREACHABLE', message: expect.stringMatching(/connack timeout|no answer/) });
    } finally {
      await broker.stop();
      for (const s of held) s.destroy();
      front.close();
      await m.stop();
    }
  }, 30_000);

  it('an embedded hub answers `loa broker files` with LOA_BROKER_EMBEDDED', async () => {
    const t = await startTestHub({ config: { broker: { mode: 'embedded' } } });
    try {
      const r = await t.api<{ error: { code: string } }>('POST', '/api/v1/broker/files');
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('LOA_BROKER_EMBEDDED');
      const cli = await runLoa(['broker', 'files'], { cwd: tmp.path, env: { LOA_HUB: t.addresses.httpUrl, LOA_TOKEN: t.token } });
      expect(cli.code).toBe(1);
      expect(cli.stderr).toMatch(/LOA_BROKER_EMBEDDED/);
    } finally {
      await t.stop();
    }
  });
});

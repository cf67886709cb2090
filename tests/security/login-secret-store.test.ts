// Issue 14, items 5 and 6: a slow hash per login let guesses exhaust the CPU. Secrets are now
// stored as HMACs under the hub's key (cluster-secrets.key, made at first start, mode 0600); a
// store from before still holds scrypt hashes: those are checked a few at a time (the rest are told
// "server unavailable" and retry) and re-stored as HMAC at the box's next good login.
// Real hub restarted on its own data dir, real SQLite, real MQTT.js clients from 127.0.0.1.
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { scryptHash } from '../../hub/broker/secrets.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { capturingLogger } from '../helpers/hub-cameras.js';
import { externalBroker, startTestHub, waitFor, type TestHub } from '../helpers/hub.js';
import { connectDevice } from '../helpers/mqtt.js';
import { makeTempDir } from '../helpers/tmp.js';

const PRODUCTION_COST = 16384;
const tmp = makeTempDir('loa-secret-store-');
const clock = new FakeClock(Date.UTC(2026, 11, 7, 8, 0, 0));
const clients: MqttClient[] = [];
let t: TestHub | null = null;

afterAll(async () => {
  for (const c of clients) c.end(true);
  await t?.stop({ keepData: true });
  tmp.remove();
});

const lines: string[] = [];
const start = async (): Promise<TestHub> => (t = await startTestHub({ dataDir: tmp.path, clock, logger: capturingLogger(lines) }));
const db = (): Database.Database => new Database(join(tmp.path, 'loa.db'));
const row = (id: string): { secret_hash: string; mosquitto_hash: string | null } => {
  const d = db();
  try {
    return d.prepare('SELECT secret_hash, mosquitto_hash FROM clusters WHERE id = ?').get(id) as never;
  } finally {
    d.close();
  }
};

function attempt(id: string, secret: string): { answer: number | null } {
  const state = { answer: null as number | null };
  const c = mqtt.connect(t!.addresses.mqttUrl, {
    protocolVersion: 4,
    clientId: id,
    username: id,
    password: secret,
    reconnectPeriod: 0,
    connectTimeout: 60_000,
  });
  clients.push(c);
  c.on('connect', () => (state.answer = 0));
  c.on('error', (err) => (state.answer ??= Number((err as { code?: number }).code ?? -1)));
  return state;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

describe.skipIf(externalBroker)('stored cluster secrets', () => {
  let secret = '';
  let scryptMs = 0;

  it('are HMACs under a key the hub made at first start (mode 0600)', async () => {
    await start();
    secret = (await t!.addCluster('old-box')).secret;
    expect(row('old-box').secret_hash).toMatch(/^hmac\$[\w-]{8}\$[\w-]{43}$/);
    expect(statSync(join(tmp.path, 'cluster-secrets.key')).mode & 0o777).toBe(0o600);
    await t!.stop({ keepData: true });
    // What a hub before this change stored: scrypt at the production cost.
    // One check's CPU on this machine, several at once as the hub would run them.
    await scryptHash(secret, PRODUCTION_COST); // warm-up
    const c0 = cpuMs();
    const [legacy] = await Promise.all(Array.from({ length: 8 }, () => scryptHash(secret, PRODUCTION_COST)));
    scryptMs = (cpuMs() - c0) / 8;
    const d = db();
    d.prepare('UPDATE clusters SET secret_hash = ? WHERE id = ?').run(legacy!, 'old-box');
    d.close();
  });

  it('of the old kind cost a bounded amount of CPU however many guesses come at once', async () => {
    await start();
    const before = cpuMs();
    const guesses = Array.from({ length: 100 }, (_, i) => attempt('old-box', `guess-${i}`));
    await waitFor(
      async () => {
        await clock.advance(10_000);
        return guesses.every((g) => g.answer !== null);
      },
      { what: 'every guess answered', timeoutMs: 30_000 },
    );
    const spent = cpuMs() - before;
    const busy = guesses.filter((g) => g.answer === 3).length;
    // 100 checks would cost 100 scrypts; two run at once and 16 wait, the rest are told to retry.
    expect(busy).toBeGreaterThanOrEqual(50);
    expect(guesses.filter((g) => g.answer !== 3).every((g) => g.answer === 4)).toBe(true);
    expect(spent).toBeLessThan(35 * scryptMs); // measured: about 18; before, 45 to 60
  });

  it('of the old kind still let the box in, and are re-stored as HMAC then; the Mosquitto hash is kept', async () => {
    const mosquittoBefore = row('old-box').mosquitto_hash;
    clients.push(await connectDevice(t!.addresses.mqttUrl, 'old-box', secret));
    expect(row('old-box').secret_hash).toMatch(/^hmac\$/);
    expect(row('old-box').mosquitto_hash).toBe(mosquittoBefore);
    for (const c of clients.splice(0)) c.end(true);
  });

  it('keep working across a restart (the same key is read back)', async () => {
    await t!.stop({ keepData: true });
    await start();
    const c0 = cpuMs();
    clients.push(await connectDevice(t!.addresses.mqttUrl, 'old-box', secret));
    expect(cpuMs() - c0).toBeLessThan(Math.max(scryptMs, 200));
    const r = await fetch(`${t!.addresses.httpUrl}/api/v1/media/nothing/content`, {
      headers: { authorization: `Basic ${Buffer.from(`old-box:${secret}`).toString('base64')}` },
    });
    expect(r.status).toBe(404); // in, and there is no such media
  });

  it('under a replaced key let no box in, and the log says why', async () => {
    for (const c of clients.splice(0)) c.end(true);
    await t!.stop({ keepData: true });
    writeFileSync(join(tmp.path, 'cluster-secrets.key'), `${Buffer.alloc(32, 9).toString('base64url')}\n`);
    await start();
    const refused = attempt('old-box', secret);
    await waitFor(
      async () => {
        await clock.advance(10_000);
        return refused.answer !== null;
      },
      { what: 'the answer' },
    );
    expect(refused.answer).toBe(4);
    const why = lines.map((l) => JSON.parse(l) as { level: number; msg: string; clusterId?: string }).find((l) => /stored under another key/.test(l.msg));
    expect(why).toMatchObject({ level: 50, clusterId: 'old-box' });
    expect(why?.msg).toMatch(/cluster-secrets\.key was replaced; restore it from the backup, or rotate the secret/);
  });
});

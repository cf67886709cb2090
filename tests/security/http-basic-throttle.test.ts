// Issue 14, item 6: the HTTP Basic routes boxes fetch from (media content, live streams) had no
// throttle, and each wrong password cost a scrypt: 900 of them, 30 at a time, took both cores and
// held up a real fetch. Now they pass through the broker's gate: a wrong password is answered
// late and costs an HMAC, a right one is answered at once, and failures count across MQTT and
// HTTP. The hub's clock is a fake that never moves by itself. Real hub, real HTTP, real MQTT.js.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scryptHash } from '../../hub/broker/secrets.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { capturingLogger } from '../helpers/hub-cameras.js';
import { externalBroker, startTestHub, waitFor, type TestHub } from '../helpers/hub.js';
import { connectDevice } from '../helpers/mqtt.js';

const clock = new FakeClock(Date.UTC(2026, 11, 7, 8, 0, 0));
const lines: string[] = [];
let t: TestHub;

beforeAll(async () => {
  // Production settings: scrypt cost 16384 (as stores were made before) and 0.5 s to 10 s delays.
  const auth = { scryptCost: 16384, failureDelayMs: 500, failureDelayMaxMs: 10_000 };
  t = await startTestHub({ clock, logger: capturingLogger(lines), config: { mqtt: { auth } } as never });
});

afterAll(async () => {
  await t?.stop(); // a second stop does nothing
});

const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const cpuMs = (): number => (process.cpuUsage().user + process.cpuUsage().system) / 1000;

function fetchAs(path: string, auth: string): { status: number | null; done: Promise<void> } {
  const r = { status: null as number | null, done: Promise.resolve() };
  r.done = fetch(`${t.addresses.httpUrl}${path}`, { headers: { authorization: auth } }).then(async (res) => {
    await res.arrayBuffer();
    r.status = res.status;
  });
  return r;
}

const refusalsLogged = (via: string, n: number) => (): boolean =>
  lines.some((l) => {
    const o = JSON.parse(l) as { msg?: string; failures?: number; via?: string };
    return /login refused/.test(o.msg ?? '') && o.via === via && (o.failures ?? 0) >= n;
  });

describe.skipIf(externalBroker)('HTTP Basic logins of boxes (media, live)', () => {
  it('answer wrong passwords late and cheaply, and a right one at once', async () => {
    const box = await t.addCluster('media-box');
    await scryptHash('warm-up', 16384);
    const c0 = cpuMs();
    await Promise.all(Array.from({ length: 4 }, () => scryptHash('calibrate', 16384)));
    const scryptMs = (cpuMs() - c0) / 4;

    const before = cpuMs();
    const wrong = Array.from({ length: 60 }, (_, i) => fetchAs(i % 2 ? '/api/v1/media/m-1/content' : '/api/v1/live/s-1', basic('media-box', `guess-${i}`)));
    await waitFor(refusalsLogged('http', 32), { what: 'the guesses counted', timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 200));
    expect(wrong.filter((w) => w.status !== null)).toHaveLength(0); // held back…
    const start = Date.now();
    const right = await fetch(`${t.addresses.httpUrl}/api/v1/media/none/content`, { headers: { authorization: basic('media-box', box.secret) } });
    expect(right.status).toBe(404); // …while the right box is let in at once (and told there is no such media)
    expect(Date.now() - start).toBeLessThan(2000);
    await waitFor(
      async () => {
        await clock.advance(10_000);
        return wrong.every((w) => w.status === 401);
      },
      { what: 'the 401s', timeoutMs: 30_000 },
    );
    // 60 scrypts before (about 60 × scryptMs); now 60 HMACs and the HTTP work around them.
    expect(cpuMs() - before).toBeLessThan(10 * scryptMs); // measured: under 2
  });

  it('count failures across MQTT and HTTP: one limiter for both', async () => {
    // A hub of its own, so that this address has no failures yet.
    await t.stop();
    lines.length = 0;
    t = await startTestHub({ clock, logger: capturingLogger(lines) });
    await t.addCluster('both-ways');
    const mqttTry = connectDevice(t.addresses.mqttUrl, 'both-ways', 'wrong', { connectTimeout: 60_000 }).then(
      () => 'in',
      (e: { code?: number }) => e.code,
    );
    await waitFor(refusalsLogged('mqtt', 1), { what: 'the MQTT refusal counted' });
    const late = fetchAs('/api/v1/media/m-1/content', basic('both-ways', 'wrong'));
    await waitFor(refusalsLogged('http', 2), { what: 'the HTTP refusal counted as the second' });
    await waitFor(
      async () => {
        await clock.advance(10_000);
        return late.status === 401;
      },
      { what: 'the 401' },
    );
    expect(await mqttTry).toBe(4);
  });

  it('do not hold up the hub when it stops: held refusals are answered at once', async () => {
    await t.addCluster('at-stop');
    const held = fetchAs('/api/v1/media/m-1/content', basic('at-stop', 'wrong'));
    const mqttTry = connectDevice(t.addresses.mqttUrl, 'at-stop', 'wrong', { connectTimeout: 60_000 }).catch((e: { code?: number }) => e.code);
    await waitFor(() => lines.filter((l) => /"clusterId":"at-stop"/.test(l)).length >= 1, { what: 'a refusal counted' });
    await new Promise((r) => setTimeout(r, 300));
    expect(held.status).toBeNull(); // the clock stands still: it is held
    const start = Date.now();
    await t.stop();
    expect(Date.now() - start).toBeLessThan(3000);
    await held.done.catch(() => undefined);
    expect(held.status).toBe(401);
    expect(await mqttTry).toBe(4);
  });
});

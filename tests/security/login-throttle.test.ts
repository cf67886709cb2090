// Issue 14, item 5: login throttling punished the innocent. The delay was keyed on the address and
// the id and came before the check, so a box with the right secret behind the same NAT as a box
// retrying an old one could not reconnect, and 200 wrong guesses on one id held that box's right
// login for 43 s. Now a right secret passes at once and only refusals are answered late. The
// hub's clock is a fake one that never moves by itself: a login that waited on it would hang.
// Real hub, real MQTT.js clients, all from 127.0.0.1 (one address, as behind one NAT).
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../helpers/fake-clock.js';
import { capturingLogger } from '../helpers/hub-cameras.js';
import { externalBroker, startTestHub, waitFor, type TestHub } from '../helpers/hub.js';
import { connectDevice } from '../helpers/mqtt.js';

const clock = new FakeClock(Date.UTC(2026, 11, 7, 8, 0, 0));
const lines: string[] = [];
let t: TestHub;
const clients: MqttClient[] = [];

beforeAll(async () => {
  // The production delays (0.5 s doubling to 10 s), not the tests' short ones.
  t = await startTestHub({ clock, logger: capturingLogger(lines), config: { mqtt: { auth: { failureDelayMs: 500, failureDelayMaxMs: 10_000 } } } as never });
});

afterAll(async () => {
  for (const c of clients) c.end(true);
  await t?.stop();
});

/** A box trying a secret; `answer` is the CONNACK code once one comes (0 = in). */
function attempt(id: string, secret: string): { answer: number | null; sent: boolean } {
  const state = { answer: null as number | null, sent: false };
  const c = mqtt.connect(t.addresses.mqttUrl, { protocolVersion: 4, clientId: id, username: id, password: secret, reconnectPeriod: 0, connectTimeout: 60_000 });
  clients.push(c);
  c.on('connect', () => (state.answer = 0));
  // Its TLS handshake is done (its CONNECT, buffered until then, goes out): what the throttle sees.
  c.stream.once('secureConnect', () => (state.sent = true));
  c.on('error', (err) => (state.answer ??= Number((err as { code?: number }).code ?? -1)));
  return state;
}

/** The hub has counted at least n failures in a run (it logs the 1st, 2nd, 4th, 8th …). */
const refusalsLogged = (n: number) => (): boolean =>
  lines.some((l) => {
    const o = JSON.parse(l) as { msg?: string; failures?: number };
    return /login refused/.test(o.msg ?? '') && (o.failures ?? 0) >= n;
  });

/** Waits until the hub has counted n failures, moving its clock on if it holds attempts back. */
async function counted(n: number): Promise<void> {
  await waitFor(
    async () => {
      if (refusalsLogged(n)()) return true;
      await clock.advance(10_000);
      return false;
    },
    { what: `${n} refusals counted`, timeoutMs: 20_000 },
  );
}

/** A wrong attempt is not answered while the clock stands still, and is once it moves on. */
async function answeredLate(id: string): Promise<void> {
  const late = attempt(id, 'wrong-again');
  await new Promise((r) => setTimeout(r, 300));
  expect(late.answer).toBeNull();
  await waitFor(
    async () => {
      await clock.advance(10_000);
      return late.answer === 4;
    },
    { what: 'the held refusal' },
  );
}

async function rightLoginMs(id: string, secret: string): Promise<number> {
  const start = Date.now();
  const c = await connectDevice(t.addresses.mqttUrl, id, secret, { connectTimeout: 4000 });
  clients.push(c);
  return Date.now() - start;
}

describe.skipIf(externalBroker)('cluster logins and failures', () => {
  it('a box with the right secret behind the same address as a failing box gets in at once', async () => {
    const a = await t.addCluster('nat-a');
    const b = await t.addCluster('nat-b');
    // nat-a's secret is rotated; the box still has the old one and keeps trying it.
    const rotated = await t.api<{ secret: string }>('POST', '/api/v1/clusters/nat-a/rotate-secret');
    expect(rotated.status).toBe(200);
    const old = Array.from({ length: 8 }, () => attempt('nat-a', a.secret));
    await counted(8);
    // The clock stands still: a right login that had to wait for it would never come.
    expect(await rightLoginMs('nat-b', b.secret)).toBeLessThan(2000);
    expect(await rightLoginMs('nat-a', rotated.body.secret)).toBeLessThan(2000);
    await waitFor(
      async () => {
        await clock.advance(10_000);
        return old.every((s) => s.answer === 4);
      },
      { what: 'the old-secret refusals' },
    );
    await answeredLate('nat-a');
  });

  it('200 wrong attempts on one id do not delay its right login, and are each answered late', async () => {
    const c = await t.addCluster('guessed');
    const wrong = Array.from({ length: 200 }, (_, i) => attempt('guessed', `guess-${i}`));
    await counted(128);
    // 200 TLS handshakes in this one process (both ends) take a while on a loaded machine; the
    // right login is timed once they are through, so it measures the hub's throttle alone.
    await waitFor(() => wrong.every((s) => s.sent), { what: 'every wrong attempt through its TLS handshake', timeoutMs: 20_000 });
    expect(await rightLoginMs('guessed', c.secret)).toBeLessThan(2000);
    await waitFor(
      async () => {
        await clock.advance(10_000);
        return wrong.every((s) => s.answer === 4);
      },
      { what: 'the refusals', timeoutMs: 30_000 },
    );
    await answeredLate('guessed');
    // The log says how many, not one line per guess.
    const logged = lines.filter((l) => /"clusterId":"guessed"/.test(l) && /login refused/.test(l));
    expect(logged.length).toBeLessThanOrEqual(9);
  });
});

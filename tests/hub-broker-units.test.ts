// Units of the broker's defences: login throttling with an injected clock, the MQTT frame
// limiter, and the secret hashing.
import { describe, expect, it } from 'vitest';
import type { Clock } from '../common/clock.js';
import { MqttFrameLimiter } from '../hub/broker/frame-limit.js';
import { LoginThrottle } from '../hub/broker/login-throttle.js';
import { generateSecret, hashSecret, SecretVerifier, verifySecret } from '../hub/broker/secrets.js';

function manualClock(start = 0): Clock & { advance(ms: number): void } {
  let now = start;
  return { now: () => now, setTimeout: () => ({ cancel() {} }), advance: (ms) => (now += ms) };
}

describe('LoginThrottle', () => {
  it('doubles the wait after each failure up to the cap, per key, and forgets after a while', () => {
    const clock = manualClock();
    const th = new LoginThrottle(clock, { baseDelayMs: 100, maxDelayMs: 1000, forgetAfterMs: 60_000 });
    const keys = ['ip:10.0.0.1', 'id:ban-a'];
    expect(th.delayFor(keys)).toBe(0);
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) {
      th.fail(keys);
      seen.push(th.delayFor(keys));
    }
    expect(seen).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(th.delayFor(['ip:10.0.0.2'])).toBe(0);
    expect(th.delayFor(['ip:10.0.0.1'])).toBe(1000); // the address alone is still slowed
    th.succeed(['id:ban-a']);
    expect(th.delayFor(['id:ban-a'])).toBe(0);
    clock.advance(61_000);
    expect(th.delayFor(keys)).toBe(0);
  });

  it('stays bounded under a flood of random ids', () => {
    const th = new LoginThrottle(manualClock(), { baseDelayMs: 1, maxDelayMs: 10, maxEntries: 100 });
    for (let i = 0; i < 1000; i++) th.fail([`id:x${i}`]);
    expect(th.delayFor(['id:x0'])).toBe(0);
    expect(th.delayFor(['id:x999'])).toBe(1);
  });
});

async function frames(limit: number, chunks: Buffer[]): Promise<{ passed: number; oversize: number | null; error: string | null }> {
  const lim = new MqttFrameLimiter(limit, (n) => (result.oversize = n));
  const result = { passed: 0, oversize: null as number | null, error: null as string | null };
  lim.on('data', (c: Buffer) => (result.passed += c.length));
  lim.on('error', (e) => (result.error = e.message));
  for (const c of chunks) lim.write(c);
  await new Promise((r) => setImmediate(r));
  return result;
}

describe('MqttFrameLimiter', () => {
  // PUBLISH packets: type byte 0x30, remaining length as base-128 varint, then the body.
  const packet = (bodyLen: number): Buffer => {
    const len: number[] = [];
    let n = bodyLen;
    do {
      let b = n % 128;
      n = Math.floor(n / 128);
      if (n > 0) b |= 0x80;
      len.push(b);
    } while (n > 0);
    return Buffer.concat([Buffer.from([0x30, ...len]), Buffer.alloc(bodyLen, 1)]);
  };

  it('passes packets under the limit, also split across chunks and back to back', async () => {
    const p = Buffer.concat([packet(10), packet(300), packet(0), packet(1000)]);
    const r = await frames(2000, [p.subarray(0, 3), p.subarray(3, 200), p.subarray(200)]);
    expect(r).toEqual({ passed: p.length, oversize: null, error: null });
  });

  it('stops at the header of an oversize packet, before its body arrives', async () => {
    const r = await frames(2000, [packet(10), packet(5000).subarray(0, 3)]);
    expect(r.oversize).toBe(5003);
    expect(r.error).toMatch(/exceeds the limit of 2000/);
    expect(r.passed).toBe(12);
  });
});

describe('cluster secrets', () => {
  it('hashes with a salt and verifies only the right secret', async () => {
    const s = generateSecret();
    const h1 = await hashSecret(s, 1024);
    const h2 = await hashSecret(s, 1024);
    expect(h1).not.toBe(h2);
    expect(h1).not.toContain(s);
    expect(await verifySecret(s, h1)).toBe(true);
    expect(await verifySecret(`${s}x`, h1)).toBe(false);
    expect(await verifySecret(s, 'garbage')).toBe(false);
  });

  it('caches successes but not across a rotated secret', async () => {
    let stored = await hashSecret('one', 1024);
    const v = new SecretVerifier(() => stored);
    expect(await v.verify('ban-a', 'one')).toBe(true);
    expect(await v.verify('ban-a', 'one')).toBe(true);
    expect(await v.verify('ban-a', 'two')).toBe(false);
    stored = await hashSecret('two', 1024);
    expect(await v.verify('ban-a', 'one')).toBe(false);
    expect(await v.verify('ban-a', 'two')).toBe(true);
  });
});

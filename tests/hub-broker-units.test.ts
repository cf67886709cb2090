// Units of the broker's defences: login throttling with an injected clock, the MQTT frame
// limiter, and the secret hashing.
import { describe, expect, it } from 'vitest';
import type { Clock } from '../common/clock.js';
import { MqttFrameLimiter } from '../hub/broker/frame-limit.js';
import { LoginThrottle } from '../hub/broker/login-throttle.js';
import { silentLogger } from '../common/logger.js';
import { generateSecret, scryptHash, SecretVerifier } from '../hub/broker/secrets.js';

function manualClock(start = 0): Clock & { advance(ms: number): void } {
  let now = start;
  return { now: () => now, setTimeout: () => ({ cancel() {} }), advance: (ms) => (now += ms) };
}

describe('LoginThrottle', () => {
  it('holds each refusal twice as long as the last, up to the cap, per key, and forgets after a while', () => {
    const clock = manualClock();
    const th = new LoginThrottle(clock, { baseDelayMs: 100, maxDelayMs: 1000, forgetAfterMs: 60_000 });
    const keys = ['ip:10.0.0.1', 'id:ban-a'];
    const seen = Array.from({ length: 6 }, () => th.fail(keys).delayMs);
    expect(seen).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(th.fail(['ip:10.0.0.2']).delayMs).toBe(100);
    th.succeed(['id:ban-a']);
    expect(th.fail(['id:ban-a']).failures).toBe(1);
    expect(th.fail(['ip:10.0.0.1']).failures).toBe(7); // the address keeps its own count
    clock.advance(61_000);
    expect(th.fail(keys)).toEqual({ failures: 1, delayMs: 100 });
  });

  it('stays bounded under a flood of random ids', () => {
    const th = new LoginThrottle(manualClock(), { baseDelayMs: 1, maxDelayMs: 10, maxEntries: 100 });
    for (let i = 0; i < 1000; i++) th.fail([`id:x${i}`]);
    expect(th.fail(['id:x0']).failures).toBe(1); // forgotten to make room
    expect(th.fail(['id:x999']).failures).toBe(2);
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
  const key = (b: number) => ({ key: Buffer.alloc(32, b), id: `key${b}` });
  function verifier(rows: Map<string, string>, k = key(1)): SecretVerifier {
    return new SecretVerifier({
      key: k,
      lookup: (id) => rows.get(id),
      restore: (id, from, to) => rows.get(id) === from && rows.set(id, to),
      logger: silentLogger(),
    });
  }

  it('are stored as an HMAC bound to the cluster id, and only the right secret passes', async () => {
    const s = generateSecret();
    const rows = new Map<string, string>();
    const v = verifier(rows);
    rows.set('ban-a', v.hash('ban-a', s));
    expect(rows.get('ban-a')).not.toContain(s);
    expect(await v.verify('ban-a', s)).toBe('ok');
    expect(await v.verify('ban-a', `${s}x`)).toBe('wrong');
    rows.set('ban-b', rows.get('ban-a')!); // a hash copied to another row
    expect(await v.verify('ban-b', s)).toBe('wrong');
    rows.set('ban-c', 'garbage');
    expect(await v.verify('ban-c', s)).toBe('wrong');
    expect(await v.verify('nobody', s)).toBe('wrong');
    // Under another key (cluster-secrets.key replaced), nothing stored passes.
    expect(await verifier(rows, key(2)).verify('ban-a', s)).toBe('wrong');
  });

  it('of the old scrypt kind pass once and are re-stored as HMAC; a rotation meanwhile wins', async () => {
    const rows = new Map([['ban-a', await scryptHash('one', 1024)]]);
    const v = verifier(rows);
    expect(await v.verify('ban-a', 'two')).toBe('wrong');
    expect(rows.get('ban-a')).toMatch(/^scrypt\$/);
    expect(await v.verify('ban-a', 'one')).toBe('ok');
    expect(rows.get('ban-a')).toBe(v.hash('ban-a', 'one'));
    rows.set('ban-b', 'scrypt$99999999$c2FsdA$aGFzaA'); // a damaged cost is not worked through
    expect(await v.verify('ban-b', 'x')).toBe('wrong');
  });
});

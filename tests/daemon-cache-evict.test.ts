// The edge media cache on disk: bit rot caught before a play, least recently used eviction under
// the cap that never touches pinned (plan) media, planMissingBytes when the plan does not fit,
// sequential prefetch, and what a reopened cache (after a restart) knows.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseEdgeConfig } from '../daemon/config.js';
import type { MediaRef } from '../protocol/index.js';
import { makeOpusMedia } from './helpers/daemon-fixtures.js';
import { startCacheServer, type CacheServer } from './helpers/daemon-cache-server.js';
import { CREDENTIALS, HandClock, openCache } from './helpers/daemon-cache-fixtures.js';
import { makeTempDir } from './helpers/tmp.js';
import { TEST_HUB_KEY } from './helpers/signing.js';

const HOUR = 3_600_000;
const tmp = makeTempDir('loa-daemon-cache-evict-');
let server: CacheServer;
let A: MediaRef, B: MediaRef, C: MediaRef, D: MediaRef;
let n = 0;
const dataDir = () => join(tmp.path, `box-${++n}`);
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Flips one byte in place and puts the times back: bit rot, which no metadata shows. */
function rot(path: string): void {
  const st = statSync(path);
  const body = readFileSync(path);
  body[body.length >> 1] ^= 0x01;
  writeFileSync(path, body);
  utimesSync(path, st.atime, st.mtime);
}

beforeAll(async () => {
  server = await startCacheServer(CREDENTIALS);
  [A, B, C, D] = [440, 523, 659, 784].map((hz) => {
    const m = makeOpusMedia(tmp.path, 4, hz);
    server.routes.set(m.ref.url, m.body);
    return m.ref;
  }) as [MediaRef, MediaRef, MediaRef, MediaRef];
});
afterAll(async () => {
  await server.close();
  tmp.remove();
});
beforeEach(() => {
  server.requests.length = 0;
});

describe('media cache contents', () => {
  it('detects a corrupted cached file before playing it and fetches it again', async () => {
    const { cache, messages } = openCache(server, dataDir());
    const path = await cache.ensure(A);
    rot(path);
    expect(await cache.ensure(A)).toBe(path);
    expect(server.requests.map((r) => r.status)).toEqual([200, 200]);
    expect(sha(path)).toBe(A.id);
    expect(messages('cached media is corrupt; deleting it and fetching it again')).toHaveLength(1);
    // A good file is checked and played without asking the hub.
    await cache.ensure(A);
    expect(server.requests).toHaveLength(2);
  });

  it('above the always-verify size, hashes a cached file again only when it changed on disk', async () => {
    const { cache, messages } = openCache(server, dataDir(), { verifyAlwaysBelowBytes: 0 });
    const path = await cache.ensure(A);
    await cache.ensure(A);
    expect(messages('cached media verified')).toHaveLength(0);
    // Whole seconds, so that rot() can put the very same mtime back.
    const second = Math.floor(Date.now() / 1000);
    utimesSync(path, second, second);
    await cache.ensure(A);
    await cache.ensure(A);
    expect(messages('cached media verified')).toHaveLength(1);
    rot(path); // same size and mtime: the cost of not hashing big files every time
    await cache.ensure(A);
    expect(server.requests).toHaveLength(1);
    writeFileSync(path, Buffer.alloc(A.bytes)); // rewritten: a new mtime
    await cache.ensure(A);
    expect(server.requests).toHaveLength(2);
    expect(sha(path)).toBe(A.id);
  });

  it('evicts the least recently used media to stay under the cap, never media the plan pins', async () => {
    const clock = new HandClock(Date.now());
    const cap = A.bytes + B.bytes + Math.max(C.bytes, D.bytes) + 100; // three files, not four
    const dir = dataDir();
    const { cache, messages } = openCache(server, dir, { maxBytes: cap, clock });
    for (const m of [A, B, C]) {
      clock.t += HOUR;
      await cache.prefetch([m]);
    }
    clock.t += HOUR;
    await cache.ensure(A); // played: now the most recently used; B is the least
    clock.t += HOUR; // the play's hold is long over
    cache.setPinned([B.id]);
    await cache.prefetch([D]);
    expect(messages('evicted from the media cache').map((l) => l.mediaId)).toEqual([C.id]);
    expect([A, B, C, D].map((m) => existsSync(cache.pathFor(m.id)))).toEqual([true, true, false, true]);
    expect(cache.state()).toMatchObject({ files: 3, usedBytes: A.bytes + B.bytes + D.bytes, capacityBytes: cap, planMissingBytes: 0 });
    expect(cache.state().usedBytes).toBeLessThanOrEqual(cap);
    // The play's last use went to the file's mtime (more than an hour after the fetch).
    expect(statSync(cache.pathFor(A.id)).mtimeMs).toBeCloseTo(clock.t - HOUR, -1);

    // After a restart the cache knows its files from the folder alone.
    const again = openCache(server, dir, { maxBytes: cap, clock });
    expect(again.cache.state()).toEqual(cache.state());
  });

  it('reports planMissingBytes when the pinned media do not fit, and fetches them once the plan moves on', async () => {
    const clock = new HandClock(Date.now());
    const cap = Math.max(A.bytes, C.bytes) + B.bytes + 100; // two files, not three
    const { cache, messages } = openCache(server, dataDir(), { maxBytes: cap, clock });
    cache.setPinned([A, B, C]);
    expect(cache.state().planMissingBytes).toBe(A.bytes + B.bytes + C.bytes);
    expect(cache.planOverCapBytes).toBe(A.bytes + B.bytes + C.bytes - cap);

    const first = await cache.prefetch([A, B, C]);
    expect(first).toMatchObject({ fetched: 2, cached: 0, superseded: false });
    expect(first.failed.map((f) => f.mediaId)).toEqual([C.id]);
    expect(first.failed[0]?.reason).toMatch(/do not fit in the cache/);
    expect(cache.state()).toMatchObject({ files: 2, usedBytes: A.bytes + B.bytes, planMissingBytes: C.bytes });
    expect(messages('prefetch: fetching').map((l) => [l.n, l.of])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);

    clock.t += HOUR; // A has been played: the new plan no longer needs it
    cache.setPinned([B, C]);
    const second = await cache.prefetch([B, C]);
    expect(second).toMatchObject({ fetched: 1, cached: 1, failed: [] });
    expect(existsSync(cache.pathFor(A.id))).toBe(false);
    expect(cache.state()).toMatchObject({ files: 2, planMissingBytes: 0 });
    expect(cache.planOverCapBytes).toBe(0);
    // One download at a time, whatever the plan holds.
    expect(server.maxConcurrent).toBe(1);
  });

  it('a newer prefetch (a new plan) supersedes a running one after its current file, never beside it', async () => {
    const { cache, messages } = openCache(server, dataDir());
    const old = cache.prefetch([A, B, C]);
    await vi.waitFor(() => expect(messages('prefetch: fetching')).toHaveLength(1), { interval: 2 });
    const fresh = cache.prefetch([D, A]);
    expect(await old).toMatchObject({ fetched: 1, superseded: true });
    expect(await fresh).toMatchObject({ fetched: 1, cached: 1, superseded: false });
    expect(server.requests.map((r) => r.path)).toEqual([A.url, D.url]);
    expect(server.maxConcurrent).toBe(1);
  });

  it('lets a play go over the cap, and comes back under it when the plan lets go', async () => {
    const clock = new HandClock(Date.now());
    const cap = Math.max(A.bytes + B.bytes, B.bytes + C.bytes) + 100;
    const { cache } = openCache(server, dataDir(), { maxBytes: cap, clock });
    cache.setPinned([A, B]);
    await cache.prefetch([A, B]);
    const path = await cache.ensure(C); // a live play the plan did not foresee
    expect(sha(path)).toBe(C.id);
    expect(cache.state().usedBytes).toBeGreaterThan(cap);
    cache.setPinned([B]);
    await new Promise((r) => setTimeout(r, 50));
    // A goes (no longer pinned); C stays while its play may still need it.
    expect([A, B, C].map((m) => existsSync(cache.pathFor(m.id)))).toEqual([false, true, true]);
    expect(cache.state().usedBytes).toBeLessThanOrEqual(cap);
  });

  it('takes its cap from cache.maxBytes in the edge config: 2 GiB by default, sizes with units', () => {
    const base = { clusterId: 'ban-hon', secret: 's', hubKeys: [TEST_HUB_KEY], hub: { caFile: 'hub-ca.pem' } };
    expect(parseEdgeConfig(base).cache.maxBytes).toBe(2 * 1024 ** 3);
    expect(parseEdgeConfig({ ...base, cache: { maxBytes: '500MB' } }).cache.maxBytes).toBe(500_000_000);
    expect(parseEdgeConfig({ ...base, cache: { maxBytes: '1.5GiB' } }).cache.maxBytes).toBe(1.5 * 1024 ** 3);
    expect(parseEdgeConfig({ ...base, cache: { maxBytes: 3_000_000 } }).cache.maxBytes).toBe(3_000_000);
    expect(() => parseEdgeConfig({ ...base, cache: { maxBytes: 'lots' } })).toThrow(/cache\.maxBytes: must be a number of bytes, or a size like 500MB or 2GiB/);
    expect(() => parseEdgeConfig({ ...base, cache: { maxBytes: 1000 } })).toThrow(/cache\.maxBytes: must be at least 1 MiB/);
    expect(() => parseEdgeConfig({ ...base, cache: { maxbytes: 5 } })).toThrow(/cache/);
  });
});

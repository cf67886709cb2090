// Media downloads into the edge cache over a real HTTP server: resumed with Range after a cut or a
// stall (also across a restart), a server that ignores Range, a wrong file fetched once more then refused as
// media-corrupt, and retries that give up by the deadline.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MediaError } from '../daemon/cache/media-cache.js';
import type { MediaRef } from '../protocol/index.js';
import { makeOpusMedia } from './helpers/daemon-fixtures.js';
import { startCacheServer, type CacheServer } from './helpers/daemon-cache-server.js';
import { CREDENTIALS, openCache } from './helpers/daemon-cache-fixtures.js';
import { makeTempDir } from './helpers/tmp.js';

const tmp = makeTempDir('loa-daemon-cache-fetch-');
let server: CacheServer;
let media: { body: Buffer; ref: MediaRef };
let n = 0;
const dataDir = () => join(tmp.path, `box-${++n}`);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  server = await startCacheServer(CREDENTIALS);
  media = makeOpusMedia(tmp.path, 12, 523);
  server.routes.set(media.ref.url, media.body);
});
afterAll(async () => {
  await server.close();
  tmp.remove();
});
beforeEach(() => {
  server.requests.length = 0;
  Object.assign(server.behaviour, { cutAfterBytes: 0, cuts: 0, hangAfterBytes: 0, ignoreRange: false, corrupt: 0, failures: 0 });
});

describe('media cache downloads', () => {
  it('resumes a download cut halfway with Range: bytes=N- and ends with the right file', async () => {
    const half = Math.floor(media.body.length / 2);
    Object.assign(server.behaviour, { cutAfterBytes: half, cuts: 1 });
    const { cache, messages } = openCache(server, dataDir());
    const path = await cache.ensure(media.ref);
    expect(server.requests.map((r) => [r.range, r.status])).toEqual([
      [undefined, 200],
      [`bytes=${half}-`, 206],
    ]);
    expect(sha(readFileSync(path))).toBe(media.ref.id);
    expect(existsSync(`${path}.part`)).toBe(false);
    expect(messages('media download interrupted; will resume')).toHaveLength(1);
    expect(messages('resuming media download')[0]).toMatchObject({ from: half });
    expect(cache.state()).toMatchObject({ files: 1, usedBytes: media.ref.bytes });
  });

  it('cuts a download that stalls and resumes it where it stopped', async () => {
    const quarter = Math.floor(media.body.length / 4);
    server.behaviour.hangAfterBytes = quarter;
    const { cache, messages } = openCache(server, dataDir(), { stallMs: 300 });
    const path = await cache.ensure(media.ref);
    expect(server.requests.map((r) => [r.range, r.status])).toEqual([
      [undefined, 200],
      [`bytes=${quarter}-`, 206],
    ]);
    expect(messages('media download interrupted; will resume')[0]?.err).toBe('no data for 300 ms');
    expect(sha(readFileSync(path))).toBe(media.ref.id);
  });

  it('resumes a part left by a previous run (power cut) with one Range request', async () => {
    const dir = dataDir();
    mkdirSync(join(dir, 'media'), { recursive: true });
    const third = Math.floor(media.body.length / 3);
    writeFileSync(join(dir, 'media', `${media.ref.id}.part`), media.body.subarray(0, third));
    const { cache } = openCache(server, dir);
    expect(cache.state()).toMatchObject({ files: 0, usedBytes: third });
    const path = await cache.ensure(media.ref);
    expect(server.requests.map((r) => [r.range, r.status])).toEqual([[`bytes=${third}-`, 206]]);
    expect(sha(readFileSync(path))).toBe(media.ref.id);
  });

  it('starts again from zero when the server ignores Range and answers 200, and still ends right', async () => {
    const half = Math.floor(media.body.length / 2);
    Object.assign(server.behaviour, { cutAfterBytes: half, cuts: 1, ignoreRange: true });
    const { cache, messages } = openCache(server, dataDir());
    const path = await cache.ensure(media.ref);
    expect(server.requests.map((r) => [r.range, r.status])).toEqual([
      [undefined, 200],
      [`bytes=${half}-`, 200],
    ]);
    expect(readFileSync(path).equals(media.body)).toBe(true);
    expect(messages('the server sent the whole file instead of the rest; starting again from zero')).toHaveLength(1);
  });

  it('a resumed part that turns out wrong is deleted and fetched again from zero', async () => {
    const dir = dataDir();
    mkdirSync(join(dir, 'media'), { recursive: true });
    const bad = Buffer.from(media.body.subarray(0, 1000));
    bad[10] ^= 0x55;
    writeFileSync(join(dir, 'media', `${media.ref.id}.part`), bad);
    const { cache } = openCache(server, dir);
    const path = await cache.ensure(media.ref);
    expect(server.requests.map((r) => [r.range, r.status])).toEqual([
      ['bytes=1000-', 206],
      [undefined, 200],
    ]);
    expect(sha(readFileSync(path))).toBe(media.ref.id);
  });

  it('fetches a wrong file once more, then fails with media-corrupt and keeps nothing', async () => {
    server.behaviour.corrupt = 2;
    const { cache } = openCache(server, dataDir());
    const err = await cache.ensure(media.ref).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaError);
    expect((err as MediaError).reason).toBe('media-corrupt');
    expect(server.requests).toHaveLength(2);
    expect(existsSync(cache.pathFor(media.ref.id))).toBe(false);
    expect(existsSync(`${cache.pathFor(media.ref.id)}.part`)).toBe(false);
    expect(cache.state()).toMatchObject({ files: 0, usedBytes: 0 });

    server.behaviour.corrupt = 1;
    const path = await cache.ensure(media.ref);
    expect(sha(readFileSync(path))).toBe(media.ref.id);
  });

  it('retries a failing hub with backoff and gives up by the deadline with media-fetch-failed', async () => {
    Object.assign(server.behaviour, { failures: 10_000, failStatus: 503 });
    const { cache } = openCache(server, dataDir());
    const t0 = Date.now();
    const err = await cache.ensure(media.ref, undefined, Date.now() + 700).catch((e: unknown) => e);
    const took = Date.now() - t0;
    expect((err as MediaError).reason).toBe('media-fetch-failed');
    expect((err as Error).message).toMatch(/HTTP 503/);
    expect(server.requests.length).toBeGreaterThan(2);
    expect(took).toBeLessThan(1500);
  });

  it('does not retry what asking again cannot fix (401 with a wrong secret)', async () => {
    const { cache } = openCache(server, dataDir(), { secret: 'wrong' });
    const err = await cache.ensure(media.ref).catch((e: unknown) => e);
    expect((err as MediaError).reason).toBe('media-fetch-failed');
    expect((err as Error).message).toMatch(/HTTP 401/);
    expect(server.requests.map((r) => r.status)).toEqual([401]);
  });
});

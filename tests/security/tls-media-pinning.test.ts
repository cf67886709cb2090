// Issue 14, item 4: the box fetches media and live streams over HTTPS trusting the hub's CA alone.
// The server here has a certificate this worker's system store trusts (the test run's CA, via
// NODE_EXTRA_CA_CERTS): a box pinning another CA (its hub's) must still refuse it before any
// request, so neither the path nor the Authorization header leaves. Media goes through the real
// MediaCache (node:https), streams through the real ffmpeg with the options loa-edge gives it.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.js';
import { MediaCache } from '../../daemon/cache/media-cache.js';
import { liveInputOptions } from '../../daemon/playback/stream.js';
import { ffmpegPath } from '../helpers/audio.js';
import { makeOpusMedia } from '../helpers/daemon-fixtures.js';
import { makeTestPki, runPki, type TestPki } from '../helpers/hub-tls.js';
import { makeTempDir } from '../helpers/tmp.js';

const ID = 'ban-https';
const SECRET = 'media-secret-1234';
const tmp = makeTempDir('loa-sec-tls-media-');
let otherCa: TestPki;
let server: Server;
let origin = '';
let media: ReturnType<typeof makeOpusMedia>;
const seen: Array<{ path: string; authorization: string | undefined }> = [];

beforeAll(async () => {
  otherCa = await makeTestPki(mkdirSync(join(tmp.path, 'other'), { recursive: true })!);
  media = makeOpusMedia(tmp.path, 1);
  const pki = runPki();
  server = createServer({ cert: readFileSync(pki.certFile), key: readFileSync(pki.keyFile) }, (req, res) => {
    seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
    if (req.url === media.ref.url) res.writeHead(200, { 'content-length': media.body.length }).end(media.body);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  tmp.remove();
});

function cache(dir: string, caFile: string): MediaCache {
  return new MediaCache({
    dataDir: join(tmp.path, dir),
    hubHttpUrl: origin,
    clusterId: ID,
    secret: SECRET,
    ca: readFileSync(caFile),
    logger: silentLogger(),
    retry: { minMs: 50, maxMs: 100 },
  });
}

describe('HTTPS media fetch pins the hub CA', () => {
  it('fetches from a server whose certificate is from the pinned CA', async () => {
    seen.length = 0;
    const path = await cache('good', runPki().caFile).ensure(media.ref, undefined, Date.now() + 10_000);
    expect(readFileSync(path).equals(media.body)).toBe(true);
    expect(seen[0]?.authorization).toBe(`Basic ${Buffer.from(`${ID}:${SECRET}`).toString('base64')}`);
  });

  it('refuses a server the system trusts but the pinned CA did not sign: no request, no secret', async () => {
    seen.length = 0;
    const err = await cache('bad', otherCa.caFile)
      .ensure(media.ref, undefined, Date.now() + 1500)
      .then(
        () => null,
        (e: Error) => e,
      );
    expect(err?.message).toMatch(/certificate|self.signed|verify/i);
    expect(seen).toEqual([]);
  });
});

/** ffmpeg reading a stream with loa-edge's options; resolves when it exits. */
function ffmpegRead(caFile: string): Promise<void> {
  const access = { hubHttpUrl: origin, clusterId: ID, secret: SECRET, caFile };
  const args = ['-hide_banner', '-nostdin', ...liveInputOptions(access, 'mp3'), '-i', `${origin}/api/v1/live/s1/stream`, '-t', '0.2', '-f', 'null', '-'];
  return new Promise((resolve) => execFile(ffmpegPath(), args, { timeout: 15_000 }, () => resolve()));
}

describe('live streams through ffmpeg pin the hub CA', () => {
  it('ffmpeg reaches a server whose certificate is from the pinned CA, with the credentials', async () => {
    seen.length = 0;
    await ffmpegRead(runPki().caFile);
    expect(seen.some((s) => s.path === '/api/v1/live/s1/stream' && s.authorization?.startsWith('Basic '))).toBe(true);
  });

  it('ffmpeg refuses a server the pinned CA did not sign, before any request', async () => {
    seen.length = 0;
    await ffmpegRead(otherCa.caFile);
    expect(seen).toEqual([]);
  });
});

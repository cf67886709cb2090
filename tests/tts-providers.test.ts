// The text-to-speech providers: espeak-ng reads Vietnamese into audio of plausible length; the HTTP
// provider against a tiny local server that stands in for a commercial Vietnamese voice service.
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EspeakProvider } from '../hub/tts/espeak.js';
import { HttpTtsProvider } from '../hub/tts/http.js';
import { decodedDurationS, makeTone } from './helpers/audio.js';
import { makeTempDir } from './helpers/tmp.js';
import { requireTool } from './helpers/tools.js';

const NOTICE = 'Thông báo: chiều nay 17 giờ họp dân tại nhà văn hoá bản.';
const tmp = makeTempDir('loa-tts-');
afterAll(() => tmp.remove());

describe.runIf(requireTool('espeak-ng'))('EspeakProvider', () => {
  it('reads a Vietnamese notice into audio of plausible duration', async () => {
    const p = new EspeakProvider({ speed: 150 });
    const out = await p.synthesize(NOTICE, tmp.path, { voice: 'vi' });
    const s = decodedDurationS(out.path);
    expect(s).toBeGreaterThan(2);
    expect(s).toBeLessThan(15);
  });

  it('names an unknown voice and a missing engine', async () => {
    await expect(new EspeakProvider({ speed: 150 }).synthesize('xin chào', tmp.path, { voice: 'zz-nope' })).rejects.toMatchObject({
      code: 'LOA_TTS_UNKNOWN_VOICE',
    });
    await expect(new EspeakProvider({ speed: 150, path: join(tmp.path, 'no-espeak') }).synthesize('xin chào', tmp.path, { voice: 'vi' })).rejects.toMatchObject(
      { code: 'LOA_TTS_ENGINE_MISSING' },
    );
  });

  it('refuses empty and over-long text, and odd voice names, before running anything', async () => {
    const p = new EspeakProvider({ speed: 150 });
    await expect(p.synthesize('   ', tmp.path, { voice: 'vi' })).rejects.toMatchObject({ code: 'LOA_TTS_EMPTY' });
    await expect(p.synthesize('a'.repeat(5001), tmp.path, { voice: 'vi' })).rejects.toMatchObject({ code: 'LOA_TTS_TOO_LONG' });
    await expect(p.synthesize('xin chào', tmp.path, { voice: 'vi; rm -rf /' })).rejects.toMatchObject({ code: 'LOA_TTS_BAD_VOICE' });
  });
});

describe('HttpTtsProvider', () => {
  let server: Server;
  let base = '';
  const seen: { text: string; voice: string; key: string | undefined }[] = [];
  const wav = readFileSync(makeTone(join(tmp.path, 'voice.wav'), 1.5, 300));

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString('utf8')));
      req.on('end', () => {
        if (req.url === '/ok') {
          seen.push({ ...(JSON.parse(body) as { text: string; voice: string }), key: req.headers['x-api-key'] as string | undefined });
          res.writeHead(200, { 'content-type': 'audio/wav' }).end(wav);
        } else if (req.url === '/fail') res.writeHead(500).end('voice engine down');
        else if (req.url === '/html') res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>login</h1>');
        else if (req.url === '/big') res.writeHead(200, { 'content-type': 'audio/wav' }).end(Buffer.alloc(300_000));
        // /slow never answers
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const provider = (path: string, over: { timeoutMs?: number; maxBytes?: number } = {}) =>
    new HttpTtsProvider({ url: `${base}${path}`, headers: { 'x-api-key': 'k1' }, timeoutMs: over.timeoutMs ?? 5000, maxBytes: over.maxBytes ?? 10_000_000 });

  it('posts the text and voice as JSON and keeps the audio it gets back', async () => {
    const out = await provider('/ok').synthesize(`  ${NOTICE} `, tmp.path, { voice: 'vi-north-female' });
    expect(seen.at(-1)).toEqual({ text: NOTICE, voice: 'vi-north-female', key: 'k1' });
    expect(out.contentType).toBe('audio/wav');
    expect(decodedDurationS(out.path)).toBeCloseTo(1.5, 1);
  });

  it('names the service and status on a 500, a wrong content type, an oversize answer and a timeout', async () => {
    await expect(provider('/fail').synthesize('a', tmp.path, { voice: 'vi' })).rejects.toMatchObject({
      code: 'LOA_TTS_SERVICE_ERROR',
      message: expect.stringMatching(/127\.0\.0\.1:\d+ answered 500: voice engine down/),
    });
    await expect(provider('/html').synthesize('a', tmp.path, { voice: 'vi' })).rejects.toMatchObject({
      code: 'LOA_TTS_SERVICE_ERROR',
      message: expect.stringContaining('text/html instead of audio'),
    });
    await expect(provider('/big', { maxBytes: 100_000 }).synthesize('a', tmp.path, { voice: 'vi' })).rejects.toMatchObject({
      message: expect.stringContaining('more than 100000 bytes'),
    });
    const started = Date.now();
    await expect(provider('/slow', { timeoutMs: 300 }).synthesize('a', tmp.path, { voice: 'vi' })).rejects.toMatchObject({ code: 'LOA_TTS_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

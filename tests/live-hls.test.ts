// An HLS station (the way many provincial stations publish now): a real ffmpeg writes a live HLS
// playlist of 1-second AAC segments, a plain HTTP server serves the folder, and the live engine
// relays it like an Icecast mount: listeners get MP3 frames of the delivery format in real time.
// Also the engine's intro/outro (a pushed announcement's chime) around a file played as live.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../common/clock.js';
import { silentLogger } from '../common/logger.js';
import { splitFrames } from '../hub/live/frames.js';
import { liveSettingsSchema } from '../hub/live/settings.js';
import { encodeSilence, LiveStream, type LiveEndReason, type LiveSink } from '../hub/live/stream.js';
import { ffmpegPath, makeTone } from './helpers/audio.js';
import { waitFor } from './helpers/hub.js';
import { makeTempDir } from './helpers/tmp.js';

const settings = liveSettingsSchema.parse({ silenceAfterMs: 1500, stallMs: 6000, backoffMinMs: 200, backoffMaxMs: 400 });

class Collector implements LiveSink {
  data: Buffer[] = [];
  ended = false;
  writableLength = 0;
  write(d: Buffer): boolean {
    this.data.push(d);
    return true;
  }
  end(): void {
    this.ended = true;
  }
  get audioMs(): number {
    return splitFrames('mp3', Buffer.concat(this.data)).reduce((s, f) => s + f.durationMs, 0);
  }
}

const tmp = makeTempDir('loa-live-hls-');
let station: ChildProcess;
let server: Server;
let url = '';

beforeAll(async () => {
  const dir = join(tmp.path, 'hls');
  mkdirSync(dir, { recursive: true });
  // A live playlist: the newest 6 one-second AAC segments, older ones deleted, paced in real time.
  station = spawn(
    ffmpegPath(),
    [
      '-nostdin',
      '-loglevel',
      'error',
      '-re',
      '-f',
      'lavfi',
      '-i',
      'sine=f=523:r=44100',
      '-ac',
      '1',
      '-c:a',
      'aac',
      '-b:a',
      '48k',
      '-f',
      'hls',
      '-hls_time',
      '1',
      '-hls_list_size',
      '6',
      '-hls_flags',
      'delete_segments',
      '-hls_segment_filename',
      join(dir, 'seg-%05d.ts'),
      join(dir, 'live.m3u8'),
    ],
    { stdio: 'ignore' },
  );
  server = createServer((req, res) => {
    const path = normalize(join(dir, (req.url ?? '/').split('?')[0]!));
    if (!path.startsWith(dir) || !existsSync(path)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': path.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : 'video/mp2t' }).end(readFileSync(path));
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
  url = `http://127.0.0.1:${port}/live.m3u8`;
  // The playlist exists once the first segments are written.
  await waitFor(() => existsSync(join(dir, 'live.m3u8')) && readFileSync(join(dir, 'live.m3u8'), 'utf8').split('#EXTINF').length > 3, {
    what: 'HLS playlist',
    timeoutMs: 15_000,
  });
});

afterAll(async () => {
  station?.kill('SIGKILL');
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  tmp.remove();
});

describe('live engine with other sources', () => {
  it('relays an HLS station (AAC segments) as MP3 frames in real time', async () => {
    const silence = await encodeSilence(ffmpegPath(), settings);
    const stream = new LiveStream({
      id: 'l-hls',
      source: { kind: 'url', url },
      ffmpegPath: ffmpegPath(),
      settings,
      silence,
      clock: systemClock,
      logger: silentLogger(),
    });
    const ear = new Collector();
    stream.start();
    stream.attach(ear);
    try {
      await waitFor(() => stream.audioMs > 3000, { what: 'HLS audio through the engine', timeoutMs: 20_000 });
      const t0 = Date.now();
      const a0 = stream.audioMs;
      await new Promise((r) => setTimeout(r, 3000));
      // Real time: about as much audio as time went by (segments come in bursts of one second).
      const rate = (stream.audioMs - a0) / (Date.now() - t0);
      expect(rate).toBeGreaterThan(0.6);
      expect(rate).toBeLessThan(1.6);
      expect(ear.audioMs).toBeGreaterThan(2000);
      expect(stream.restarts).toBe(0);
      expect(stream.state).toBe('live');
    } finally {
      await stream.stop();
    }
  }, 40_000);

  it('plays an intro before the source and an outro after it, then ends', async () => {
    const silence = await encodeSilence(ffmpegPath(), settings);
    const intro = silence.slice(0, 38); // ~1 s of frames stands in for the chime
    const file = makeTone(join(tmp.path, 'two.wav'), 2);
    let why: LiveEndReason | null = null;
    const stream = new LiveStream({
      id: 'l-chime',
      source: { kind: 'file', path: file },
      ffmpegPath: ffmpegPath(),
      settings,
      silence,
      clock: systemClock,
      logger: silentLogger(),
      intro,
      outro: intro,
      onEnd: (w) => (why = w),
    });
    const ear = new Collector();
    const t0 = Date.now();
    stream.attach(ear);
    stream.start();
    await waitFor(() => why, { what: 'stream end', timeoutMs: 15_000 });
    expect(why).toBe('source-ended');
    // 1 s + 2 s + 1 s, paced in real time.
    expect(Date.now() - t0).toBeGreaterThan(3500);
    expect(ear.audioMs).toBeGreaterThan(3700);
    expect(ear.audioMs).toBeLessThan(4600);
    expect(ear.ended).toBe(true);
  }, 30_000);
});

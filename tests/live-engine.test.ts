// The live engine with real ffmpeg and a real HTTP "station": one encoder fans out to listeners,
// a late joiner starts at the live point, and an upstream killed mid-relay is ridden out with
// silence (listeners stay connected), reconnected, and the gap recorded with a plausible length.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../common/clock.js';
import { silentLogger } from '../common/logger.js';
import { splitFrames } from '../hub/live/frames.js';
import { liveSettingsSchema } from '../hub/live/settings.js';
import { encodeSilence, LiveStream, type LiveSink } from '../hub/live/stream.js';
import { ffmpegPath } from './helpers/audio.js';
import { waitFor } from './helpers/hub.js';
import { startUpstream, type Upstream } from './helpers/live-upstream.js';

const settings = liveSettingsSchema.parse({ silenceAfterMs: 400, stallMs: 2500, backoffMinMs: 200, backoffMaxMs: 400 });

class Collector implements LiveSink {
  chunks: { at: number; data: Buffer }[] = [];
  ended = false;
  writableLength = 0;
  write(data: Buffer): boolean {
    this.chunks.push({ at: Date.now(), data });
    return true;
  }
  end(): void {
    this.ended = true;
  }
  get bytes(): Buffer {
    return Buffer.concat(this.chunks.map((c) => c.data));
  }
  /** Audio received, ms, counted frame by frame. */
  get audioMs(): number {
    return splitFrames('mp3', this.bytes).reduce((s, f) => s + f.durationMs, 0);
  }
}

let up: Upstream;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  up = await startUpstream();
});
afterAll(async () => {
  await up.close();
});

describe('live engine', () => {
  it('encodes silence once, in whole frames of the delivery format', async () => {
    const frames = await encodeSilence(ffmpegPath(), settings);
    const ms = frames.reduce((s, f) => s + f.durationMs, 0);
    expect(ms).toBeGreaterThan(900);
    expect(ms).toBeLessThan(1300);
    // 24 kbit/s at 22.05 kHz: MPEG-2 Layer III frames of 576 samples, 72*24000/22050 ≈ 78 bytes.
    expect(frames[0]!.data.length).toBeGreaterThanOrEqual(78);
    expect(frames[0]!.data.length).toBeLessThanOrEqual(79);
  });

  it('relays, gives a late joiner the live point, and rides out a dead upstream with silence', async () => {
    const silence = await encodeSilence(ffmpegPath(), settings);
    const stream = new LiveStream({
      id: 'l-test',
      source: { kind: 'url', url: up.url },
      ffmpegPath: ffmpegPath(),
      settings,
      silence,
      clock: systemClock,
      logger: silentLogger(),
    });
    const first = new Collector();
    stream.attach(first);
    stream.start();
    let dead = false;
    try {
      await waitFor(() => stream.state === 'live', { what: 'stream live' });
      await sleep(2500);
      // A late joiner: what it gets at once is far less than the 2.5 s already relayed.
      const late = new Collector();
      stream.attach(late);
      await sleep(300);
      expect(late.audioMs).toBeLessThan(800);
      expect(first.audioMs).toBeGreaterThan(2000);

      // The station dies: listeners stay attached and keep getting (silent) frames.
      await up.kill();
      dead = true;
      const killedAt = Date.now();
      await waitFor(() => stream.state === 'gap', { what: 'gap noticed', timeoutMs: 5000 });
      const before = late.audioMs;
      // Paced in real time: a second of silence takes a second (longer on a loaded machine).
      await waitFor(() => late.audioMs - before > 1000, { what: 'a second of silence to the listener', timeoutMs: 6000 });
      expect(late.ended).toBe(false);
      expect(stream.currentGap).not.toBeNull();
      await sleep(Math.max(0, killedAt + 1500 - Date.now()));
      await up.revive();
      dead = false;
      const deadMs = Date.now() - killedAt;
      await waitFor(() => stream.state === 'live', { what: 'stream live again', timeoutMs: 10_000 });
      expect(stream.restarts).toBeGreaterThanOrEqual(1);
      const gap = stream.gaps[0]!;
      expect(gap.endAt).not.toBeNull();
      // Dead from kill to revive (≥ 1.5 s), plus restart and reconnect time.
      expect(gap.lengthMs).toBeGreaterThan(1500);
      expect(gap.lengthMs).toBeLessThan(deadMs + 4000);
      expect(up.requests).toBeGreaterThanOrEqual(2);
    } finally {
      await stream.stop();
      // The next test needs the station.
      if (dead) await up.revive();
    }
    expect(first.ended).toBe(true);
    expect(stream.state).toBe('ended');
  }, 30_000);

  it('measures the delivery bytes per hour (docs/live.md): 24 kbit/s is about 10.8 MB per cluster per hour', async () => {
    const stream = new LiveStream({
      id: 'l-rate',
      source: { kind: 'url', url: up.url },
      ffmpegPath: ffmpegPath(),
      settings,
      silence: await encodeSilence(ffmpegPath(), settings),
      clock: systemClock,
      logger: silentLogger(),
    });
    const c = new Collector();
    stream.attach(c);
    stream.start();
    await waitFor(() => stream.state === 'live', { what: 'stream live' });
    await sleep(3000);
    await stream.stop();
    const bytesPerHour = (c.bytes.length / c.audioMs) * 3_600_000;
    expect(bytesPerHour).toBeGreaterThan(10.0e6);
    expect(bytesPerHour).toBeLessThan(11.5e6);
  }, 15_000);
});

// loa-edge reports its health (from a HardwareProbe) and its volume (state, and what ffmpeg plays).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemProbe } from '../daemon/health.js';
import { healthSchema } from '../protocol/index.js';
import { fixedProbe, startEdge, type EdgeUnderTest } from './helpers/daemon-edge.js';
import { cmd, makeOpusMedia, startBroker, startMediaServer, Watcher, type MediaServer, type TestBroker } from './helpers/daemon-fixtures.js';
import { makeTempDir } from './helpers/tmp.js';

const tmp = makeTempDir('loa-daemon-health-');
let broker: TestBroker;
let media: MediaServer;
let watcher: Watcher;
const edges: EdgeUnderTest[] = [];

beforeAll(async () => {
  broker = await startBroker();
  media = await startMediaServer({ user: 'hv-volume', password: 'sesame' });
  watcher = await Watcher.connect(broker.url);
});
afterEach(async () => {
  await Promise.all(edges.splice(0).map((e) => e.stop()));
});
afterAll(async () => {
  await watcher.close();
  await media.close();
  await broker.close();
  tmp.remove();
});

/** Largest absolute sample of a 16-bit PCM WAV (ffmpeg adds a LIST chunk, so find 'data'). */
function peak(wavPath: string): number {
  const wav = readFileSync(wavPath);
  const data = wav.subarray(wav.indexOf('data', 12, 'latin1') + 8);
  let max = 0;
  for (let i = 0; i + 1 < data.length; i += 2) max = Math.max(max, Math.abs(data.readInt16LE(i)));
  return max;
}

describe('loa-edge health and volume', () => {
  it('publishes health on connect and every healthIntervalSec, with the probe readings', async () => {
    const e = await startEdge({ clusterId: 'hv-health', mqttUrl: broker.url, httpUrl: media.url, dataDir: join(tmp.path, 'h'), healthIntervalSec: 0.2 });
    edges.push(e);
    await watcher.waitFor('three health reports', () => watcher.of('hv-health', 'health').length >= 3);
    for (const h of watcher.of('hv-health', 'health')) {
      expect(healthSchema.parse(h)).toMatchObject({
        cpuTempC: 51.5,
        load1: 0.25,
        memFreeMb: 300,
        memTotalMb: 1024,
        diskFreeMb: 12_000,
        uptimeS: 4242,
        player: 'idle',
        lastError: null,
      });
    }
    expect(watcher.seen.find((s) => s.clusterId === 'hv-health' && s.channel === 'health')?.retain).toBe(false);
  });

  it('reads a board: millidegrees from the thermal file, null without one, free disk of the data dir', async () => {
    const thermal = join(tmp.path, 'temp');
    writeFileSync(thermal, '48512\n');
    expect(await systemProbe(thermal).cpuTempC()).toBe(48.5);
    expect(await systemProbe(join(tmp.path, 'no-such-sensor')).cpuTempC()).toBeNull();
    const probe = systemProbe();
    expect(await probe.diskFreeMb(tmp.path)).toBeGreaterThan(0);
    expect(probe.memory().totalMb).toBeGreaterThan(0);
  });

  it('stores a volume command, reports it, and plays the next item at that volume', async () => {
    const tone = makeOpusMedia(tmp.path, 1, 660);
    media.routes.set(tone.ref.url, tone.body);
    const out = join(tmp.path, 'hv-out');
    const e = await startEdge({ clusterId: 'hv-volume', mqttUrl: broker.url, httpUrl: media.url, dataDir: join(tmp.path, 'v'), sink: { type: 'file', dir: out } });
    edges.push(e);
    await watcher.waitFor('state', () => watcher.of('hv-volume', 'state').length > 0);

    const loud = cmd.play(1, tone.ref, { broadcastId: 'loud', volume: 100, startInMs: 50 });
    await watcher.send('hv-volume', loud);
    await watcher.waitAck('hv-volume', loud.id, 'finished');
    const vol = cmd.volume(2, 25);
    await watcher.send('hv-volume', vol);
    const statuses = await watcher.waitFor('volume acks', () => {
      const s = watcher.acks('hv-volume').filter((a) => a.cmdId === vol.id).map((a) => a.status);
      return s.length === 2 && s;
    });
    expect(statuses).toEqual(['accepted', 'finished']);
    expect(watcher.of('hv-volume', 'state').at(-1)).toMatchObject({ volume: 25, lastSeq: 2 });
    const quiet = cmd.play(3, tone.ref, { broadcastId: 'quiet', startInMs: 50 });
    await watcher.send('hv-volume', quiet);
    await watcher.waitAck('hv-volume', quiet.id, 'finished');

    const ratio = peak(join(out, `${quiet.startAt}-quiet.wav`)) / peak(join(out, `${loud.startAt}-loud.wav`));
    expect(ratio).toBeGreaterThan(0.2);
    expect(ratio).toBeLessThan(0.3);
  });
});

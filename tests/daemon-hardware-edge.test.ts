// The hardware as the running daemon uses it (in-process loa-edge, real broker, real ffmpeg): the
// mixer gets the standing volume at start, volume commands at once, a play's own volume for that
// item only, while ffmpeg plays at unity gain; health carries throttling, signal and the relay
// where the probe has them, and leaves them out where it does not. Hardware is faked (no sound
// card, no Pi firmware, no GPIO here).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeMixer, FakeRelay } from '../daemon/hardware/fakes.js';
import type { HardwareProbe } from '../daemon/health.js';
import { healthSchema } from '../protocol/index.js';
import { fixedProbe, type EdgeUnderTest } from './helpers/daemon-edge.js';
import { cmd, makeOpusMedia, startBroker, startMediaServer, Watcher, type MediaServer, type TestBroker } from './helpers/daemon-fixtures.js';
import { startPlayerEdge } from './helpers/daemon-player-fixtures.js';
import { makeTempDir } from './helpers/tmp.js';

const tmp = makeTempDir('loa-daemon-hardware-edge-');
let broker: TestBroker;
let media: MediaServer;
let watcher: Watcher;
const edges: EdgeUnderTest[] = [];
let n = 0;

beforeAll(async () => {
  broker = await startBroker();
  media = await startMediaServer({ user: 'unused', password: 'sesame' });
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

async function edge(o: { mixer?: FakeMixer; hardware?: HardwareProbe; healthIntervalSec?: number }) {
  const clusterId = `hw-${++n}`;
  media.credentials = { user: clusterId, password: 'sesame' };
  const sinkDir = join(tmp.path, `${clusterId}-out`);
  const e = await startPlayerEdge({
    clusterId,
    mqttUrl: broker.url,
    httpUrl: media.url,
    dataDir: join(tmp.path, clusterId),
    sink: { type: 'file', dir: sinkDir },
    ...(o.mixer ? { mixer: o.mixer } : {}),
    ...(o.hardware ? { hardware: o.hardware } : {}),
    healthIntervalSec: o.healthIntervalSec ?? 60,
  });
  edges.push(e);
  await watcher.waitFor(`${clusterId} state`, () => watcher.of(clusterId, 'state').length > 0);
  return { ...e, clusterId, sinkDir };
}

/** Largest absolute sample of a 16-bit PCM WAV. */
function peak(wavPath: string): number {
  const wav = readFileSync(wavPath);
  const data = wav.subarray(wav.indexOf('data', 12, 'latin1') + 8);
  let max = 0;
  for (let i = 0; i + 1 < data.length; i += 2) max = Math.max(max, Math.abs(data.readInt16LE(i)));
  return max;
}

describe('loa-edge with an ALSA mixer (faked)', () => {
  it('applies the standing volume at start and volume commands at once; a play volume lasts one item; ffmpeg at unity', async () => {
    const tone = makeOpusMedia(tmp.path, 1, 550);
    media.routes.set(tone.ref.url, tone.body);
    const mixer = new FakeMixer();
    const e = await edge({ mixer });
    // The default standing volume (80) is on the mixer before any command.
    expect(mixer.sets).toEqual([80]);

    const vol = cmd.volume(1, 40);
    await watcher.send(e.clusterId, vol);
    const done = await watcher.waitAck(e.clusterId, vol.id, 'finished');
    expect(done.detail).toBe('applied to the mixer');
    expect(mixer.sets).toEqual([80, 40]);

    const own = cmd.play(2, tone.ref, { broadcastId: 'own', volume: 100, startInMs: 100 });
    await watcher.send(e.clusterId, own);
    await watcher.waitAck(e.clusterId, own.id, 'started');
    await watcher.waitFor('mixer at the item volume', () => mixer.sets.at(-1) === 100);
    // A volume command while an item with its own volume plays waits for that item to end.
    const during = cmd.volume(3, 30);
    await watcher.send(e.clusterId, during);
    expect((await watcher.waitAck(e.clusterId, during.id, 'finished')).detail).toMatch(/applies after that item/);
    expect(mixer.sets.at(-1)).toBe(100);
    await watcher.waitAck(e.clusterId, own.id, 'finished');
    await watcher.waitFor('mixer back at the standing volume', () => mixer.sets.at(-1) === 30);

    const plain = cmd.play(4, tone.ref, { broadcastId: 'plain', startInMs: 100 });
    await watcher.send(e.clusterId, plain);
    await watcher.waitAck(e.clusterId, plain.id, 'finished');
    expect(mixer.sets).toEqual([80, 40, 100, 30]);
    // Both items went through ffmpeg at the same (unity) gain: the mixer made the difference.
    const ratio = peak(join(e.sinkDir, `${plain.startAt}-plain.wav`)) / peak(join(e.sinkDir, `${own.startAt}-own.wav`));
    expect(ratio).toBeGreaterThan(0.95);
    expect(ratio).toBeLessThan(1.05);
  });

  it('without a mixer the volume stays ffmpeg gain from the next item', async () => {
    const e = await edge({});
    const vol = cmd.volume(1, 40);
    await watcher.send(e.clusterId, vol);
    expect((await watcher.waitAck(e.clusterId, vol.id, 'finished')).detail).toBe('applies from the next item');
  });
});

describe('loa-edge health: throttling, signal, relay', () => {
  it('reports them where the probe has them, and follows the relay', async () => {
    const relay = new FakeRelay('off');
    const hardware: HardwareProbe = {
      ...fixedProbe,
      throttled: async () => ({ now: false, sinceBoot: true, raw: '0x50000' }),
      signal: async () => ({ kind: 'cellular', dbm: -87 }),
      relay: () => relay.get(),
    };
    const e = await edge({ hardware, healthIntervalSec: 0.2 });
    const first = healthSchema.parse(await watcher.waitFor('health', () => watcher.of(e.clusterId, 'health')[0]));
    expect(first).toMatchObject({ throttled: { now: false, sinceBoot: true, raw: '0x50000' }, signal: { kind: 'cellular', dbm: -87 }, relay: 'off' });
    await relay.set(true);
    await watcher.waitFor('relay on', () => watcher.of(e.clusterId, 'health').find((h) => h.relay === 'on'));
  });

  it('leaves the fields out when the board cannot tell (null) or the reading fails', async () => {
    const hardware: HardwareProbe = {
      ...fixedProbe,
      throttled: async () => null,
      signal: async () => {
        throw new Error('mmcli exploded');
      },
      relay: () => null,
    };
    const e = await edge({ hardware, healthIntervalSec: 0.2 });
    const reports = await watcher.waitFor('two health reports', () => watcher.of(e.clusterId, 'health').length >= 2 && watcher.of(e.clusterId, 'health'));
    for (const h of reports) {
      expect(healthSchema.parse(h)).toMatchObject({ cpuTempC: 51.5, player: 'idle' });
      expect(Object.keys(h)).not.toContain('throttled');
      expect(Object.keys(h)).not.toContain('signal');
      expect(Object.keys(h)).not.toContain('relay');
    }
  });
});

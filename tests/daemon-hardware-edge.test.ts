// The hardware as the running daemon uses it (in-process loa-edge, real broker, real ffmpeg): the
// mixer gets the standing volume at start, volume commands at once, a play's own volume for that
// item only, while ffmpeg plays at unity gain; health carries throttling, signal and the relay
// where the probe has them, and leaves them out where it does not. Hardware is faked (no sound
// card, no Pi firmware, no GPIO here).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeMixer, FakeRelay } from '../daemon/hardware/fakes.js';
import type { HardwareProbe } from '../daemon/hardware/health.js';
import { healthSchema } from '../protocol/index.js';
import { fixedProbe } from './helpers/daemon-edge.js';
import { cmd, makeOpusMedia, useDaemonRig } from './helpers/daemon-fixtures.js';
import { startPlayerEdge } from './helpers/daemon-player-fixtures.js';

let n = 0;
const rig = useDaemonRig('loa-daemon-hardware-edge-');

async function edge(o: { mixer?: FakeMixer; hardware?: HardwareProbe; healthIntervalSec?: number }) {
  const clusterId = `hw-${++n}`;
  rig.media.credentials = { user: clusterId, password: 'sesame' };
  const sinkDir = join(rig.tmp.path, `${clusterId}-out`);
  const e = await startPlayerEdge({
    clusterId,
    mqttUrl: rig.broker.url,
    httpUrl: rig.media.url,
    dataDir: join(rig.tmp.path, clusterId),
    sink: { type: 'file', dir: sinkDir },
    ...(o.mixer ? { mixer: o.mixer } : {}),
    ...(o.hardware ? { hardware: o.hardware } : {}),
    healthIntervalSec: o.healthIntervalSec ?? 60,
  });
  rig.edges.push(e);
  await rig.watcher.waitFor(`${clusterId} state`, () => rig.watcher.of(clusterId, 'state').length > 0);
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
    const tone = makeOpusMedia(rig.tmp.path, 1, 550);
    rig.media.routes.set(tone.ref.url, tone.body);
    const mixer = new FakeMixer();
    const e = await edge({ mixer });
    // The default standing volume (80) is on the mixer before any command.
    expect(mixer.sets).toEqual([80]);

    const vol = cmd.volume(1, 40);
    await rig.watcher.send(e.clusterId, vol);
    const done = await rig.watcher.waitAck(e.clusterId, vol.id, 'finished');
    expect(done.detail).toBe('applied to the mixer');
    expect(mixer.sets).toEqual([80, 40]);

    const own = cmd.play(2, tone.ref, { broadcastId: 'own', volume: 100, startInMs: 100 });
    await rig.watcher.send(e.clusterId, own);
    await rig.watcher.waitAck(e.clusterId, own.id, 'started');
    await rig.watcher.waitFor('mixer at the item volume', () => mixer.sets.at(-1) === 100);
    // A volume command while an item with its own volume plays waits for that item to end.
    const during = cmd.volume(3, 30);
    await rig.watcher.send(e.clusterId, during);
    expect((await rig.watcher.waitAck(e.clusterId, during.id, 'finished')).detail).toMatch(/applies after that item/);
    expect(mixer.sets.at(-1)).toBe(100);
    await rig.watcher.waitAck(e.clusterId, own.id, 'finished');
    await rig.watcher.waitFor('mixer back at the standing volume', () => mixer.sets.at(-1) === 30);

    const plain = cmd.play(4, tone.ref, { broadcastId: 'plain', startInMs: 100 });
    await rig.watcher.send(e.clusterId, plain);
    await rig.watcher.waitAck(e.clusterId, plain.id, 'finished');
    expect(mixer.sets).toEqual([80, 40, 100, 30]);
    // Both items went through ffmpeg at the same (unity) gain: the mixer made the difference.
    const ratio = peak(join(e.sinkDir, `${plain.startAt}-plain.wav`)) / peak(join(e.sinkDir, `${own.startAt}-own.wav`));
    expect(ratio).toBeGreaterThan(0.95);
    expect(ratio).toBeLessThan(1.05);
  });

  it('without a mixer the volume stays ffmpeg gain from the next item', async () => {
    const e = await edge({});
    const vol = cmd.volume(1, 40);
    await rig.watcher.send(e.clusterId, vol);
    expect((await rig.watcher.waitAck(e.clusterId, vol.id, 'finished')).detail).toBe('applies from the next item');
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
    const first = healthSchema.parse(await rig.watcher.waitFor('health', () => rig.watcher.of(e.clusterId, 'health')[0]));
    expect(first).toMatchObject({ throttled: { now: false, sinceBoot: true, raw: '0x50000' }, signal: { kind: 'cellular', dbm: -87 }, relay: 'off' });
    await relay.set(true);
    await rig.watcher.waitFor('relay on', () => rig.watcher.of(e.clusterId, 'health').find((h) => h.relay === 'on'));
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
    const reports = await rig.watcher.waitFor(
      'two health reports',
      () => rig.watcher.of(e.clusterId, 'health').length >= 2 && rig.watcher.of(e.clusterId, 'health'),
    );
    for (const h of reports) {
      expect(healthSchema.parse(h)).toMatchObject({ cpuTempC: 51.5, player: 'idle' });
      expect(Object.keys(h)).not.toContain('throttled');
      expect(Object.keys(h)).not.toContain('signal');
      expect(Object.keys(h)).not.toContain('relay');
    }
  });
});

// loa-edge reports its health (from a HardwareProbe) and its volume (state, and what ffmpeg plays).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemProbe } from '../daemon/hardware/health.js';
import { healthSchema } from '../protocol/index.js';
import { startEdge } from './helpers/daemon-edge.js';
import { cmd, makeOpusMedia, useDaemonRig } from './helpers/daemon-fixtures.js';

const rig = useDaemonRig('loa-daemon-health-', { mediaUser: 'hv-volume' });

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
    const e = await startEdge({
      clusterId: 'hv-health',
      mqttUrl: rig.broker.url,
      httpUrl: rig.media.url,
      dataDir: join(rig.tmp.path, 'h'),
      healthIntervalSec: 0.2,
    });
    rig.edges.push(e);
    await rig.watcher.waitFor('three health reports', () => rig.watcher.of('hv-health', 'health').length >= 3);
    for (const h of rig.watcher.of('hv-health', 'health')) {
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
    expect(rig.watcher.seen.find((s) => s.clusterId === 'hv-health' && s.channel === 'health')?.retain).toBe(false);
  });

  it('reads a board: millidegrees from the thermal file, null without one, free disk of the data dir', async () => {
    const thermal = join(rig.tmp.path, 'temp');
    writeFileSync(thermal, '48512\n');
    expect(await systemProbe(thermal).cpuTempC()).toBe(48.5);
    expect(await systemProbe(join(rig.tmp.path, 'no-such-sensor')).cpuTempC()).toBeNull();
    const probe = systemProbe();
    expect(await probe.diskFreeMb(rig.tmp.path)).toBeGreaterThan(0);
    expect(probe.memory().totalMb).toBeGreaterThan(0);
  });

  it('stores a volume command, reports it, and plays the next item at that volume', async () => {
    const tone = makeOpusMedia(rig.tmp.path, 1, 660);
    rig.media.routes.set(tone.ref.url, tone.body);
    const out = join(rig.tmp.path, 'hv-out');
    const e = await startEdge({
      clusterId: 'hv-volume',
      mqttUrl: rig.broker.url,
      httpUrl: rig.media.url,
      dataDir: join(rig.tmp.path, 'v'),
      sink: { type: 'file', dir: out },
    });
    rig.edges.push(e);
    await rig.watcher.waitFor('state', () => rig.watcher.of('hv-volume', 'state').length > 0);

    const loud = cmd.play(1, tone.ref, { broadcastId: 'loud', volume: 100, startInMs: 50 });
    await rig.watcher.send('hv-volume', loud);
    await rig.watcher.waitAck('hv-volume', loud.id, 'finished');
    const vol = cmd.volume(2, 25);
    await rig.watcher.send('hv-volume', vol);
    const statuses = await rig.watcher.waitFor('volume acks', () => {
      const s = rig.watcher
        .acks('hv-volume')
        .filter((a) => a.cmdId === vol.id)
        .map((a) => a.status);
      return s.length === 2 && s;
    });
    expect(statuses).toEqual(['accepted', 'finished']);
    expect(rig.watcher.of('hv-volume', 'state').at(-1)).toMatchObject({ volume: 25, lastSeq: 2 });
    const quiet = cmd.play(3, tone.ref, { broadcastId: 'quiet', startInMs: 50 });
    await rig.watcher.send('hv-volume', quiet);
    await rig.watcher.waitAck('hv-volume', quiet.id, 'finished');

    const ratio = peak(join(out, `${quiet.startAt}-quiet.wav`)) / peak(join(out, `${loud.startAt}-loud.wav`));
    expect(ratio).toBeGreaterThan(0.2);
    expect(ratio).toBeLessThan(0.3);
  });
});

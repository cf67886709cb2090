// The real `loa-edge` process (as systemd runs it) with its player settings from the YAML file: its
// ffmpeg child is found (its parent PID, as `pgrep -P` would) and killed mid-item; the daemon starts ffmpeg again where
// the broadcast is and the item finishes with one `started` and one `finished`. Runs dist/.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cmd, startBroker, startMediaServer, Watcher, type MediaServer, type TestBroker } from './helpers/daemon-fixtures.js';
import { chirpPositionS, firstSound, makeChirpMedia, playerPids, RATE, wavSamples } from './helpers/daemon-player-fixtures.js';
import { makeTempDir } from './helpers/tmp.js';
import { TEST_HUB_KEY } from './helpers/signing.js';

const BIN = resolve('bin/loa-edge.js');
const tmp = makeTempDir('loa-daemon-player-process-');
let broker: TestBroker;
let media: MediaServer;
let watcher: Watcher;
const children: ChildProcess[] = [];

beforeAll(async () => {
  if (!existsSync(resolve('dist/daemon/main.js'))) throw new Error('dist/daemon/main.js is missing: run `npx tsc -p .` first');
  broker = await startBroker();
  media = await startMediaServer({ user: 'proc-player', password: 'proc-secret' });
  watcher = await Watcher.connect(broker.url);
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await watcher.close();
  await media.close();
  await broker.close();
  tmp.remove();
});

describe('loa-edge process: ffmpeg killed mid-item', () => {
  it('resumes at the hub-time position within a second, as one broadcast', async () => {
    const chirp = makeChirpMedia(tmp.path, 4);
    media.routes.set(chirp.ref.url, chirp.body);
    const config = join(tmp.path, 'edge.yaml');
    const out = join(tmp.path, 'out');
    writeFileSync(
      config,
      [
        'clusterId: proc-player',
        'secret: proc-secret',
        `hubKeys: ["${TEST_HUB_KEY}"]`,
        'hub:',
        `  mqttUrl: ${broker.url}`,
        `  httpUrl: ${media.url}`,
        '  allowPlaintext: true',
        'dataDir: data',
        'sink:',
        '  type: file',
        `  dir: ${out}`,
        'player:',
        '  maxFailures: 2',
        'log:',
        '  level: warn',
      ].join('\n'),
    );
    const child = spawn(process.execPath, [BIN, '--config', config], { stdio: ['ignore', 'ignore', 'inherit'] });
    children.push(child);
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    await watcher.waitFor('online', () => watcher.of('proc-player', 'presence').find((p) => p.status === 'online'));
    await watcher.waitFor('state', () => watcher.of('proc-player', 'state').length > 0);

    const play = cmd.play(1, chirp.ref, { startInMs: 300 });
    await watcher.send('proc-player', play);
    await watcher.waitAck('proc-player', play.id, 'started');
    const pid = await watcher.waitFor('the ffmpeg child', () => playerPids(child.pid).length === 1 && playerPids(child.pid)[0]);
    await new Promise((r) => setTimeout(r, play.startAt + 1200 - Date.now()));
    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');
    const again = await watcher.waitFor('a new ffmpeg child', () => playerPids(child.pid).find((p) => p !== pid), 2000);
    expect(again).not.toBe(pid);
    expect(Date.now() - killedAt).toBeLessThan(1000);

    const finished = await watcher.waitAck('proc-player', play.id, 'finished');
    expect(finished.detail).toBe('ffmpeg restarted 1 time during the item');
    expect(
      watcher
        .acks('proc-player')
        .filter((a) => a.cmdId === play.id)
        .map((a) => a.status),
    ).toEqual(['accepted', 'started', 'finished']);
    const second = wavSamples(join(out, `${play.startAt}-${play.broadcastId}.r1.wav`));
    expect(readdirSync(out)).toHaveLength(2);
    // It begins after the kill's position (not where ffmpeg died) and no later than the restart.
    const at = chirpPositionS(second, firstSound(second) / RATE);
    expect(at).toBeGreaterThan((killedAt - play.startAt) / 1000 - 0.1);
    expect(at).toBeLessThan((killedAt - play.startAt) / 1000 + 1);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

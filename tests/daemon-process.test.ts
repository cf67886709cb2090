// The real `loa-edge` bin as a child process (as systemd runs it): starts from a config file, plays,
// and on SIGTERM stops playback, says goodbye and exits 0; a bad config exits non-zero in one line.
// Runs dist/: `npx tsc -p .` (or `npm test`) first.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cmd, makeOpusMedia, startBroker, startMediaServer, Watcher, type MediaServer, type TestBroker } from './helpers/daemon-fixtures.js';
import { makeTempDir } from './helpers/tmp.js';
import { TEST_HUB_KEY } from './helpers/signing.js';

const BIN = resolve('bin/loa-edge.js');
const tmp = makeTempDir('loa-daemon-process-');
let broker: TestBroker;
let media: MediaServer;
let watcher: Watcher;
const children: ChildProcess[] = [];

beforeAll(async () => {
  if (!existsSync(resolve('dist/daemon/main.js'))) throw new Error('dist/daemon/main.js is missing: run `npx tsc -p .` first');
  broker = await startBroker();
  media = await startMediaServer({ user: 'proc-edge', password: 'proc-secret' });
  watcher = await Watcher.connect(broker.url);
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await watcher.close();
  await media.close();
  await broker.close();
  tmp.remove();
});

function run(config: string): { child: ChildProcess; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout?.resume();
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return { child, stderr: () => err, exited };
}

describe('loa-edge process', () => {
  it('starts from a config file, and on SIGTERM stops playback, goes offline/shutdown and exits 0', async () => {
    const tone = makeOpusMedia(tmp.path, 2);
    media.routes.set(tone.ref.url, tone.body);
    writeFileSync(join(tmp.path, 'secret'), 'proc-secret\n');
    const config = join(tmp.path, 'edge.yaml');
    writeFileSync(
      config,
      [
        'clusterId: proc-edge',
        'secretFile: secret',
        `hubKeys: ["${TEST_HUB_KEY}"]`,
        'hub:',
        `  mqttUrl: ${broker.url}`,
        `  httpUrl: ${media.url}`,
        // A bare plain broker and media server: the lifecycle is what this file is about.
        '  allowPlaintext: true',
        'dataDir: data',
        'sink:',
        '  type: "null"',
        'log:',
        '  level: warn',
      ].join('\n'),
    );
    const p = run(config);
    const online = await watcher.waitFor('online', () => watcher.of('proc-edge', 'presence').find((x) => x.status === 'online'));
    expect(online.agent).toMatch(/^loa-edge\/\d+\.\d+\.\d+$/);
    await watcher.waitFor('state', () => watcher.of('proc-edge', 'state').length > 0);
    const play = cmd.play(1, tone.ref, { startInMs: 50 });
    await watcher.send('proc-edge', play);
    await watcher.waitAck('proc-edge', play.id, 'started');

    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    const stopped = watcher.acks('proc-edge').find((a) => a.cmdId === play.id && a.status === 'stopped');
    expect(stopped).toMatchObject({ reason: 'shutdown' });
    const last = await watcher.waitFor(
      'offline',
      () => watcher.of('proc-edge', 'presence').at(-1)?.status === 'offline' && watcher.of('proc-edge', 'presence').at(-1),
    );
    // A clean goodbye, not the last will ("lost") the broker sends when a box just disappears.
    expect(last).toMatchObject({ status: 'offline', reason: 'shutdown' });
    expect(p.stderr()).toBe('');
  });

  it('exits non-zero with file:line and the reason on one stderr line for a bad config', async () => {
    const config = join(tmp.path, 'bad.yaml');
    writeFileSync(config, 'clusterId: proc-edge\nsecret: x\nsink:\n  type: speaker\n');
    const p = run(config);
    const code = await p.exited;
    expect(code).not.toBe(0);
    const lines = p.stderr().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`${config}:4:`);
    expect(lines[0]).toMatch(/sink\.type/);
  });
});

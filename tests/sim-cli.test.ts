// The loa-sim bin as a child process (compiled dist/, built by `npm test` before vitest): it reads
// a fleet file, connects the clusters, answers commands, and exits 0 on SIGTERM after a clean
// goodbye; bad arguments and files give a one-line reason and a non-zero exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub } from './helpers/hub.js';
import { runPki } from './helpers/hub-tls.js';
import { startTestBroker } from './helpers/sim-broker.js';
import { TestHub } from './helpers/sim-hub.js';
import { TEST_HUB_KEY } from './helpers/signing.js';
import { makeTempDir } from './helpers/tmp.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'loa-sim.js');

beforeAll(() => {
  if (!existsSync(join(import.meta.dirname, '..', 'dist', 'firmware-sim', 'main.js'))) {
    throw new Error('dist/ is missing: run `npx tsc -p .` (npm test does) before this suite');
  }
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function run(args: string[]): { child: ChildProcess; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout!.resume();
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  cleanups.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return { child, stderr: () => err, exit };
}

async function until(ok: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('loa-sim CLI', () => {
  it('connects the clusters of a YAML fleet file, plays, and exits 0 on SIGTERM with offline presence', async () => {
    const tmp = makeTempDir('loa-sim-cli-');
    cleanups.push(() => tmp.remove());
    const clusters = ['ban-hon', 'ban-ngoc', 'pa-te'];
    const fleetFile = join(tmp.path, 'fleet.yaml');
    writeFileSync(fleetFile, `clusters:\n${clusters.map((id) => `  - id: ${id}\n    secret: pw-${id}\n`).join('')}`);
    const broker = await startTestBroker(new Map(clusters.map((id) => [id, `pw-${id}`])));
    cleanups.push(() => broker.stop());
    const hub = await TestHub.connect(broker.url);
    cleanups.push(() => hub.close());

    const sim = run([
      '--fleet',
      fleetFile,
      '--hub-key',
      TEST_HUB_KEY,
      '--mqtt',
      broker.url,
      '--connect-rate',
      '0',
      '--fetch-delay',
      '0',
      '--summary-interval',
      '1',
      '--log-level',
      'warn',
    ]);
    await hub.waitUntil(() => clusters.every((id) => hub.of(id, 'presence').at(-1)?.body.status === 'online'), 10_000, 'three clusters online');

    const cmd = hub.play('pa-te', { startAt: Date.now() + 100, durationMs: 200 });
    await hub.send('pa-te', cmd);
    await hub.waitUntil(() => hub.of('pa-te', 'ack').some((m) => m.body.cmdId === cmd.id && m.body.status === 'finished'), 5_000, 'finished');
    await until(() => /3\/3 connected, 0 playing/.test(sim.stderr()), 3_000, 'a summary line');

    sim.child.kill('SIGTERM');
    expect(await sim.exit).toBe(0);
    for (const id of clusters) expect(hub.of(id, 'presence').at(-1)?.body).toMatchObject({ status: 'offline', reason: 'shutdown' });
  });

  it('connects to a real hub over MQTT over TLS, trusting the --ca it is given; without --ca it refuses mqtts://', async () => {
    const t = await startTestHub();
    cleanups.push(() => t.stop());
    const tmp = makeTempDir('loa-sim-cli-');
    cleanups.push(() => tmp.remove());
    const fleetFile = join(tmp.path, 'fleet.jsonl');
    const clusters = ['tls-a', 'tls-b'];
    writeFileSync(fleetFile, (await Promise.all(clusters.map((id) => t.addCluster(id)))).map((c) => JSON.stringify(c)).join('\n'));
    const noCa = run(['--fleet', fleetFile, '--hub-key', TEST_HUB_KEY, '--mqtt', t.addresses.mqttUrl]);
    expect(await noCa.exit).not.toBe(0);
    expect(noCa.stderr()).toMatch(/--mqtt is mqtts:\/\/: give --ca <file>/);
    const sim = run(['--fleet', fleetFile, '--hub-key', TEST_HUB_KEY, '--mqtt', t.addresses.mqttUrl, '--ca', runPki().caFile, '--summary-interval', '0']);
    await until(() => clusters.every((id) => t.hub.store.clusters.get(id)?.online === true), 10_000, 'the clusters online over TLS');
    sim.child.kill('SIGTERM');
    expect(await sim.exit).toBe(0);
  });

  it('reads JSON lines as printed by `loa clusters add --json`', async () => {
    const tmp = makeTempDir('loa-sim-cli-');
    cleanups.push(() => tmp.remove());
    const fleetFile = join(tmp.path, 'fleet.jsonl');
    // The hub's key as `loa clusters add --json` prints it beside the secret: no --hub-key needed.
    const keys = JSON.stringify([TEST_HUB_KEY]);
    writeFileSync(fleetFile, `{"id":"khau-pha","secret":"s1","hubKeys":${keys}}\n{"cluster":{"id":"lang-cang"},"secret":"s2","hubKeys":${keys}}\n`);
    const broker = await startTestBroker(
      new Map([
        ['khau-pha', 's1'],
        ['lang-cang', 's2'],
      ]),
    );
    cleanups.push(() => broker.stop());
    const hub = await TestHub.connect(broker.url);
    cleanups.push(() => hub.close());
    const sim = run(['--fleet', fleetFile, '--mqtt', broker.url, '--summary-interval', '0']);
    await hub.waitUntil(() => ['khau-pha', 'lang-cang'].every((id) => hub.of(id, 'presence').at(-1)?.body.status === 'online'), 10_000, 'online');
    sim.child.kill('SIGINT');
    expect(await sim.exit).toBe(0);
  });

  it('answers --help and refuses bad input with a reason', async () => {
    const help = run(['--help']);
    expect(await help.exit).toBe(0);

    const badRate = run(['--fleet', 'x.yaml', '--failure-rate', '1.5']);
    expect(await badRate.exit).not.toBe(0);
    expect(badRate.stderr()).toMatch(/failure rate must be between 0 and 1/);

    const tmp = makeTempDir('loa-sim-cli-');
    cleanups.push(() => tmp.remove());
    const fleetFile = join(tmp.path, 'fleet.yaml');
    writeFileSync(fleetFile, '- id: ok-one\n  secret: a\n- id: Bad_Id\n  secret: b\n');
    const badFile = run(['--fleet', fleetFile]);
    expect(await badFile.exit).not.toBe(0);
    expect(badFile.stderr()).toMatch(/fleet\.yaml:3:\d+: 1\.id: must be a cluster id/);

    // No hub key anywhere: the clusters would obey anyone, so the simulator does not start.
    writeFileSync(fleetFile, '- id: ok-one\n  secret: a\n');
    const noKey = run(['--fleet', fleetFile, '--mqtt', 'mqtt://127.0.0.1:9']);
    expect(await noKey.exit).not.toBe(0);
    expect(noKey.stderr()).toMatch(/LOA_SIM_NO_HUB_KEY|give the hub's public key/);
    const badKey = run(['--fleet', fleetFile, '--hub-key', 'ed25519:nope', '--mqtt', 'mqtt://127.0.0.1:9']);
    expect(await badKey.exit).not.toBe(0);
    expect(badKey.stderr()).toMatch(/must be ed25519: followed by/);
  });
});

// loa-hub on a listening socket handed over as systemd socket activation does (systemd/loa-hub.socket):
// it serves MQTT over TLS on that socket, not on its configured port, and while it restarts the
// port stays open: a box connecting then waits and gets in once the new hub is up, never refused.
// harness/held-socket.ts plays systemd (it holds the socket and runs one loa-hub after another on it).
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { inheritedListeners } from '../hub/broker/socket-activation.js';
import { repoBin } from '../harness/bin.js';
import { holdSocket, type HeldSocket } from '../harness/held-socket.js';
import { freePort } from '../harness/ports.js';
import { waitFor } from './helpers/hub.js';
import { makeTempDir } from './helpers/tmp.js';

const tmp = makeTempDir('loa-socket-activation-');
let held: HeldSocket | null = null;
afterAll(async () => {
  await held?.close();
  tmp.remove();
});

/** A TCP connect to the port: 'open', or the error's code ('ECONNREFUSED'). */
function tcpState(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = tcpConnect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve('open');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

describe('inheritedListeners', () => {
  it('reads the sockets meant for this process, by name, and clears the variables', () => {
    const env: NodeJS.ProcessEnv = { LISTEN_PID: '42', LISTEN_FDS: '2', LISTEN_FDNAMES: 'mqtts:mqtt' };
    expect([...inheritedListeners(env, 42)]).toEqual([
      ['mqtts', 3],
      ['mqtt', 4],
    ]);
    expect(env).toEqual({});
    // Meant for another process (a parent that did not clear them), unnamed, or nonsense.
    expect(inheritedListeners({ LISTEN_PID: '41', LISTEN_FDS: '1' }, 42).size).toBe(0);
    expect([...inheritedListeners({ LISTEN_PID: '42', LISTEN_FDS: '1' }, 42)]).toEqual([['fd0', 3]]);
    expect(inheritedListeners({ LISTEN_PID: '42', LISTEN_FDS: 'x' }, 42).size).toBe(0);
    expect(inheritedListeners({}, 42).size).toBe(0);
  });
});

describe('loa-hub with its MQTT port held by systemd', () => {
  it('serves the socket it is given, and a box connecting during a restart is queued, not refused', async () => {
    const dataDir = join(tmp.path, 'hub');
    const configuredPort = await freePort();
    const httpPort = await freePort();
    const config = join(tmp.path, 'hub.yaml');
    writeFileSync(
      config,
      stringify({
        dataDir,
        log: { level: 'info' },
        mqtt: { host: '127.0.0.1', tls: { port: configuredPort } },
        http: { host: '127.0.0.1', port: httpPort, plain: true },
      }),
    );
    const lines: string[] = [];
    held = await holdSocket({ name: 'mqtts', onLine: (line) => lines.push(line) });
    const { port } = held;
    const argv = [process.execPath, repoBin('loa-hub.js'), '--config', config];
    let hub = await held.run(argv);
    const started = () => existsSync(join(dataDir, 'hub.json')) && existsSync(join(dataDir, 'operator.token'));
    await waitFor(started, { what: 'loa-hub up', timeoutMs: 30_000 });
    expect(lines.join('\n')).toContain('"listener":"socket from systemd"');
    // The configured port is not opened: the hub serves the socket it was given.
    expect(await tcpState(configuredPort)).toBe('ECONNREFUSED');

    const token = readFileSync(join(dataDir, 'operator.token'), 'utf8').trim();
    const added = await fetch(`http://127.0.0.1:${httpPort}/api/v1/clusters`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'ban-a' }),
    });
    expect(added.status).toBe(201);
    const { secret } = (await added.json()) as { secret: string };
    const ca = readFileSync(join(dataDir, 'tls', 'ca.pem'));
    const login = () =>
      mqtt.connectAsync(`mqtts://127.0.0.1:${port}`, {
        clientId: 'ban-a',
        username: 'ban-a',
        password: secret,
        ca,
        reconnectPeriod: 0,
        connectTimeout: 20_000,
      });
    const first = await login();
    await first.endAsync(true);

    // The restart: the old hub stops (it closes its copy of the socket), a new one starts on it.
    rmSync(join(dataDir, 'hub.json'));
    process.kill(hub.pid, 'SIGTERM');
    await hub.exited;
    hub = await held.run(argv);
    // The new hub is still starting: nothing serves the port, yet a box connecting now waits in the
    // kernel's queue, and so does every other connection until the hub is up.
    expect(started()).toBe(false);
    const during = login();
    const states: string[] = [];
    while (!started()) {
      states.push(await tcpState(port));
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(states.length).toBeGreaterThan(0);
    expect(states.filter((x) => x !== 'open')).toEqual([]);
    const box = await during;
    expect(box.connected).toBe(true);
    await box.endAsync(true);
  }, 60_000);
});

// Issue 14, item 4: a box speaks plain text only when its config says so. A real loa-edge given an
// mqtt:// or http:// hub URL without hub.allowPlaintext stops at config load with a line naming
// the key, before any connection (a plain listener there is never dialled); with the opt-in it
// connects and logs a warning at start.
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeEdgeConfig } from '../../harness/edge-process.js';
import { REPO } from '../helpers/cli-run.js';
import { startBroker, type TestBroker } from '../helpers/daemon-fixtures.js';
import { spawnEdge } from '../helpers/edge-process.js';
import { waitFor } from '../helpers/hub.js';
import { runPki } from '../helpers/hub-tls.js';
import { makeTempDir } from '../helpers/tmp.js';

const EDGE_BIN = join(REPO, 'bin', 'loa-edge.js');
const tmp = makeTempDir('loa-sec-tls-plain-');
let dialled = 0;
let listener: Server;
let plainPort = 0;

beforeAll(async () => {
  // Counts every TCP connection: a box that refuses its config must never get here.
  listener = createServer((s) => {
    dialled += 1;
    s.destroy();
  });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()));
  plainPort = (listener.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((r) => listener.close(() => r()));
  tmp.remove();
});

function runEdge(configFile: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [EDGE_BIN, '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

const base = { clusterId: 'ban-plain', secret: 'never-in-clear-42', caFile: '' };

describe('plain text to the hub needs hub.allowPlaintext', () => {
  it('refuses mqtt:// at config load, naming the key, and dials nothing', async () => {
    const { configFile } = writeEdgeConfig({
      ...base,
      caFile: runPki().caFile,
      dir: join(tmp.path, 'mqtt'),
      mqttUrl: `mqtt://127.0.0.1:${plainPort}`,
      httpUrl: 'https://127.0.0.1:8080',
    });
    const r = await runEdge(configFile);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/edge\.yaml:\d+:\d+: hub\.mqttUrl: mqtt:\/\/127\.0\.0\.1:\d+ is unencrypted/);
    expect(r.stderr).toContain('hub.allowPlaintext: true');
    expect(r.stderr).not.toContain(base.secret);
    expect(dialled).toBe(0);
  });

  it('refuses http:// at config load, naming the key', async () => {
    const { configFile } = writeEdgeConfig({
      ...base,
      caFile: runPki().caFile,
      dir: join(tmp.path, 'http'),
      mqttUrl: 'mqtts://127.0.0.1:8883',
      httpUrl: `http://127.0.0.1:${plainPort}`,
    });
    const r = await runEdge(configFile);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/hub\.httpUrl: http:\/\/127\.0\.0\.1:\d+\/? is unencrypted/);
    expect(dialled).toBe(0);
  });

  it('refuses mqtts:// without hub.caFile (it would trust the system store)', async () => {
    const { configFile } = writeEdgeConfig({ ...base, dir: join(tmp.path, 'noca'), mqttUrl: 'mqtts://127.0.0.1:8883', httpUrl: 'https://127.0.0.1:8080' });
    const r = await runEdge(configFile);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/hub\.caFile: is needed for mqtts:\/\/ and https:\/\//);
  });

  describe('with hub.allowPlaintext: true', () => {
    let broker: TestBroker;
    const logins: string[] = [];
    beforeAll(async () => {
      broker = await startBroker({
        authenticate: (user) => {
          logins.push(String(user));
          return true;
        },
      });
    });
    afterAll(async () => {
      await broker.close();
    });

    it('connects over plain MQTT and logs a warning at start', async () => {
      const edge = spawnEdge({ ...base, dir: join(tmp.path, 'optin'), mqttUrl: broker.url, httpUrl: 'http://127.0.0.1:9', allowPlaintext: true });
      try {
        await waitFor(() => logins.includes(base.clusterId), { what: 'the box logging in over plain MQTT', timeoutMs: 15_000 });
        const warning = edge.logs().find((l) => String(l.msg).includes('plain text to the hub'));
        expect(warning).toMatchObject({ level: 40, mqttUrl: broker.url });
      } finally {
        await edge.stop();
      }
    });
  });
});

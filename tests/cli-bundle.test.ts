// `loa clusters add` over HTTPS to a hub with its own CA (made at first start): the CLI trusts that
// CA from the hub's data dir (hub.json) or LOA_HUB_CA, and prints or writes the provisioning bundle
// (edge.yaml and the CA); a real loa-edge started from the written bundle comes online.
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createLogger } from '../common/logger.js';
import { Hub } from '../hub/hub.js';
import { spawnLoa } from './helpers/cli-run.js';
import { testHubConfig, waitFor } from './helpers/hub.js';
import { makeTempDir } from './helpers/tmp.js';

const tmp = makeTempDir('loa-cli-bundle-');
const dataDir = join(tmp.path, 'hub');
let hub: Hub;
let caPem = '';
const loa = (args: string[], env: Record<string, string> = {}) => spawnLoa(['--data-dir', dataDir, ...args], { cwd: tmp.path, env });

beforeAll(async () => {
  // tls.names first entry: the address boxes are given (here the loopback the test runs on).
  hub = new Hub({ config: testHubConfig(dataDir, { tls: { names: ['127.0.0.1'] } }), logger: createLogger({ name: 'hub', level: 'silent' }), cron: false });
  await hub.start();
  caPem = readFileSync(hub.addresses.caFile, 'utf8');
});

afterAll(async () => {
  await hub.stop();
  tmp.remove();
});

describe('loa clusters add: the provisioning bundle', () => {
  it("prints the secret as before, then the box's edge.yaml and the hub's CA", async () => {
    const r = await loa(['clusters', 'add', 'ban-print']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('Cluster ban-print added.');
    expect(r.stdout).toMatch(/Write this secret down now/);
    const yamlText = r.stdout.slice(r.stdout.indexOf('clusterId:'), r.stdout.indexOf("and the hub's CA certificate"));
    const edge = parse(yamlText) as { clusterId: string; secret: string; hubKeys: string[]; hub: Record<string, unknown> };
    expect(edge.clusterId).toBe('ban-print');
    // The hub's public signing keys: the box obeys only what they verify.
    expect(edge.hubKeys).toEqual(hub.hubKeys());
    expect(edge.hub).toEqual({
      mqttUrl: `mqtts://127.0.0.1:${hub.addresses.mqttsPort}`,
      httpUrl: `https://127.0.0.1:${hub.addresses.httpPort}`,
      caFile: '/etc/loa/hub-ca.pem',
    });
    expect(r.stdout).toContain(caPem.trim());
  });

  it('--json carries the same bundle', async () => {
    const r = await loa(['clusters', 'add', 'ban-json', '--json']);
    const out = JSON.parse(r.stdout) as { id: string; secret: string; provisioning: { mqttUrl: string; httpUrl: string; caPem: string; hubKeys: string[] } };
    expect(out.provisioning).toEqual({
      mqttUrl: `mqtts://127.0.0.1:${hub.addresses.mqttsPort}`,
      httpUrl: `https://127.0.0.1:${hub.addresses.httpPort}`,
      caPem,
      hubKeys: hub.hubKeys(),
    });
  });

  it('--bundle DIR writes edge.yaml, edge.secret (0600) and hub-ca.pem, and a box started from them comes online', async () => {
    const dir = join(tmp.path, 'bundle');
    const r = await loa(['clusters', 'add', 'ban-bundle', '--bundle', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Provisioning bundle written to ${dir}`);
    expect(r.stdout).not.toMatch(/BEGIN CERTIFICATE/);
    expect(statSync(join(dir, 'edge.secret')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'hub-ca.pem'), 'utf8')).toBe(caPem);
    // What an installer adds for the box itself: where its data goes, and its sound output.
    appendFileSync(join(dir, 'edge.yaml'), `dataDir: ${join(dir, 'data')}\nsink:\n  type: 'null'\n`);
    // The bundle's own file, unchanged apart from the lines above.
    const child = spawn(process.execPath, [join(process.cwd(), 'bin', 'loa-edge.js'), '--config', join(dir, 'edge.yaml')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    try {
      await waitFor(() => hub.store.clusters.get('ban-bundle')?.online, { what: 'the bundled box online', timeoutMs: 20_000 }).catch((e: Error) => {
        throw new Error(`${e.message}\n${out.slice(-3000)}`);
      });
      // And it obeys the hub: the bundle's hubKeys verify the hub's signed commands.
      expect((await loa(['clusters', 'volume', 'ban-bundle', '37'])).code).toBe(0);
      await waitFor(() => hub.devices.reportedState('ban-bundle')?.volume === 37, {
        what: 'the bundled box obeying a volume command',
        timeoutMs: 10_000,
      }).catch((e: Error) => {
        throw new Error(`${e.message}\n${out.slice(-3000)}`);
      });
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('--bundle into a folder that already holds one registers nothing', async () => {
    const dir = join(tmp.path, 'taken');
    await loa(['clusters', 'add', 'ban-first', '--bundle', dir]);
    const r = await loa(['clusters', 'add', 'ban-second', '--bundle', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('LOA_CLI_BUNDLE_EXISTS');
    expect(hub.store.clusters.get('ban-second')).toBeFalsy();
  });
});

describe("the CLI trusts the hub's CA", () => {
  it("refuses the hub's certificate without it, and trusts it from LOA_HUB_CA", async () => {
    const away = { LOA_HUB: hub.addresses.httpUrl, LOA_TOKEN: hub.operatorToken() };
    const without = await spawnLoa(['clusters', 'list'], { cwd: tmp.path, env: away });
    expect(without.code).toBe(1);
    expect(without.stderr).toContain('LOA_CLI_HUB_UNTRUSTED');
    expect(without.stderr).toContain('LOA_HUB_CA');
    writeFileSync(join(tmp.path, 'hub-ca.pem'), caPem);
    const withCa = await spawnLoa(['clusters', 'list', '--json'], { cwd: tmp.path, env: { ...away, LOA_HUB_CA: 'hub-ca.pem' } });
    expect(withCa.stderr).toBe('');
    expect(withCa.code).toBe(0);
  });
});

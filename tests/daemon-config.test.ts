// The loa-edge config file: defaults, relative paths, and errors that name file:line, path, reason.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isLoaError } from '../common/errors.js';
import { loadEdgeConfig, readSecret } from '../daemon/config.js';
import { TEST_HUB_KEY as KEY } from './helpers/signing.js';
import { makeTempDir } from './helpers/tmp.js';

const tmp = makeTempDir('loa-daemon-config-');
afterAll(() => tmp.remove());

function file(name: string, text: string): string {
  const p = join(tmp.path, name);
  writeFileSync(p, text);
  return p;
}

describe('edge config', () => {
  it('fills in the defaults around the three required settings', () => {
    const c = loadEdgeConfig(file('min.yaml', `clusterId: ban-hon\nsecret: s3cret\nhubKeys: ["${KEY}"]\nhub:\n  caFile: hub-ca.pem\n`));
    expect(c).toMatchObject({
      clusterId: 'ban-hon',
      // Encrypted by default, trusting the hub's CA alone (issue 14, item 4).
      hub: { mqttUrl: 'mqtts://127.0.0.1:8883', httpUrl: 'https://127.0.0.1:8080', caFile: join(tmp.path, 'hub-ca.pem'), allowPlaintext: false },
      dataDir: '/var/lib/loa-edge',
      sink: { type: 'alsa', device: 'default' },
      healthIntervalSec: 30,
      keepaliveSec: 20,
      reconnect: { minMs: 1000, maxMs: 60_000 },
      log: { level: 'info' },
    });
    expect(readSecret(c)).toBe('s3cret');
  });

  it('reads the secret from secretFile and resolves relative paths against the config file', () => {
    file('cluster.secret', 'from-file\n');
    const c = loadEdgeConfig(
      file(
        'rel.yaml',
        `clusterId: ban-hon\nsecretFile: cluster.secret\nhubKeys: ["${KEY}"]\nhub:\n  caFile: hub-ca.pem\ndataDir: data\nsink:\n  type: file\n  dir: out\n`,
      ),
    );
    expect(c.dataDir).toBe(join(tmp.path, 'data'));
    expect(c.sink).toEqual({ type: 'file', dir: join(tmp.path, 'out') });
    expect(readSecret(c)).toBe('from-file');
  });

  it('reports each problem with file:line:col, the path in the file and the reason', () => {
    const p = file('bad.yaml', 'clusterId: Ban_Hon\nsecret: x\nhub:\n  mqttUrl: http://hub\nreconnect:\n  minMs: 5000\n  maxMs: 100\n');
    let message = '';
    try {
      loadEdgeConfig(p);
    } catch (e) {
      expect(isLoaError(e) && e.code).toBe('LOA_CONFIG_INVALID');
      message = (e as Error).message;
    }
    expect(message).toContain(`${p}:1:12: clusterId: must be lowercase letters`);
    expect(message).toContain(`${p}:4:12: hub.mqttUrl: must be mqtts://`);
    expect(message).toMatch(/:6:\d+: reconnect: maxMs must not be smaller than minMs/);
  });

  it('accepts the shipped example (with its commented-out sections) as it is', () => {
    const c = loadEdgeConfig('config/edge.example.yaml');
    expect(c).toMatchObject({ clusterId: 'ban-hon', secretFile: '/etc/loa/edge.secret', ffmpeg: {}, sink: { type: 'alsa' }, insecureAcceptUnsigned: false });
    expect(c.hubKeys).toHaveLength(1);
  });

  it('wants exactly one of secret and secretFile', () => {
    expect(() => loadEdgeConfig(file('none.yaml', 'clusterId: ban-hon\n'))).toThrow(/give exactly one of secret or secretFile/);
    expect(() => loadEdgeConfig(file('both.yaml', 'clusterId: ban-hon\nsecret: a\nsecretFile: b\n'))).toThrow(/exactly one/);
  });

  it("wants the hub's key, well formed, unless unsigned commands are accepted on purpose", () => {
    expect(() => loadEdgeConfig(file('nokey.yaml', 'clusterId: ban-hon\nsecret: a\n'))).toThrow(/nokey\.yaml.*hubKeys: give the hub's public key/s);
    expect(() => loadEdgeConfig(file('badkey.yaml', 'clusterId: ban-hon\nsecret: a\nhubKeys: ["ed25519:abc"]\n'))).toThrow(/hubKeys\.0: must be ed25519:/);
    const open = loadEdgeConfig(file('open.yaml', 'clusterId: ban-hon\nsecret: a\ninsecureAcceptUnsigned: true\nhub:\n  caFile: hub-ca.pem\n'));
    expect(open).toMatchObject({ hubKeys: [], insecureAcceptUnsigned: true });
  });
});

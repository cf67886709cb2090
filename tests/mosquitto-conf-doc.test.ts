// The Mosquitto config that docs/external-broker.md tells an installer to write, and the one the
// tests' and benchmarks' launcher (harness/mosquitto.ts) generates, must not drift apart: every
// setting of the doc is in the launcher's config with the same value, and the doc's file itself
// (paths and port swapped for temporary ones) starts Debian's real mosquitto.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MOSQUITTO, renderMosquittoConf } from '../harness/mosquitto.js';
import { freePort, portAccepts } from '../harness/ports.js';
import { waitFor } from './helpers/hub.js';
import { makeTempDir } from './helpers/tmp.js';
import { requireTool } from './helpers/tools.js';

const DOC = join(import.meta.dirname, '..', 'docs', 'external-broker.md');
const tmp = makeTempDir('loa-mqconf-');
// Debian puts it in /usr/sbin, which a non-root PATH may lack.
const haveMosquitto = existsSync(MOSQUITTO) || requireTool('mosquitto');
afterAll(() => tmp.remove());

/** The code block after "`/etc/mosquitto/conf.d/loa.conf`:" in the doc. */
function docConf(): string {
  const md = readFileSync(DOC, 'utf8');
  const at = md.indexOf('`/etc/mosquitto/conf.d/loa.conf`:');
  expect(at, 'the doc names /etc/mosquitto/conf.d/loa.conf').toBeGreaterThan(0);
  const open = md.indexOf('```', at);
  const body = md.indexOf('\n', open) + 1;
  return md.slice(body, md.indexOf('```', body));
}

/** Directives as [key, value] in order (comments, blank lines and inline comments dropped). */
function directives(conf: string): [string, string][] {
  return conf
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [key, ...rest] = l.split(/\s+/);
      return [key!, rest.join(' ')];
    });
}

function launcherConf(): string {
  const files = { password: '/p/passwd', acl: '/p/acl', pid: '/p/pid', log: '/p/log' };
  return renderMosquittoConf({
    ports: { device: 1883, tls: null, inspect: null },
    files,
    // The launcher's defaults for a fleet of 10,000 (harness/mosquitto.ts startMosquitto).
    limits: { inflight: 100, queued: 20_000, packet: 262_144, keepalive: 120 },
    tls: undefined,
    verboseLog: false,
  });
}

describe('docs/external-broker.md and harness/mosquitto.ts', () => {
  it('the launcher sets every setting the doc asks for, with the same values', () => {
    const doc = directives(docConf());
    const ours = directives(launcherConf());
    expect(doc.length).toBeGreaterThan(8);
    const PATHS = new Set(['password_file', 'acl_file', 'pid_file', 'user']);
    for (const [key, value] of doc) {
      const mine = ours.filter(([k]) => k === key).map(([, v]) => v);
      expect(mine, `${key} is in the launcher's config`).not.toEqual([]);
      if (!PATHS.has(key) && key !== 'listener') expect(mine, `${key} ${value}`).toContain(value);
    }
    // use_username_as_clientid belongs to a listener: right after the doc's device listener, and ours.
    for (const d of [doc, ours]) {
      const i = d.findIndex(([k]) => k === 'listener');
      expect(d.slice(i + 1).find(([k]) => k === 'listener' || k === 'use_username_as_clientid')?.[0]).toBe('use_username_as_clientid');
    }
  });

  it.skipIf(!haveMosquitto)("the doc's file starts Debian's mosquitto (paths and port swapped for temporary ones)", async () => {
    const port = await freePort();
    const dir = tmp.path;
    writeFileSync(join(dir, 'passwd'), '', { mode: 0o600 });
    writeFileSync(join(dir, 'acl'), '', { mode: 0o600 });
    const conf = docConf()
      .replaceAll('/var/lib/loa-hub/mosquitto', dir)
      .replace(/^user loa$/m, `user ${userInfo().username}`)
      .replace(/^listener 1883$/m, `listener ${port} 127.0.0.1`);
    expect(conf).toContain(`listener ${port} 127.0.0.1`);
    const file = join(dir, 'loa.conf');
    writeFileSync(file, conf);
    const child = spawn(MOSQUITTO, ['-c', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise((r) => child.once('exit', r));
    try {
      await waitFor(async () => child.exitCode === null && (await portAccepts(port)), { what: `mosquitto listening on ${port}`, timeoutMs: 10_000 }).catch(
        (e: unknown) => {
          throw new Error(`${String(e)}; mosquitto said: ${err}`);
        },
      );
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});

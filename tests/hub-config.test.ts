// The hub's config file and process: defaults with no file, errors naming file, line and path,
// the ffmpeg it uses in its log, and --help on every bin.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { LoaError } from '../common/errors.js';
import { createLogger } from '../common/logger.js';
import { loadHubConfig } from '../hub/config.js';
import { startTestHub } from './helpers/hub.js';
import { makeTempDir } from './helpers/tmp.js';

const tmp = makeTempDir();
afterAll(() => tmp.remove());

function run(bin: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join('bin', bin), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('hub config', () => {
  it('runs on defaults with no file at all', () => {
    const c = loadHubConfig(undefined);
    expect(c.dataDir).toBe('./data');
    expect(c.mqtt.port).toBe(1883);
    expect(c.http.port).toBe(8080);
    expect(c.timezone).toBe('Asia/Ho_Chi_Minh');
    // TLS on by default (issue 14, item 4); plain listeners only when asked for.
    expect(c.mqtt.tls.port).toBe(8883);
    expect(c.mqtt.plain).toBe(false);
    expect(c.http.plain).toBe(false);
  });

  it('reports every problem with file, line, column and the path inside the file', () => {
    const file = join(tmp.path, 'bad.yaml');
    writeFileSync(file, 'dataDir: /tmp/x\nmqtt:\n  port: "eighteen"\ndispatch:\n  leadMS: 1\nhttp:\n  port: 99999\n');
    try {
      loadHubConfig(file);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(LoaError);
      const msg = (e as LoaError).message;
      expect(msg).toContain(`${file}:3:9: mqtt.port:`);
      expect(msg).toContain(`${file}:5:3: dispatch.leadMS: Unrecognized key`);
      expect(msg).toContain(`${file}:7:9: http.port:`);
    }
  });

  it("names a YAML syntax error's line", () => {
    const file = join(tmp.path, 'syntax.yaml');
    writeFileSync(file, 'mqtt:\n  port: 1883\n http: [\n');
    expect(() => loadHubConfig(file)).toThrow(new RegExp(`${file}:\\d+:\\d+`));
  });

  it('loa-hub exits non-zero with the reason on stderr for a bad file, and --check accepts the example', async () => {
    const file = join(tmp.path, 'bad2.yaml');
    writeFileSync(file, 'log:\n  level: loud\n');
    const r = await run('loa-hub.js', ['--config', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:2:10: log.level`);
    const ok = await run('loa-hub.js', ['--config', 'config/hub.example.yaml', '--check']);
    expect(ok.code, ok.stderr).toBe(0);
    const missing = await run('loa-hub.js', ['--config', join(tmp.path, 'nope.yaml')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/LOA_CONFIG_UNREADABLE.*nope\.yaml/);
  });

  it('loa-hub --check also reads the cameras file the config names, and names its bad line', async () => {
    const cams = join(tmp.path, 'cameras.yaml');
    writeFileSync(
      cams,
      'cameras:\n  - id: cam-1\n    host: 10.0.0.5\n    user: admin\n    password: admin\n  - id: Cam 2!\n    host: 10.0.0.6\n    user: admin\n    password: ' +
        'admin\n',
    );
    const cfg = join(tmp.path, 'with-cameras.yaml');
    writeFileSync(cfg, `cameras:\n  file: ${cams}\n`);
    const bad = await run('loa-hub.js', ['--config', cfg, '--check']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${cams}:6:`);
    writeFileSync(cams, 'cameras:\n  - id: cam-1\n    host: 10.0.0.5\n    user: admin\n    password: admin\n');
    const ok = await run('loa-hub.js', ['--config', cfg, '--check']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('1 cameras');
  });

  it('every bin answers --help with exit 0', async () => {
    for (const bin of ['loa.js', 'loa-hub.js', 'loa-edge.js', 'loa-sim.js']) {
      const r = await run(bin, ['--help']);
      expect(r.code, bin).toBe(0);
      expect(r.stdout, bin).toMatch(/Usage:/);
    }
  });
});

describe('hub start', () => {
  it("logs which ffmpeg it uses and writes the local CLI's token and address", async () => {
    const lines: { msg: string; source?: string; ffmpeg?: string }[] = [];
    const logger = createLogger({
      name: 'test',
      level: 'info',
      destination: new Writable({
        write(c, _e, cb) {
          lines.push(JSON.parse(String(c)));
          cb();
        },
      }),
    });
    const t = await startTestHub({ logger });
    try {
      const line = lines.find((l) => l.msg.startsWith('using ffmpeg from'));
      expect(line?.source).toMatch(/config|FFMPEG_PATH|ffmpeg-static|@ffmpeg-installer\/ffmpeg|PATH/);
      expect(line?.ffmpeg).toBe(t.hub.ffmpeg.path);
      const { statSync, readFileSync } = await import('node:fs');
      expect(statSync(join(t.dataDir, 'operator.token')).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(join(t.dataDir, 'hub.json'), 'utf8')).httpUrl).toBe(t.addresses.httpUrl);
    } finally {
      await t.stop();
    }
  });
});

// The real `node bin/loa.js` child process against the stand-in hub of
// tests/helpers/cli-standin-hub.ts (a stand-in: the real hub's HTTP API is being built beside the
// CLI; end-to-end tests against it come with the hub): discovery order, exit statuses, stderr
// lines, help, and `media add` streaming a file with progress from the NDJSON answer.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort } from '../harness/ports.js';
import { NOW, seedState } from './helpers/cli-fixtures.js';
import { spawnLoa } from './helpers/cli-run.js';
import { startStandinHub, type StandinHub } from './helpers/cli-standin-hub.js';
import { makeTempDir } from './helpers/tmp.js';

let dir: { path: string; remove(): void };
const hubs: StandinHub[] = [];

async function hubWith(token: string, uploadOutcome: 'done' | 'error' = 'done'): Promise<StandinHub> {
  const hub = await startStandinHub({ tokens: [token], state: seedState(), now: NOW, uploadOutcome });
  hubs.push(hub);
  return hub;
}

beforeAll(() => {
  dir = makeTempDir('loa-cli-proc-');
});
afterAll(async () => {
  await Promise.all(hubs.map((h) => h.close()));
  dir.remove();
});

describe('finding the hub and the token', () => {
  test('flags win over env, env over <dataDir>/hub.json and operator.token', async () => {
    const [flagHub, envHub, fileHub] = [await hubWith('flag-token'), await hubWith('env-token'), await hubWith('file-token')];
    const dataDir = join(dir.path, 'data');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'hub.json'), JSON.stringify({ httpUrl: fileHub.url }));
    writeFileSync(join(dataDir, 'operator.token'), 'file-token\n', { mode: 0o600 });

    // Only the data directory (found as ./data from the working directory).
    const fromFiles = await spawnLoa(['clusters', 'list', '--json'], { cwd: dir.path });
    expect(fromFiles.code).toBe(0);
    expect(fileHub.requests.at(-1)!.headers.authorization).toBe('Bearer file-token');
    expect(JSON.parse(fromFiles.stdout).clusters.map((c: { id: string }) => c.id)).toEqual(['ban-hon', 'lang-cang']);

    const env = { LOA_HUB: envHub.url, LOA_TOKEN: 'env-token' };
    expect((await spawnLoa(['clusters', 'list'], { cwd: dir.path, env })).code).toBe(0);
    expect(envHub.requests.at(-1)!.headers.authorization).toBe('Bearer env-token');

    const flags = ['--hub', flagHub.url, '--token', 'flag-token'];
    expect((await spawnLoa([...flags, 'clusters', 'list'], { cwd: dir.path, env })).code).toBe(0);
    expect(flagHub.requests.at(-1)!.headers.authorization).toBe('Bearer flag-token');
    expect(envHub.requests).toHaveLength(1);
    expect(fileHub.requests).toHaveLength(1);

    // LOA_DATA_DIR points somewhere else: its files are used, ./data is not.
    const other = join(dir.path, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'hub.json'), JSON.stringify({ httpUrl: envHub.url }));
    writeFileSync(join(other, 'operator.token'), 'env-token');
    expect((await spawnLoa(['status'], { cwd: dir.path, env: { LOA_DATA_DIR: other } })).code).toBe(0);
    expect(envHub.requests).toHaveLength(2);
  });

  test('no token anywhere: one line saying where it looked, exit 1', async () => {
    const r = await spawnLoa(['status', '--data-dir', join(dir.path, 'empty')], { cwd: dir.path });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`--token, LOA_TOKEN, ${join(dir.path, 'empty', 'operator.token')}`);
  });
});

describe('exit statuses and stderr', () => {
  test('401: one line on stderr, nothing on stdout, exit 1', async () => {
    const hub = await hubWith('right');
    const r = await spawnLoa(['status', '--hub', hub.url, '--token', 'wrong'], { cwd: dir.path });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('error: missing or unknown API token [LOA_UNAUTHENTICATED]\n');
  });

  test('unknown command or option: exit 2', async () => {
    const cmd = await spawnLoa(['frobnicate'], { cwd: dir.path });
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toMatch(/unknown command 'frobnicate'/);
    const opt = await spawnLoa(['clusters', 'list', '--colour'], { cwd: dir.path });
    expect(opt.code).toBe(2);
    expect(opt.stderr).toMatch(/unknown option '--colour'/);
  });

  test('unreachable hub: says which URL and asks whether loa-hub runs', async () => {
    // A port nothing listens on: the harness binds one, then frees it.
    const url = `http://127.0.0.1:${await freePort()}`;
    const r = await spawnLoa(['status', '--hub', url, '--token', 'x'], { cwd: dir.path });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^error: cannot reach the hub at ${url}; is loa-hub running\\? \\(ECONNREFUSED\\)`));
    const vi = await spawnLoa(['status', '--hub', url, '--token', 'x'], { cwd: dir.path, env: { LANG: 'vi_VN.UTF-8' } });
    expect(vi.stderr).toMatch(/^lỗi: không kết nối được tới hub tại/);
  });

  test('every group and command answers --help with exit 0', async () => {
    for (const args of [[], ['clusters'], ['clusters', 'add'], ['media', 'add'], ['broadcast', 'play'], ['log'], ['status'], ['tokens', 'add']]) {
      const r = await spawnLoa([...args, '--help'], { cwd: dir.path });
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/^Usage: loa/);
    }
  });
});

describe('media add', () => {
  const file = (): string => {
    const path = join(dir.path, 'bản tin.wav');
    writeFileSync(path, Buffer.alloc(300_000, 1));
    return path;
  };

  test('streams the file, shows upload and encode progress on stderr, prints only JSON on stdout', async () => {
    const hub = await hubWith('tk');
    const path = file();
    const r = await spawnLoa(['media', 'add', path, '--name', 'Bản tin chiều', '--json', '--hub', hub.url, '--token', 'tk'], { cwd: dir.path });
    expect(r.code).toBe(0);
    const upload = hub.requests.find((q) => q.method === 'POST')!;
    expect(upload.body.length).toBe(300_000);
    expect(upload.headers['content-type']).toBe('application/octet-stream');
    expect(upload.headers.accept).toBe('application/x-ndjson');
    expect(upload.query.get('name')).toBe('Bản tin chiều');
    expect(upload.query.get('filename')).toBe('bản tin.wav');
    expect(r.stderr).toMatch(/Uploading 100% \(293\.0 KB of 293\.0 KB\)/);
    expect(r.stderr).toMatch(/Encoding 50%\n[\s\S]*Encoding 100%\n/);
    const out = JSON.parse(r.stdout) as { media: { name: string; bytes: number } };
    expect(out.media).toMatchObject({ name: 'Bản tin chiều', bytes: 300_000 });
  });

  test('a last line {"event":"error"} is a failure with the hub\'s reason', async () => {
    const hub = await hubWith('tk', 'error');
    const r = await spawnLoa(['media', 'add', file(), '--hub', hub.url, '--token', 'tk'], { cwd: dir.path });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/Encoding 75%/);
    expect(r.stderr.trim().split('\n').at(-1)).toBe('error: ffmpeg cannot decode the file: not audio [LOA_MEDIA_UNDECODABLE]');
  });

  test('a missing file is an error before any request; a refused token stops the upload', async () => {
    const hub = await hubWith('tk');
    const missing = await spawnLoa(['media', 'add', 'nope.mp3', '--hub', hub.url, '--token', 'tk'], { cwd: dir.path });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`error: cannot read ${join(dir.path, 'nope.mp3')} (ENOENT); check the path. [LOA_CLI_FILE_UNREADABLE]\n`);
    expect(hub.requests).toHaveLength(0);
    const big = join(dir.path, 'big.wav');
    writeFileSync(big, Buffer.alloc(20_000_000, 2));
    const refused = await spawnLoa(['media', 'add', big, '--hub', hub.url, '--token', 'bad'], { cwd: dir.path });
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n').at(-1)).toBe('error: missing or unknown API token [LOA_UNAUTHENTICATED]');
  });
});

// Colour codes only on a terminal: `npm run demo` (its tables) piped into a file, in a real
// pseudo-terminal (util-linux `script`) and there with NO_COLOR; `loa`'s tables never carry any.
// Real processes; TERM=xterm-256color throughout, which is what made cli-table3 colour a pipe.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { colourWanted } from '../common/colour.js';
import { LOA_BIN, REPO } from './helpers/cli-run.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { makeTempDir } from './helpers/tmp.js';

const ESC = '\u001b[';
const tmp = makeTempDir('loa-colour-');
const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const e: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', ...extra };
  for (const k of ['NO_COLOR', 'FORCE_COLOR', 'CI']) if (!(k in extra)) delete e[k];
  return e;
};

/** Runs a command with stdout a pipe, or (`tty`) inside a pseudo-terminal; resolves with what it wrote. */
function run(argv: string[], opts: { tty: boolean; env: NodeJS.ProcessEnv }): Promise<{ code: number | null; out: string }> {
  const quoted = argv.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const [cmd, args] = opts.tty ? ['script', ['-qec', quoted, '/dev/null']] : [argv[0]!, argv.slice(1)];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args as string[], { cwd: REPO, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

const demo = (dir: string) => [
  process.execPath,
  join(REPO, 'dist', 'demo', 'main.js'),
  '--data-dir',
  join(tmp.path, dir),
  '--mqtt-port',
  '0',
  '--http-port',
  '0',
  '--edges',
  '0',
  '--cameras',
  '2',
];

afterAll(() => tmp.remove());

describe('npm run demo', () => {
  test('piped into a file: tables without escape codes', async () => {
    const r = await run(demo('pipe'), { tty: false, env: env() });
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/│ cam-001 +│/);
    expect(r.out).toMatch(/│ na-long-1 +│/);
    expect(r.out).not.toContain(ESC);
  }, 90_000);

  // NO_COLOR on a terminal is colourWanted's (below); a third demo run here cost 30 s of the suite.
  test('on a terminal it colours the tables', async () => {
    const coloured = await run(demo('tty'), { tty: true, env: env() });
    expect(coloured.code, coloured.out).toBe(0);
    expect(coloured.out).toContain(`${ESC}31m cluster`);
  }, 90_000);
});

describe('loa', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
    await t.addCluster('ban-hon', { name: 'Bản Hon', village: 'Bản Hon' });
  });
  afterAll(async () => t.stop());

  test('tables carry no escape codes in a pipe (even with FORCE_COLOR) nor on a terminal', async () => {
    const loa = [process.execPath, LOA_BIN, '--data-dir', t.dataDir, '--lang', 'en'];
    for (const [argv, tty, extra] of [
      [[...loa, 'status'], false, { FORCE_COLOR: '1' }],
      [[...loa, 'clusters', 'list'], true, {}],
    ] as const) {
      const r = await run([...argv], { tty, env: env(extra) });
      expect(r.code, r.out).toBe(0);
      expect(r.out).toMatch(/│ ban-hon +│/);
      expect(r.out).not.toContain(ESC);
    }
  }, 60_000);
});

describe('colourWanted', () => {
  test('a terminal yes, a pipe no; NO_COLOR off; FORCE_COLOR on (or off with 0); TERM=dumb off', () => {
    const tty = { isTTY: true };
    const pipe = {};
    expect(colourWanted(tty, {})).toBe(true);
    expect(colourWanted(pipe, { TERM: 'xterm-256color' })).toBe(false);
    expect(colourWanted(tty, { NO_COLOR: '1' })).toBe(false);
    expect(colourWanted(tty, { NO_COLOR: '' })).toBe(true); // no-color.org: present and not empty
    expect(colourWanted(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(colourWanted(tty, { FORCE_COLOR: '0' })).toBe(false);
    expect(colourWanted(tty, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(true);
    expect(colourWanted(tty, { TERM: 'dumb' })).toBe(false);
  });
});

// Runs the `loa` CLI for tests: in-process through runCli (fast, a fixed clock), or as the real
// `node bin/loa.js` child process (needs `npx tsc -p .` first, as `npm test` does).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Clock } from '../../common/clock.js';
import { runCli } from '../../cli/run.js';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const LOA_BIN = join(REPO, 'bin', 'loa.js');

export interface LoaRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface LoaRunOptions {
  env?: Record<string, string>;
  cwd: string;
  tty?: boolean;
  clock?: Clock;
}

/** The environment of the test process without anything that would steer the CLI. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('LOA_') && k !== 'LANG' && k !== 'LC_ALL') env[k] = v;
  }
  return { ...env, ...extra };
}

export async function runLoa(args: string[], opts: LoaRunOptions): Promise<LoaRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    args,
    {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s), isTTY: opts.tty ?? false },
      env: cleanEnv(opts.env),
      cwd: opts.cwd,
    },
    opts.clock,
  );
  return { code, stdout, stderr };
}

/** Spawns the built CLI. Asynchronous on purpose: the stand-in hub runs in this same process. */
export function spawnLoa(args: string[], opts: LoaRunOptions): Promise<LoaRun> {
  if (!existsSync(join(REPO, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npx tsc -p .` first');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LOA_BIN, ...args], { cwd: opts.cwd, env: cleanEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

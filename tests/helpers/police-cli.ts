// Runs the built `loa` as a child process with something on its standard input (the camera
// commands' --password-stdin), with the same clean environment as tests/helpers/cli-run.ts.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LOA_BIN, REPO, type LoaRun } from './cli-run.js';

export function spawnLoaInput(args: string[], opts: { cwd: string; env?: Record<string, string>; input?: string }): Promise<LoaRun> {
  if (!existsSync(join(REPO, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npx tsc -p .` first');
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('LOA_') && k !== 'LANG' && k !== 'LC_ALL') env[k] = v;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LOA_BIN, ...args], { cwd: opts.cwd, env: { ...env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

// A promise rejected with nobody to handle it must not end loa-hub or loa-edge (Node's default is
// to exit): a real Node process with the guard installed logs it and goes on; one without exits.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const guard = pathToFileURL(join(import.meta.dirname, '..', 'dist', 'common', 'process-guard.js')).href;
const logger = pathToFileURL(join(import.meta.dirname, '..', 'dist', 'common', 'logger.js')).href;

function run(installGuard: boolean) {
  const script = `
    const { containUnhandledRejections } = await import(${JSON.stringify(guard)});
    const { createLogger } = await import(${JSON.stringify(logger)});
    if (${installGuard}) containUnhandledRejections(process, createLogger({ name: 'guard-test', level: 'info' }));
    Promise.reject(new Error('a box sent something odd'));
    setTimeout(() => { process.stdout.write('still on air\\n'); }, 50);
  `;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
}

describe('containUnhandledRejections', () => {
  it('logs an unhandled rejection and keeps the process running', () => {
    const r = run(true);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('still on air');
    const line = JSON.parse(r.stdout.split('\n').find((l) => l.includes('nobody to handle it'))!) as {
      level: number;
      err: { message: string };
      contained: number;
    };
    expect(line).toMatchObject({ level: 50, err: { message: 'a box sent something odd' }, contained: 1 });
  });

  it('(control) without it, Node ends the process', () => {
    const r = run(false);
    expect(r.status).not.toBe(0);
    expect(r.stdout).not.toContain('still on air');
  });
});

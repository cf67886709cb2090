// bin/<name> of this checkout, for the child processes the harness starts: harness shared by tests/, bench/ and demo/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Found upwards from here: harness/ (tests run the sources) and dist/harness/ (bench and demo run the build) sit at different depths. */
export function repoBin(name: string): string {
  let dir = HERE;
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'bin', name);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`bin/${name} not found above ${HERE}`);
}

/** The checkout's root directory (the one holding bin/). */
export function repoRoot(): string {
  return dirname(dirname(repoBin('loa-hub.js')));
}

// The agent name the daemon reports in presence and health, e.g. "loa-edge/0.1.0".
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function packageVersion(): string {
  // Walk up from this file: it runs both as daemon/version.ts (tests) and dist/daemon/version.js.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'loa' && pkg.version) return pkg.version;
    } catch {
      // not here; keep climbing
    }
    dir = dirname(dir);
  }
  return '0.0.0';
}

export const EDGE_VERSION = packageVersion();
export const EDGE_AGENT = `loa-edge/${EDGE_VERSION}`;

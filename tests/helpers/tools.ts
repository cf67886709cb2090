// Finds external tools that tests drive. With CI=true a missing tool is an error, never a skip:
// .ci/run installs them.
import { spawnSync } from 'node:child_process';

export function requireTool(name: string): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).status === 0;
  if (!found && process.env.CI === 'true') throw new Error(`${name} is not installed; .ci/run must install it (CI=true forbids skipping)`);
  return found;
}

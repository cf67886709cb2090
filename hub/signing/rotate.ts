// The two steps of a signing-key rotation as `loa-hub` options (docs/install.md, "Rotating the
// hub's signing key"): --new-signing-key makes the next key and prints it for the boxes' hubKeys;
// --switch-signing-key makes it the hub's key from its next start.
import { mkdirSync } from 'node:fs';
import { createLogger } from '../../common/logger.js';
import { makeNextSigningKey, switchToNextSigningKey } from './key-file.js';

export function rotateSigningKey(dataDir: string, switchNow: boolean): void {
  mkdirSync(dataDir, { recursive: true });
  const log = createLogger({ name: 'loa-hub', level: 'warn' });
  if (!switchNow) {
    const next = makeNextSigningKey(dataDir, log);
    process.stdout.write(`next signing key: ${next}\nAdd it to every box's hubKeys (keep the current key there too), then run loa-hub --switch-signing-key.\n`);
    return;
  }
  const { old, current } = switchToNextSigningKey(dataDir, log);
  process.stdout.write(`signing key: ${current}\nprevious key: ${old}\nRestart the hub to sign with the new key; once it runs, remove the previous key from the boxes' hubKeys.\n`);
}

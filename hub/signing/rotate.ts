// The two steps of a signing-key rotation as `loa-hub` options (docs/install.md, "Rotating the
// hub's signing key"): --new-signing-key makes the next key and says what to do with it;
// --switch-signing-key makes it the hub's key from its next start.
import { mkdirSync } from 'node:fs';
import { createLogger } from '../../common/logger.js';
import { makeNextSigningKey, switchToNextSigningKey } from './key-file.js';

/** Does one step in `dataDir`; returns the lines for the operator. */
export function rotateSigningKey(dataDir: string, switchNow: boolean): string {
  mkdirSync(dataDir, { recursive: true });
  const log = createLogger({ name: 'loa-hub', level: 'warn' });
  if (!switchNow) {
    const next = makeNextSigningKey(dataDir, log);
    return `next signing key: ${next}\nAdd it to every box's hubKeys (keep the current key there too), then run loa-hub --switch-signing-key.\n`;
  }
  const { old, current } = switchToNextSigningKey(dataDir, log);
  return (
    `signing key: ${current}\nprevious key: ${old}\nRestart the hub to sign with the new key; once it runs, remove the previous key from the boxes' ` +
    `hubKeys.\n`
  );
}

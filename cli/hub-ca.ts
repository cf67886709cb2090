// The CLI's trust in the hub's own CA: --ca, LOA_HUB_CA or the caFile in hub.json (context.ts),
// read here into a fetch dispatcher that trusts it besides the system's CAs.
import { readFileSync } from 'node:fs';
import { caDispatcher } from '../common/ca-dispatcher.js';
import { errorMessage } from '../common/errors.js';
import { CliError } from './errors.js';
import type { Catalogue } from './i18n.js';

export async function trustingDispatcher(caFile: string, t: Catalogue): Promise<unknown> {
  let pem: string;
  try {
    pem = readFileSync(caFile, 'utf8');
  } catch (e) {
    throw new CliError('LOA_CLI_CA_FILE', t.fileUnreadable(caFile, (e as NodeJS.ErrnoException).code ?? String(e)));
  }
  try {
    return await caDispatcher(pem);
  } catch (e) {
    throw new CliError('LOA_CLI_CA_FILE', t.fileUnreadable(caFile, errorMessage(e)));
  }
}

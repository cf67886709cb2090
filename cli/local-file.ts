// A file named on the loa command line (audio to import or announce, a schedule file): checked
// before any request goes to the hub, so a wrong path is said at once, with the path and the reason.
import { access, constants, stat } from 'node:fs/promises';
import { CliError, cliErrors } from './errors.js';
import type { Catalogue } from './i18n.js';

/**
 * The file's size. Throws LOA_CLI_NOT_A_FILE (a folder, a device) or LOA_CLI_FILE_UNREADABLE
 * (missing; with `readable`, also no permission to read it). `shown`: the path as the message
 * gives it (what the person typed, or the resolved path).
 */
export async function checkLocalFile(path: string, t: Catalogue, opts: { shown?: string; readable?: boolean } = {}): Promise<number> {
  const shown = opts.shown ?? path;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw cliErrors.notAFile(t, shown);
    if (opts.readable) await access(path, constants.R_OK);
    return st.size;
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw cliErrors.fileUnreadable(t, shown, e);
  }
}

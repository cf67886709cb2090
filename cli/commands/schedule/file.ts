// Reads the schedule file an operator names, before anything is sent: a missing or unreadable
// file is one clear sentence, not an HTTP error.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CommandContext } from '../../context.js';
import { CliError, cliErrors } from '../../errors.js';
import { checkLocalFile } from '../../local-file.js';

/** The request body of validate and apply: the text, and the name the hub's messages quote. */
export interface ScheduleFileBody {
  text: string;
  /** As typed, so `file:line:col` points where the operator looks. */
  file: string;
  lang: 'vi' | 'en';
}

export async function readScheduleFile(file: string, ctx: CommandContext): Promise<ScheduleFileBody> {
  const path = resolve(ctx.io.cwd, file);
  let text: string;
  try {
    await checkLocalFile(path, ctx.t, { shown: file });
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw cliErrors.fileUnreadable(ctx.t, file, e);
  }
  return { text, file, lang: ctx.t.lang };
}

// Reading from the terminal or a pipe: a password from standard input (kept out of the shell history
// and of `ps`), and the questions `loa cameras discover` asks when a person is at the terminal.
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { CliError, usageError } from '../../errors.js';
import type { Catalogue } from '../../i18n.js';

export type Stdin = NodeJS.ReadableStream & { isTTY?: boolean };
type Out = { write(text: string): unknown };

async function readAll(stdin: Stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return Buffer.concat(chunks).toString('utf8');
}

/** One line from the terminal; with `hidden` what is typed is not shown. '' at end of input. */
export function ask(stdin: Stdin, out: Out, question: string, hidden = false): Promise<string> {
  let muted = false;
  // readline echoes through its output: muting it after the question hides the typing.
  const output = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (!muted) out.write(chunk.toString());
      done();
    },
  });
  const rl = createInterface({ input: stdin, output, terminal: Boolean(stdin.isTTY) });
  return new Promise((resolve) => {
    let answered = false;
    rl.once('close', () => {
      if (!answered) resolve('');
    });
    rl.question(question, (answer) => {
      answered = true;
      rl.close();
      if (hidden) out.write('\n');
      resolve(answer);
    });
    muted = hidden;
  });
}

/** `--password-stdin`: everything piped in up to the end, less one final line break; asked for on a terminal. */
export async function passwordFromStdin(stdin: Stdin, out: Out, t: Catalogue): Promise<string> {
  const text = stdin.isTTY ? await ask(stdin, out, t.askPassword, true) : (await readAll(stdin)).replace(/\r?\n$/, '');
  if (!text) throw new CliError('LOA_CLI_EMPTY_PASSWORD', t.emptyPassword);
  return text;
}

export interface PasswordOptions {
  password?: string;
  passwordStdin?: boolean;
}

/** The password from exactly one of --password and --password-stdin. */
export async function choosePassword(o: PasswordOptions, stdin: Stdin, out: Out, t: Catalogue): Promise<string> {
  if (o.password !== undefined && o.passwordStdin) throw usageError('LOA_CLI_PASSWORD_TWICE', t.passwordTwice);
  if (o.passwordStdin) return passwordFromStdin(stdin, out, t);
  if (o.password === undefined || o.password === '') throw usageError('LOA_CLI_NO_PASSWORD', t.passwordMissing);
  return o.password;
}

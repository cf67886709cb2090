// Runs the small system tools the hardware readers lean on (amixer, vcgencmd, mmcli). A box has
// some of them and not others: a missing tool is remembered and never run again, and each
// distinct failure is logged once, so a 30-second health loop cannot fill the journal.
import { execFile } from 'node:child_process';
import type { Logger } from '../../common/logger.js';

export class ToolMissingError extends Error {}

export interface ToolOptions {
  /** The binary: a name looked up in PATH, or a path (tests point this at a stand-in script). */
  path: string;
  logger: Logger;
  /** A tool that hangs (a wedged VideoCore, ModemManager not answering) is killed after this. */
  timeoutMs?: number;
}

export class SystemTool {
  private missing = false;
  private lastComplaint: string | null = null;

  constructor(private readonly opts: ToolOptions) {}

  get name(): string {
    return this.opts.path;
  }

  /** True once the binary was found not to exist. */
  get isMissing(): boolean {
    return this.missing;
  }

  /** Runs it and resolves with stdout; rejects on a non-zero exit, a timeout or a missing binary. */
  run(args: string[]): Promise<string> {
    if (this.missing) return Promise.reject(new ToolMissingError(`${this.opts.path} is not installed`));
    return new Promise((resolve, reject) => {
      execFile(this.opts.path, args, { timeout: this.opts.timeoutMs ?? 3000, maxBuffer: 256 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          this.missing = true;
          this.opts.logger.info({ tool: this.opts.path }, 'tool not installed; that reading is left out');
          return reject(new ToolMissingError(`${this.opts.path} is not installed`));
        }
        const line = (stderr || stdout || err.message).trim().split('\n').at(-1) ?? err.message;
        reject(new Error(`${this.opts.path} ${args.join(' ')}: ${line}`));
      });
    });
  }

  /** Like run(), but null instead of an error; a failure is logged only when it differs from the last. */
  async quietly(args: string[]): Promise<string | null> {
    try {
      const out = await this.run(args);
      this.lastComplaint = null;
      return out;
    } catch (e) {
      if (e instanceof ToolMissingError) return null;
      const msg = e instanceof Error ? e.message : String(e);
      if (msg !== this.lastComplaint) this.opts.logger.warn({ tool: this.opts.path, err: msg }, 'tool failed; that reading is left out');
      this.lastComplaint = msg;
      return null;
    }
  }
}

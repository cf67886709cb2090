// A listening socket held open across restarts of the program served on it, as systemd's
// loa-hub.socket does for loa-hub (hub/broker/socket-activation.ts): harness/socket-holder.py,
// driven over its stdin. Shared by tests and bench (bench reconnect --held-socket).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from './bin.js';

export interface HeldProgram {
  pid: number;
  /** Resolves when the program has exited. */
  exited: Promise<void>;
}

export interface HeldSocket {
  port: number;
  /** Runs a program with the socket as fd 3 (LISTEN_FDS=1, LISTEN_FDNAMES as given); one at a time. */
  run(argv: string[]): Promise<HeldProgram>;
  /** Stops the program running, if any, and closes the socket. */
  close(): Promise<void>;
}

/** `onLine`: each line the holder and the programs it runs print (their stdout). */
export async function holdSocket(opts: { host?: string; port?: number; name?: string; onLine?: (line: string) => void } = {}): Promise<HeldSocket> {
  const args = [join(repoRoot(), 'harness', 'socket-holder.py'), '--host', opts.host ?? '127.0.0.1', '--port', String(opts.port ?? 0)];
  const holder = spawn('python3', [...args, '--name', opts.name ?? 'mqtts'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: ((line: string) => boolean)[] = [];
  createInterface({ input: holder.stdout! }).on('line', (line) => {
    opts.onLine?.(line);
    const i = waiting.findIndex((w) => w(line));
    if (i >= 0) waiting.splice(i, 1);
  });
  const next = (re: RegExp): Promise<string> =>
    new Promise((resolve, reject) => {
      const onExit = () => reject(new Error(`socket-holder exited (${holder.exitCode ?? holder.signalCode}) waiting for ${re}`));
      holder.once('exit', onExit);
      waiting.push((line) => {
        const m = re.exec(line);
        if (!m) return false;
        holder.off('exit', onExit);
        resolve(m[1]!);
        return true;
      });
    });
  const port = Number(await next(/^listening (\d+)$/));
  return {
    port,
    async run(argv) {
      const started = next(/^started (\d+)$/);
      holder.stdin!.write(`${JSON.stringify(argv)}\n`);
      const pid = Number(await started);
      // The holder stops its program before it ends itself (close(), or this process gone).
      const exited = next(new RegExp(`^exited (${pid})$`)).then(
        () => undefined,
        () => undefined,
      );
      return { pid, exited };
    },
    async close() {
      if (holder.exitCode !== null || holder.signalCode !== null) return;
      holder.stdin!.end();
      await new Promise((r) => holder.once('exit', r));
    },
  };
}

// Stands in for systemd's notify socket: a unix datagram socket (Node cannot open one, so a tiny
// python3 program does) that records every message `systemd-notify` sends. It also closes the fd
// that systemd-notify's BARRIER=1 passes, which is how systemd says "read it" and lets it exit.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const LISTENER = `
import os, socket, sys
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
print("listening", flush=True)
while True:
    data, anc, flags, addr = s.recvmsg(65536, socket.CMSG_SPACE(16 * 4))
    for level, kind, payload in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            for i in range(0, len(payload) - len(payload) % 4, 4):
                os.close(int.from_bytes(payload[i:i + 4], sys.byteorder))
    print(data.decode("utf-8", "replace").replace("\\n", "|"), flush=True)
`;

export interface NotifyListener {
  path: string;
  /** Each datagram, its lines joined with "|", e.g. "READY=1|STATUS=…". */
  messages: string[];
  close(): void;
}

export function systemdNotifyPath(): string | null {
  const r = spawnSync('sh', ['-c', 'command -v systemd-notify'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

let count = 0;

export async function startNotifyListener(dir: string): Promise<NotifyListener> {
  const path = join(dir, `notify-${++count}.sock`);
  const child: ChildProcess = spawn('python3', ['-c', LISTENER, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const messages: string[] = [];
  let partial = '';
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the notify listener exited (${code})`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'listening') resolve();
        else messages.push(line);
      }
    });
  });
  child.removeAllListeners('exit');
  return { path, messages, close: () => void child.kill('SIGKILL') };
}

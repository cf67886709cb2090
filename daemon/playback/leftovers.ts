// The player processes this daemon runs, noted in <dataDir>/player.pid, so that after a kill -9
// (or a crash, or the OOM killer) the next start stops the ffmpeg the dead daemon left playing.
// A process is ours only if the boot id, its pid, its start time (/proc/<pid>/stat) and its
// program (argv[0]) all match what was noted: a pid reused by another program, an ffmpeg of another
// program, anything from an earlier boot, or a process named in a doctored file is never signalled.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../common/logger.js';

interface Noted {
  pid: number;
  /** Field 22 of /proc/<pid>/stat: clock ticks after boot at which the process started. */
  start: string;
  /** argv[0], from /proc/<pid>/cmdline. */
  program: string;
}

/** After SIGTERM (a file sink's WAV gets its length), how long before SIGKILL. */
const TERM_GRACE_MS = 2000;

export class PlayerPids {
  readonly path: string;
  private readonly noted = new Map<number, Noted>();

  constructor(
    dataDir: string,
    private readonly log: Logger,
    private readonly proc = '/proc',
  ) {
    this.path = join(dataDir, 'player.pid');
  }

  /** At start, before anything plays: stops what the previous run left playing. Resolves once
   *  those processes are gone; returns how many there were. */
  async killLeftovers(): Promise<number> {
    const left = this.read();
    let killed = 0;
    for (const p of left) {
      const same = () => this.startOf(p.pid) === p.start && this.programOf(p.pid) === p.program;
      if (!same()) continue;
      this.log.warn({ pid: p.pid, program: p.program }, 'a player of the previous run is still playing; stopping it');
      if (await stopProcess(p.pid, same)) killed += 1;
    }
    if (left.length > 0) this.write();
    return killed;
  }

  /** Called when a player process is spawned. */
  add(pid: number | undefined): void {
    if (pid === undefined) return;
    const start = this.startOf(pid);
    const program = this.programOf(pid);
    if (start === null || program === null) return;
    this.noted.set(pid, { pid, start, program });
    this.write();
  }

  /** Called when a player process has exited. */
  remove(pid: number | undefined): void {
    if (pid === undefined || !this.noted.delete(pid)) return;
    this.write();
  }

  private read(): Noted[] {
    try {
      const saved = JSON.parse(readFileSync(this.path, 'utf8')) as { boot?: unknown; players?: unknown };
      if (saved.boot !== this.bootId() || !Array.isArray(saved.players)) return [];
      const valid = (p: Noted) => Number.isSafeInteger(p?.pid) && p.pid > 1 && typeof p.start === 'string' && typeof p.program === 'string';
      return (saved.players as Noted[]).filter(valid);
    } catch {
      return []; // none yet, or not Linux: nothing to clean
    }
  }

  /** Not fsynced: after a power cut no process of ours is left, and the boot id tells so anyway.
   *  A temp file and a rename, so a kill -9 mid-write leaves the old list or the new. */
  private write(): void {
    const text = JSON.stringify({ boot: this.bootId(), players: [...this.noted.values()] });
    try {
      writeFileSync(`${this.path}.tmp`, `${text}\n`, { mode: 0o600 });
      renameSync(`${this.path}.tmp`, this.path);
    } catch (e) {
      this.log.warn({ err: String(e), file: this.path }, 'cannot note the player process');
    }
  }

  private bootId(): string | null {
    try {
      return readFileSync(join(this.proc, 'sys/kernel/random/boot_id'), 'utf8').trim();
    } catch {
      return null;
    }
  }

  private programOf(pid: number): string | null {
    try {
      return readFileSync(join(this.proc, String(pid), 'cmdline'), 'utf8').split('\0')[0] || null;
    } catch {
      return null;
    }
  }

  private startOf(pid: number): string | null {
    try {
      const stat = readFileSync(join(this.proc, String(pid), 'stat'), 'utf8');
      // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // A zombie has stopped playing; whoever adopted it reaps it (or not, in some containers).
      return fields[0] === 'Z' ? null : (fields[19] ?? null);
    } catch {
      return null;
    }
  }
}

/** SIGTERM, then SIGKILL after a grace; true once it is gone. `same` re-checks identity. */
async function stopProcess(pid: number, same: () => boolean): Promise<boolean> {
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(pid, s);
    } catch {
      /* gone already */
    }
  };
  signal('SIGTERM');
  for (let waited = 0; waited < TERM_GRACE_MS + 1000; waited += 50) {
    if (!same()) return true;
    if (waited === TERM_GRACE_MS) signal('SIGKILL');
    await new Promise((r) => setTimeout(r, 50));
  }
  return !same();
}

// The checks a device makes before acting on a command, shared by loa-edge and the simulator so
// both refuse the same things: expired commands and replays (a sequence number already seen).
import type { Command } from './schemas.js';

export type GateVerdict = { ok: true } | { ok: false; reason: 'expired' | 'replay'; detail: string };

export class CommandGate {
  private lastSeq: number;

  /** lastSeq: the highest sequence accepted before (persisted by the device across restarts). */
  constructor(lastSeq = 0) {
    this.lastSeq = lastSeq;
  }

  get highestSeq(): number {
    return this.lastSeq;
  }

  /** Checks a command at the device's idea of hub time; records its sequence when accepted. */
  admit(cmd: Pick<Command, 'seq' | 'expiresAt'>, nowMs: number): GateVerdict {
    if (cmd.seq <= this.lastSeq) {
      return { ok: false, reason: 'replay', detail: `sequence ${cmd.seq} is not after ${this.lastSeq}` };
    }
    if (nowMs > cmd.expiresAt) {
      return { ok: false, reason: 'expired', detail: `expired ${nowMs - cmd.expiresAt} ms ago` };
    }
    this.lastSeq = cmd.seq;
    return { ok: true };
  }
}

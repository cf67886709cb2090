// Turns messages on the cluster's command topic into actions: check the hub's signature, validate
// (schema), admit (expiry and sequence, via the shared CommandGate), remember the sequence on disk,
// acknowledge, act.
// Commands are handled one at a time, in arrival order, so acks and state follow that order.
import type { Clock } from '../common/clock.js';
import { errorMessage } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { RateLimitedLog } from '../common/rate-limited-log.js';
import { decodePayload, readableCommandRef, type Command, type CommandGate, type HubMessageCheck } from '../protocol/index.js';
import type { DeviceStateFile } from './device-state.js';
import type { AckFn, Playback } from './playback/playback.js';
import type { StartMeter } from './clock/start-error.js';
import { hubStreamUrl } from './playback/stream.js';

export interface CommandHandlerOptions {
  /** Hub time as the box estimates it (clock sync): expiresAt is a hub time, and a box clock
   *  30 s slow would accept what has expired, one 70 s fast would refuse everything. */
  clock: Clock;
  logger: Logger;
  gate: CommandGate;
  /** The hub's signature, checked before anything else (protocol/signature.ts). */
  check: HubMessageCheck;
  stateFile: DeviceStateFile;
  playback: Playback;
  ack: AckFn;
  /** Called after a command changed what the box reports (volume, playing). */
  onChange: () => void;
  /** hub.httpUrl: a stream elsewhere is refused (the box's credentials go to the hub only). */
  hubHttpUrl: string;
  /** Told each play's offsetMs as it is decoded, for the start error (start-error.ts). */
  startMeter?: Pick<StartMeter, 'noteOffset'>;
}

export class CommandHandler {
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly forged: RateLimitedLog;

  constructor(private readonly opts: CommandHandlerOptions) {
    this.forged = new RateLimitedLog(opts.clock);
  }

  /** Takes a raw (untrusted) payload from the command topic; never throws. */
  handle(payload: Buffer, topic: string): void {
    if (this.closed) return;
    this.queue = this.queue
      .then(() => this.process(payload, topic))
      .catch((e: unknown) => this.opts.logger.error({ topic, err: errorMessage(e) }, 'command handling failed'));
  }

  /** Stops taking commands; resolves once the one in hand is done. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
  }

  private async process(payload: Buffer, topic: string): Promise<void> {
    const { logger, gate, clock, ack } = this.opts;
    // Before the schema and the gate: a forged command must not even use up a sequence number
    // (a forged seq of 2^53-1 would otherwise make the box refuse the hub from then on).
    const opened = this.opts.check.open(topic, payload);
    if (!opened.ok) {
      this.forged.warn(logger, { topic, reason: opened.reason, detail: opened.detail }, 'refused a command the hub did not sign');
      const ref = readableCommandRef(payload);
      if (ref) ack({ cmdId: ref.id, seq: ref.seq, status: 'refused', reason: opened.reason, detail: opened.detail });
      return;
    }
    const decoded = decodePayload('cmd', opened.body);
    if (!decoded.ok) {
      logger.warn({ topic, reason: decoded.reason, bytes: payload.length }, 'dropped an invalid command');
      const ref = readableCommandRef(payload);
      if (ref) ack({ cmdId: ref.id, seq: ref.seq, status: 'refused', reason: 'invalid', detail: decoded.reason.slice(0, 300) });
      return;
    }
    const cmd = decoded.value;
    if (cmd.type === 'play') this.opts.startMeter?.noteOffset(cmd.broadcastId, cmd.offsetMs);
    const log = logger.child({ cmdId: cmd.id, seq: cmd.seq, type: cmd.type });
    // Before the gate, like a schema failure: a forged command must not even use up a sequence.
    const where = cmd.type === 'play' && cmd.stream ? hubStreamUrl(cmd.stream, this.opts.hubHttpUrl) : null;
    if (where && !where.ok) {
      log.warn({ detail: where.why }, 'refused a stream play that is not on the hub');
      ack({ ...ref(cmd), status: 'refused', reason: 'invalid', detail: where.why });
      return;
    }
    const verdict = gate.admit(cmd, clock.now());
    if (!verdict.ok) {
      log.warn({ reason: verdict.reason, detail: verdict.detail }, 'refused a command');
      ack({ ...ref(cmd), status: 'refused', reason: verdict.reason, detail: verdict.detail });
      return;
    }
    // On disk before the ack: once the hub hears "accepted", a reboot must still refuse a replay.
    await this.opts.stateFile.update({ lastSeq: gate.highestSeq });
    log.info('accepted a command');
    ack({ ...ref(cmd), status: 'accepted' });
    switch (cmd.type) {
      case 'play':
        await this.opts.playback.play(cmd);
        break;
      case 'stop': {
        const stopped = await this.opts.playback.stop(cmd.broadcastId);
        ack({ ...ref(cmd), status: 'finished', ...(stopped ? {} : { detail: 'nothing matching was playing' }) });
        break;
      }
      case 'volume':
        await this.opts.stateFile.update({ volume: cmd.volume });
        // With an ALSA mixer it is applied now; otherwise it is ffmpeg gain from the next item.
        ack({ ...ref(cmd), status: 'finished', detail: await this.opts.playback.volumeChanged() });
        break;
    }
    this.opts.onChange();
  }
}

function ref(cmd: Command): { cmdId: string; seq: number; broadcastId?: string } {
  const broadcastId = cmd.type === 'volume' ? undefined : cmd.broadcastId;
  return { cmdId: cmd.id, seq: cmd.seq, ...(broadcastId === undefined ? {} : { broadcastId }) };
}

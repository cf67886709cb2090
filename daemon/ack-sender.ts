// The box's one way to acknowledge a command: what Playback and the command handler report goes
// out here on the link, validated, with the start error on a `started` ack. Acks of items the box
// plays from its own plan are kept back (they go to the play log instead, offline-player.ts).
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { ackSchema, PROTOCOL_VERSION } from '../protocol/index.js';
import type { EdgeLink } from './link.js';
import type { AckInput } from './playback/playback.js';
import type { StartMeter } from './clock/start-error.js';

export interface AckSenderOptions {
  link: Pick<EdgeLink, 'publish'>;
  /** The box's own clock: an ack's `at` (the hub takes its own receive time for the log). */
  clock: Clock;
  logger: Logger;
  starts: Pick<StartMeter, 'annotate'>;
  /** True when an ack is about an item played from the box's plan (it is not sent). */
  keepBack: (ack: AckInput) => boolean;
}

export class AckSender {
  constructor(private readonly opts: AckSenderOptions) {}

  /** Sends an ack (bound: handed to the parts as their AckFn). */
  readonly send = (a: AckInput): void => {
    if (this.opts.keepBack(a)) return;
    const ack = ackSchema.safeParse({ v: PROTOCOL_VERSION, at: this.opts.clock.now(), ...this.opts.starts.annotate(a) });
    // Our own bug, not the hub's: log it rather than send something the hub must drop.
    if (!ack.success) {
      this.opts.logger.error({ ack: a, issues: ack.error.issues.slice(0, 3) }, 'built an invalid ack; not sent');
      return;
    }
    this.opts.logger.debug({ ack: ack.data }, 'ack');
    this.opts.link.publish('ack', ack.data, { qos: 1 });
  };
}

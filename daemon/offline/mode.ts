// Offline operation, wired to the link: the plan from its retained topic into plan.json, its media
// pinned and prefetched, the plan played by the box itself while the hub is unreachable, and the
// play log of what it played sent once the hub is back. The parts: plan-store.ts, plan-media.ts,
// player.ts, play-log.ts.
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { PlanItem } from '../../protocol/index.js';
import type { EdgeLink } from '../link.js';
import { OfflinePlayer, type OfflinePlayback } from './player.js';
import { PlanMedia, type PlanCache } from './plan-media.js';
import { PlanStore } from './plan-store.js';
import type { AckInput } from '../playback/playback.js';
import { PlayLogFile } from './play-log.js';

/** At start-up, a link not up within this long counts as down: the box plays its plan. A failed
 *  connect says so sooner; this covers a connect that hangs (a dead 4G link swallows packets). */
export const START_GRACE_MS = 5000;

export interface OfflineOptions {
  dataDir: string;
  /** Hub time (clock sync) for the plan; the box clock for the start-up grace. */
  hubClock: Clock;
  boxClock: Clock;
  logger: Logger;
  cache: PlanCache;
  playback: OfflinePlayback;
  onHand?: (item: PlanItem) => void;
}

export class OfflineOperation {
  readonly plans: PlanStore;
  readonly planMedia: PlanMedia;
  readonly playLog: PlayLogFile;
  readonly player: OfflinePlayer;
  private link: EdgeLink | null = null;
  private grace: TimerHandle | null = null;

  constructor(private readonly opts: OfflineOptions) {
    const { logger } = opts;
    this.plans = new PlanStore(opts.dataDir, logger.child({ module: 'plan' }), opts.hubClock);
    this.playLog = new PlayLogFile(opts.dataDir, logger.child({ module: 'playlog' }));
    this.planMedia = new PlanMedia({ cache: opts.cache, clock: opts.hubClock, logger: logger.child({ module: 'plan' }), plan: () => this.plans.plan });
    this.player = new OfflinePlayer({
      playback: opts.playback,
      clock: opts.hubClock,
      logger: logger.child({ module: 'offline' }),
      plan: () => this.plans.plan,
      record: (entry) => void this.playLog.append(entry).then(() => this.sendLog()),
      ...(opts.onHand ? { onHand: opts.onHand } : {}),
    });
  }

  /** Follows the link: plans in, offline playing while it is down, the play log out once up. */
  attach(link: EdgeLink): void {
    this.link = link;
    link.on('plan', (payload) => {
      if (!this.plans.offer(payload)) return;
      this.planMedia.planChanged();
      this.player.planChanged();
    });
    link.on('connected', () => {
      this.player.linkUp();
      this.planMedia.reconnected();
      this.sendLog();
    });
    link.on('disconnected', () => this.player.linkDown());
    // The plan from disk: its media may still be missing (a power cut mid-download).
    if (this.plans.plan) this.planMedia.planChanged();
    this.grace = this.opts.boxClock.setTimeout(() => {
      if (!link.connected) this.player.linkDown();
    }, START_GRACE_MS);
  }

  /** True when the ack is about an item played offline (it is then not sent to the hub). */
  handleAck(a: AckInput): boolean {
    return this.player.handleAck(a);
  }

  /** No more offline starts, retries or timers (playback is stopped after this). */
  stop(): void {
    this.grace?.cancel();
    this.player.stop();
    this.planMedia.stop();
  }

  /** Resolves once the play log and plan writes are on disk (the last entry may come from
   *  playback stopping for shutdown). */
  async flushed(): Promise<void> {
    await this.playLog.idle();
    await this.plans.flushed();
  }

  private sendLog(): void {
    const link = this.link;
    if (!link?.connected || this.playLog.pending.length === 0) return;
    void this.playLog.send((log) => link.publishConfirmed('playlog', log));
  }
}

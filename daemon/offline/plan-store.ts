// The cluster's plan for the next 48 hours (protocol: Plan), kept at <dataDir>/plan.json so the box
// can play its programme while it cannot reach the hub, also after a restart. Only a higher
// `version` replaces the plan held: the broker re-sends the retained plan on every reconnect, and
// that costs no write. One atomic write (temp, fsync, rename) per new version, nothing more.
import { mkdirSync } from 'node:fs';
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { decodePayload, type Plan, type PlanItem } from '../../protocol/index.js';
import { JsonStateFile } from '../state-file.js';

/** When an item ends (hub time): its stopAt, or where its media runs out from its offset. */
export function itemEnd(item: PlanItem): number {
  return item.stopAt ?? item.startAt + Math.max(0, item.media.durationMs - item.offsetMs);
}

/** Items not over at `now` (hub time), soonest first. */
export function itemsAhead(plan: Plan | null, now: number): PlanItem[] {
  if (!plan) return [];
  return plan.items.filter((i) => itemEnd(i) > now).sort((a, b) => a.startAt - b.startAt);
}

export class PlanStore {
  readonly path: string;
  private held: Plan | null;
  private readonly file: JsonStateFile;

  constructor(
    dataDir: string,
    private readonly log: Logger,
    private readonly clock?: Clock,
  ) {
    mkdirSync(dataDir, { recursive: true });
    this.file = new JsonStateFile({ dataDir, name: 'plan.json', what: 'the plan file', log, ifWriteFails: '; it is kept in memory only' });
    this.path = this.file.path;
    this.held = this.load();
  }

  get plan(): Plan | null {
    return this.held;
  }

  /**
   * A payload from the plan topic (untrusted). Returns the plan when it is newer than the one held
   * (it is then being written to disk; `flushed()` waits for that), otherwise null.
   */
  offer(payload: Buffer | string): Plan | null {
    const d = decodePayload('plan', payload);
    if (!d.ok) {
      this.log.warn({ reason: d.reason }, 'dropped an invalid plan');
      return null;
    }
    const plan = d.value;
    if (this.held && plan.version <= this.held.version) {
      this.log.debug({ version: plan.version, held: this.held.version }, 'plan not newer than the one held; ignored');
      return null;
    }
    this.held = plan;
    void this.file.write(plan);
    const now = this.clock?.now();
    this.log.info(
      {
        version: plan.version,
        items: plan.items.length,
        from: plan.from,
        until: plan.until,
        ...(now === undefined ? {} : { ahead: itemsAhead(plan, now).length }),
      },
      'new plan',
    );
    return plan;
  }

  /** Resolves once the latest plan is on disk (or its write failed and was logged). */
  flushed(): Promise<void> {
    return this.file.flushed();
  }

  private load(): Plan | null {
    // The rename makes a torn file unlikely; a damaged card is not. The hub sends the plan again.
    const plan = this.file.read((text) => {
      const d = decodePayload('plan', text);
      if (!d.ok) throw new Error(d.reason);
      return d.value;
    }, 'waiting for the hub to send one');
    if (plan) this.log.info({ version: plan.version, items: plan.items.length, until: plan.until }, 'plan loaded from disk');
    return plan;
  }
}

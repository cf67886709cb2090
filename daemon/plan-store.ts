// The cluster's plan for the next 48 hours (protocol: Plan), kept at <dataDir>/plan.json so the box
// can play its programme while it cannot reach the hub, also after a restart. Only a higher
// `version` replaces the plan held: the broker re-sends the retained plan on every reconnect, and
// that costs no write. One atomic write (temp, fsync, rename) per new version, nothing more.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../common/clock.js';
import { errorMessage } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { decodePayload, type Plan, type PlanItem } from '../protocol/index.js';
import { writeFileAtomic } from '../common/atomic-file.js';

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
  /** Writes chained so two quick versions cannot land out of order. */
  private writing: Promise<void> = Promise.resolve();

  constructor(
    dataDir: string,
    private readonly log: Logger,
    private readonly clock?: Clock,
  ) {
    mkdirSync(dataDir, { recursive: true });
    this.path = join(dataDir, 'plan.json');
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
    const text = JSON.stringify(plan) + '\n';
    this.writing = this.writing
      .then(() => writeFileAtomic(this.path, text))
      .catch((e: unknown) => this.log.error({ err: errorMessage(e), file: this.path }, 'cannot write the plan file; it is kept in memory only'));
    const now = this.clock?.now();
    this.log.info({ version: plan.version, items: plan.items.length, from: plan.from, until: plan.until, ...(now === undefined ? {} : { ahead: itemsAhead(plan, now).length }) }, 'new plan');
    return plan;
  }

  /** Resolves once the latest plan is on disk (or its write failed and was logged). */
  flushed(): Promise<void> {
    return this.writing;
  }

  private load(): Plan | null {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.log.error({ err: errorMessage(e), file: this.path }, 'cannot read the plan file; waiting for the hub to send one');
      return null;
    }
    const d = decodePayload('plan', text);
    if (!d.ok) {
      // The rename makes a torn file unlikely; a damaged card is not. The hub sends the plan again.
      this.log.error({ reason: d.reason, file: this.path }, 'the plan file is damaged; waiting for the hub to send one');
      return null;
    }
    this.log.info({ version: d.value.version, items: d.value.items.length, until: d.value.until }, 'plan loaded from disk');
    return d.value;
  }
}

// Live streams for schedule `relay:` items: one per item occurrence, shared by every cluster the
// item plays on (a slot over several zones opens the station once), opened through the live
// service when the first cluster needs it and forgotten once the item is over.
import type { Logger } from '../../common/logger.js';
import type { StreamRef } from '../../protocol/index.js';
import type { Store } from '../store/index.js';
import type { Wanted } from './wanted.js';

/** What the scheduler needs of the live service (hub/live/service.ts). */
export interface RelayOpener {
  openRelay(req: { url: string; until: number; createdBy: string }): Promise<{ id: string; stream: StreamRef }>;
  /** The streams with the gaps their source had (to log the time a relay was lost). */
  list(): { id: string; gaps: { lengthMs: number }[] }[];
}

export interface OpenRelay {
  streamId: string;
  stream: StreamRef;
}

export class RelayPool {
  private readonly open = new Map<
    string,
    { endAt: number; broadcastId: string; ready: Promise<OpenRelay | null>; streamId: string | null; stream: StreamRef | null }
  >();

  constructor(
    private readonly opener: RelayOpener | null,
    private readonly log: Logger,
  ) {}

  /** The item's stream, opened now if no cluster asked before; null when it cannot be opened. */
  get(w: Wanted): Promise<OpenRelay | null> {
    const known = this.open.get(w.key);
    if (known) return known.ready;
    const live = this.opener;
    if (!live || !w.relayUrl) return Promise.resolve(null);
    const ready = live
      .openRelay({ url: w.relayUrl, until: w.endAt, createdBy: `schedule:${w.programmeId ?? '?'}` })
      .then((r) => {
        const entry = this.open.get(w.key);
        if (entry) [entry.streamId, entry.stream] = [r.id, r.stream];
        return { streamId: r.id, stream: r.stream };
      })
      .catch((err: unknown) => {
        this.log.error({ err, url: w.relayUrl, key: w.key }, 'relay could not be opened');
        // Forget it, so the next reconcile (a box back online, the next wake-up) tries again.
        this.open.delete(w.key);
        return null;
      });
    this.open.set(w.key, { endAt: w.endAt, broadcastId: w.broadcastId, ready, streamId: null, stream: null });
    return ready;
  }

  /** Relay items that ended: the time their station was lost (the live service's gaps) goes into
   *  their log rows' detail, e.g. "relay lost 12 s" (after any detail a row already has). */
  logLosses(now: number, store: Store): void {
    for (const r of this.takeEnded(now)) {
      const lostMs = r.lostMs();
      if (lostMs < 500) continue;
      const note = `relay lost ${Math.round(lostMs / 1000)} s`;
      for (const t of store.broadcasts.get(r.broadcastId)?.targets ?? []) {
        store.broadcasts.updateTarget(r.broadcastId, t.clusterId, { detail: t.detail ? `${t.detail}; ${note}` : note }, now);
      }
      this.log.info({ broadcastId: r.broadcastId, lostMs }, note);
    }
  }

  /** Forgets the items that are over; returns them with how long their station was lost. */
  private takeEnded(now: number): { broadcastId: string; lostMs: () => number }[] {
    const out: { broadcastId: string; lostMs: () => number }[] = [];
    for (const [key, r] of this.open) {
      if (r.endAt > now) continue;
      this.open.delete(key);
      const live = this.opener;
      const id = r.streamId;
      if (!live || !id) continue;
      out.push({ broadcastId: r.broadcastId, lostMs: () => (live.list().find((s) => s.id === id)?.gaps ?? []).reduce((sum, g) => sum + g.lengthMs, 0) });
    }
    return out;
  }

  /** The stream of an item open in this hub (null while opening, or not opened here). */
  streamOf(key: string): StreamRef | null {
    return this.open.get(key)?.stream ?? null;
  }

  /** Resolves once every stream being opened is open (tests wait on it before moving a fake clock). */
  async settled(): Promise<void> {
    await Promise.all([...this.open.values()].map((r) => r.ready));
  }
}

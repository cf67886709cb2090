// Keeps every cluster's plan for the next 48 hours on its retained `plan` topic, versioned, so a
// box that loses its link goes on playing the programme on time from its cache. Republished when
// the schedule changes and every hour (the window rolls on); only when a cluster's plan differs.
import { createHash } from 'node:crypto';
import type { Clock, TimerHandle } from '../../../common/clock.js';
import type { Logger } from '../../../common/logger.js';
import { clusterTopic, MAX_PAYLOAD_BYTES, PROTOCOL_VERSION, type Plan, type PlanItem } from '../../../protocol/index.js';
import type { HubMqtt } from '../../broker/broker.js';
import type { EventBus } from '../../events.js';
import { broadcastRecord, type TimelineCache } from '../wanted.js';
import type { Store } from '../../store/index.js';
import { buildPlanItems } from './build.js';

export const PLAN_HORIZON_MS = 48 * 3600_000;
const REFRESH_MS = 3600_000;

export interface PlanPublisherDeps {
  store: Store;
  mqtt: HubMqtt;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  timeline: () => TimelineCache;
  mediaUrl: (id: string) => string;
}

export class PlanPublisher {
  private readonly published = new Map<string, string>();
  private lastVersion = 0;
  private timer: TimerHandle | null = null;
  private running = false;

  constructor(private readonly deps: PlanPublisherDeps) {}

  start(): void {
    this.running = true;
    // A cluster added is announced by the scheduler once its timeline includes it (scheduleChanged
    // with its id), so its first plan is built from the schedule that names it.
    this.deps.bus.on(this, 'scheduleChanged', ({ clusterIds }) => void this.publishAll(clusterIds));
    // A box that reconnects gets the retained plan from the broker; after a hub restart the
    // embedded broker has none, so publish them again.
    void this.publishAll();
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.deps.bus.removeListeners(this);
  }

  /** The plan a cluster would get now. */
  planFor(clusterId: string, now: number): { plan: Omit<Plan, 'version'>; wanted: ReturnType<typeof buildPlanItems> } {
    const until = now + PLAN_HORIZON_MS;
    const wanted = buildPlanItems(this.deps.timeline(), clusterId, now, until, (id) => this.deps.store.media.get(id), this.deps.mediaUrl);
    let items: PlanItem[] = wanted.map((w) => w.item);
    // Keep the payload under the protocol's limit: the nearest items matter most.
    while (items.length > 0 && Buffer.byteLength(JSON.stringify({ v: 1, version: now, generatedAt: now, from: now, until, items })) > MAX_PAYLOAD_BYTES - 512) {
      items = items.slice(0, Math.floor(items.length * 0.9));
    }
    const last = items.at(-1);
    return {
      plan: { v: PROTOCOL_VERSION, generatedAt: now, from: now, until: items.length < wanted.length && last ? last.startAt : until, items },
      wanted: wanted.slice(0, items.length),
    };
  }

  /** Publishes the plans that changed (of some clusters only, e.g. one just added). */
  async publishAll(only?: string[]): Promise<number> {
    if (!this.running) return 0;
    if (!only) this.timer?.cancel();
    const now = Math.round(this.deps.clock.now());
    let sent = 0;
    for (const c of only ? only.map((id) => ({ id })) : this.deps.store.clusters.list()) {
      const { plan, wanted } = this.planFor(c.id, now);
      const digest = createHash('sha256').update(JSON.stringify(plan.items)).digest('hex');
      if (this.published.get(c.id) === digest) continue;
      // The log needs the broadcasts a box may play on its own.
      for (const { wanted: w, item } of wanted) {
        this.deps.store.broadcasts.ensure(broadcastRecord(w, item.media.id, now));
      }
      this.lastVersion = Math.max(this.lastVersion + 1, now);
      const full: Plan = { ...plan, version: this.lastVersion };
      await this.deps.mqtt.publish(clusterTopic(c.id, 'plan'), JSON.stringify(full), { qos: 1, retain: true });
      this.published.set(c.id, digest);
      sent += 1;
    }
    if (sent > 0) this.deps.logger.info({ clusters: sent }, 'plans published');
    if (this.running && !only) this.timer = this.deps.clock.setTimeout(() => void this.publishAll(), REFRESH_MS);
    return sent;
  }
}

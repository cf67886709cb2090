// The hub's typed event bus: modules announce what happened here instead of calling each other.
// Listeners are registered per owner and removed together when that owner stops. Each listener
// runs on its own: one that throws is logged and the others still hear the event (a bug in one
// module, or a device message it chokes on, must not silence the rest or stop the hub).
import { EventEmitter } from 'node:events';
import type { Logger } from '../common/logger.js';
import type { Ack, Health, ReportedState } from '../protocol/index.js';
import type { Alarm, FeedEvent } from './store/alarm-types.js';

export interface HubEvents {
  /** A cluster came online or went away (by its presence topic or the broker's connection). */
  presenceChanged: { clusterId: string; online: boolean; at: number; reason: string | null };
  /** A cluster said it is online on its presence topic: after every (re)connection, even one the
   *  hub never saw end (a broker's session takeover may send no last will). */
  presenceOnline: { clusterId: string; at: number };
  /** A valid acknowledgement arrived from a cluster. */
  ack: { clusterId: string; ack: Ack; receivedAt: number };
  state: { clusterId: string; state: ReportedState; receivedAt: number };
  health: { clusterId: string; health: Health; receivedAt: number };
  /** A broadcast or one of its targets changed (the media library then deletes a replaced item's
   *  file once nothing plays it). */
  broadcastChanged: { broadcastId: string };
  /** An operator stopped a broadcast on every cluster (a live stream's row: its stream ends too). */
  broadcastStopped: { broadcastId: string };
  clusterAdded: { clusterId: string };
  /** The schedule in force changed (applied, or its clusters or media changed). The timeline
   *  changed; `clusterIds`: only theirs (a cluster added), else everyone's. */
  scheduleChanged: { clusterIds?: string[] };
  /** The schedule in force must be read again (a version applied, or its `tts:` items can now be
   *  made into speech). */
  scheduleInForceChanged: Record<string, never>;
  /** An emergency started or was stopped by an operator. */
  emergenciesChanged: Record<string, never>;
  /** The media library gained or lost an item (the schedule refers to media by name). */
  mediaChanged: { mediaId: string; removed: boolean };
  /** An operator's ad-hoc broadcast went out to, or ended on, these clusters. */
  adhocChanged: { clusterIds: string[] };
  /** A cluster was removed or its secret rotated: its connection must go. */
  clusterCredentialsChanged: { clusterId: string; removed: boolean };
  /** A payload from a device was dropped (bad JSON, schema, size). */
  payloadRejected: { clusterId: string; topic: string; reason: string };
  /** A warning a cluster's messages caused was left out of the log (devices/log-limit.ts). */
  deviceLogSuppressed: { clusterId: string };
  /** An alarm was raised or cleared; `event` is its new row in the events feed (for long-polls). */
  alarmChanged: { alarm: Alarm; event: FeedEvent };
}

type Listener<K extends keyof HubEvents> = (e: HubEvents[K]) => void;

/** Who listens: a module object (named by its class in the log) or a plain name. Its listeners
 *  are removed together by `removeListeners(owner)`. */
export type ListenerOwner = object | string;

export class EventBus {
  private readonly emitter = new EventEmitter();
  private readonly byOwner = new Map<ListenerOwner, { event: keyof HubEvents; fn: (...args: unknown[]) => void }[]>();

  constructor(private readonly logger: Logger) {
    this.emitter.setMaxListeners(100);
  }

  on<K extends keyof HubEvents>(owner: ListenerOwner, event: K, fn: Listener<K>): void {
    const name = ownerName(owner);
    const failed = (err: unknown): void => {
      this.logger.error({ err, event, owner: name }, 'an event listener failed; the others still ran');
    };
    const contained = (payload: HubEvents[K]): void => {
      try {
        // A listener typed as returning void may still be async: its rejection is caught too,
        // rather than becoming an unhandled rejection that takes the process down.
        const result: unknown = fn(payload);
        if (result instanceof Promise) result.catch(failed);
      } catch (err) {
        failed(err);
      }
    };
    this.emitter.on(event, contained);
    const list = this.byOwner.get(owner) ?? [];
    list.push({ event, fn: contained as (...args: unknown[]) => void });
    this.byOwner.set(owner, list);
  }

  emit<K extends keyof HubEvents>(event: K, payload: HubEvents[K]): void {
    this.emitter.emit(event, payload);
  }

  removeListeners(owner: ListenerOwner): void {
    for (const { event, fn } of this.byOwner.get(owner) ?? []) this.emitter.off(event, fn);
    this.byOwner.delete(owner);
  }
}

function ownerName(owner: ListenerOwner): string {
  if (typeof owner === 'string') return owner;
  const name = (owner as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? name : 'anonymous';
}

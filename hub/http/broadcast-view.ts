// A stored broadcast as the API declares it (api.ts `broadcast`): its status at an instant, and
// each target with the fields an operator reads, not the ledger's bookkeeping (command ids,
// deadlines, played segments). Every route that answers with a broadcast goes through here.
import { broadcastStatus, type BroadcastRow } from '../store/index.js';
import type { Broadcast } from './api.js';

export function broadcastView(b: BroadcastRow, now: number): Broadcast {
  // Field by field, not a spread: what a producer adds to the row it returns (a play's
  // queuedAfter and replaces) is not part of a broadcast and must not leak into every answer.
  return {
    id: b.id,
    mediaId: b.mediaId,
    mediaName: b.mediaName,
    streamUrl: b.streamUrl,
    durationMs: b.durationMs,
    startAt: b.startAt,
    createdAt: b.createdAt,
    createdBy: b.createdBy,
    volume: b.volume,
    stoppedAt: b.stoppedAt,
    kind: b.kind,
    priority: b.priority,
    programmeId: b.programmeId,
    programmeName: b.programmeName,
    plannedEnd: b.plannedEnd,
    status: broadcastStatus(b, now),
    targets: b.targets.map((t) => ({
      clusterId: t.clusterId,
      status: t.status,
      reason: t.reason,
      detail: t.detail,
      sentAt: t.sentAt,
      acceptedAt: t.acceptedAt,
      startedAt: t.startedAt,
      finishedAt: t.finishedAt,
      startErrorMs: t.startErrorMs,
    })),
  };
}

// The words for how a broadcast stands and how each of its clusters' plays went: the hub's store
// keeps them, its HTTP API (hub/http/api.ts) declares them and the `loa` CLI shows them. Defined
// once here, at the bottom, so that both ends read the same list.

/** A target's (one cluster's) outcome, from pending to the end it came to. */
export const TARGET_STATUSES = [
  'pending',
  'sent',
  'accepted',
  'started',
  'finished',
  'stopped',
  'preempted',
  'failed',
  'refused',
  'offline',
  'missed',
  'expired',
] as const;
export type TargetStatus = (typeof TARGET_STATUSES)[number];

/** A broadcast's status, derived from its targets and start time. */
export const BROADCAST_STATUSES = ['scheduled', 'running', 'done', 'stopped'] as const;
export type BroadcastStatus = (typeof BROADCAST_STATUSES)[number];

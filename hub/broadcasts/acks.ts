// How a box's acknowledgement moves its broadcast target: the patch for each status, and the end
// of an item reported after the hub had given up on it (the ledger applies them, ledger.ts).
import type { Ack } from '../../protocol/index.js';
import type { Store, TargetRow, TargetStatus } from '../store/index.js';

export type TargetPatch = Parameters<Store['broadcasts']['updateTarget']>[2];

export const FINAL: readonly TargetStatus[] = ['finished', 'stopped', 'failed', 'refused', 'offline', 'expired'];

/** Time heard in the segment under way (0 when none is). */
export function segmentMs(t: TargetRow, at: number): number {
  return t.segmentStartedAt === null ? 0 : Math.max(0, at - t.segmentStartedAt);
}

/** The patch an ack makes to an open target; null for a status that changes nothing. */
export function ackPatch(t: TargetRow, ack: Ack, at: number, durationMs: number, graceMs: number): TargetPatch | null {
  switch (ack.status) {
    case 'accepted':
      return t.status === 'sent' ? { status: 'accepted', acceptedAt: at } : { acceptedAt: t.acceptedAt ?? at };
    case 'started':
      return {
        status: 'started',
        acceptedAt: t.acceptedAt ?? at,
        startedAt: t.startedAt ?? at,
        segmentStartedAt: at,
        segments: t.segments + 1,
        firstOffsetMs: t.firstOffsetMs ?? ack.positionMs ?? 0,
        startErrorMs: t.startErrorMs ?? ack.startErrorMs ?? null,
        deadlineAt: at + Math.max(0, durationMs - (ack.positionMs ?? 0)) + graceMs,
      };
    case 'finished':
      return { status: 'finished', finishedAt: at, deadlineAt: null, playedMs: t.playedMs + segmentMs(t, at), segmentStartedAt: null };
    case 'stopped':
      return {
        status: 'stopped',
        reason: ack.reason ?? null,
        detail: ack.detail ?? null,
        finishedAt: at,
        deadlineAt: null,
        playedMs: t.playedMs + segmentMs(t, at),
        segmentStartedAt: null,
      };
    case 'failed':
    case 'refused':
      return { status: ack.status, reason: ack.reason ?? null, detail: ack.detail ?? null, deadlineAt: null };
    default:
      return null;
  }
}

/**
 * The end of an item reported after the hub gave up waiting for it (`expired`): the box's link,
 * or the hub, was down when it ended, and the box sent its ack when it could (loa-edge keeps
 * acks in an outbox). It did play, so the log takes the box's word. The times come from the
 * media position it reached, counted from when the hub saw it start (or from the broadcast's
 * start, if the hub never heard it start): the ack's own `at` is the box's uncorrected clock.
 * Null: the ack changes nothing (not an end, or the target did not expire waiting for one).
 */
export function lateEndPatch(t: TargetRow, ack: Ack, receivedAt: number, durationMs: number, broadcastStartAt: () => number | undefined): TargetPatch | null {
  if (t.status !== 'expired' || (t.reason !== 'no-finish-report' && t.reason !== 'no-answer')) return null;
  if (ack.status !== 'finished' && ack.status !== 'stopped') return null;
  const heardStart = t.segmentStartedAt !== null;
  const segmentStart = t.segmentStartedAt ?? broadcastStartAt() ?? receivedAt;
  // Where this segment began in the media; unknown after a resume, then the rest is assumed.
  const fromMs = heardStart ? (t.segments <= 1 ? (t.firstOffsetMs ?? 0) : null) : 0;
  const claimedMs = ack.positionMs ?? durationMs;
  // Untrusted: a position past the media's end, or an end in the hub's future, is cut back.
  const segment = fromMs === null ? Math.max(0, durationMs - (t.firstOffsetMs ?? 0) - t.playedMs) : Math.max(0, Math.min(claimedMs, durationMs) - fromMs);
  const finishedAt = Math.min(receivedAt, segmentStart + segment);
  return {
    status: ack.status,
    reason: ack.status === 'stopped' ? (ack.reason ?? null) : null,
    detail: `reported late, after the hub had logged it expired (${t.reason})`,
    startedAt: t.startedAt ?? segmentStart,
    segments: Math.max(1, t.segments),
    firstOffsetMs: t.firstOffsetMs ?? 0,
    finishedAt,
    playedMs: t.playedMs + Math.max(0, finishedAt - segmentStart),
    segmentStartedAt: null,
    deadlineAt: null,
  };
}

// The coded details of cluster alarms that come from what a box or the broker said: why a cluster
// went offline, and why a play failed (the box's own words go to the operator-only extra).
import { reason, type ReasonCode } from '../../common/i18n/reasons.js';
import type { Ack } from '../../protocol/index.js';
import type { AlarmDetail } from './types.js';

/** Why a cluster went offline, as the broker or its box said (devices/listener.ts), coded. */
const OFFLINE_REASONS: Record<string, ReasonCode> = {
  lost: 'cluster.lost',
  disconnected: 'cluster.disconnected',
  shutdown: 'cluster.shutdown',
  'hub-start': 'cluster.hub-start',
  offline: 'cluster.offline',
};

export function offlineDetail(why: string | null): AlarmDetail {
  const code = why !== null && Object.hasOwn(OFFLINE_REASONS, why) ? OFFLINE_REASONS[why]! : null;
  if (code) return { reason: reason(code) };
  return { reason: why ? reason('cluster.offline-other', { reason: why }) : reason('cluster.offline') };
}

/** A failed play's reason (protocol ACK_REASONS), coded; the broadcast and the box's words are the extra. */
const PLAY_FAILURES: Record<string, ReasonCode> = {
  'media-fetch-failed': 'play.media-fetch-failed',
  'media-corrupt': 'play.media-corrupt',
  'player-error': 'play.player-error',
  'no-audio-device': 'play.no-audio-device',
};

export function playFailedDetail(ack: Pick<Ack, 'reason' | 'broadcastId' | 'detail'>): AlarmDetail {
  const code = ack.reason && Object.hasOwn(PLAY_FAILURES, ack.reason) ? PLAY_FAILURES[ack.reason]! : 'play.failed';
  // Broadcast first: the box's free text after it is what a narrow table cuts.
  const known = code !== 'play.failed' || !ack.reason;
  const extra = [ack.broadcastId, known ? undefined : ack.reason, ack.detail].filter(Boolean).join(': ');
  return { reason: reason(code), extra: extra || null };
}

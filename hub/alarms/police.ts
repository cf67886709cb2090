// What the police post reads of alarms and feed events: the coded sentence and its English text,
// never the operator-only extra (a box's player error, which quotes the hub's media URLs).
import { english } from '../../common/i18n/reasons.js';
import type { Alarm, FeedEvent } from './types.js';

export type PoliceAlarm = Omit<Alarm, 'detailExtra' | 'clearExtra'>;
export type PoliceFeedEvent = Omit<FeedEvent, 'detailExtra'>;

/**
 * The English of a coded detail without the extra. A row stored before details were coded has its
 * text only, and a play-failed text then ends with the box's own words: the police get none of it.
 */
function short(kind: string, code: string | null, params: Alarm['detailParams'], text: string): string {
  if (code) return english({ code, params });
  return kind === 'play-failed' ? '' : text;
}

export function policeAlarm(a: Alarm): PoliceAlarm {
  const { detailExtra: _d, clearExtra: _c, ...rest } = a;
  return {
    ...rest,
    detail: short(a.kind, a.detailCode, a.detailParams, a.detail),
    clearDetail: a.clearDetail === null ? null : short('', a.clearCode, a.clearParams, a.clearDetail),
  };
}

export function policeEvent(e: FeedEvent): PoliceFeedEvent {
  const { detailExtra: _d, ...rest } = e;
  return { ...rest, detail: short(e.type === 'alarm-raised' ? e.kind : '', e.detailCode, e.detailParams, e.detail) };
}

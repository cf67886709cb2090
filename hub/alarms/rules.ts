// When a health report raises or clears a cluster alarm: pure functions of the report, the alarms
// already open on that cluster and the settings, so each rule is easy to read and to test.
import { reason } from '../../common/i18n/reasons.js';
import type { Health } from '../../protocol/index.js';
import type { AlarmSettings } from './settings.js';
import type { AlarmDetail, AlarmSeverity, ClusterAlarmKind } from './types.js';

export type { AlarmSettings };

export type Decision =
  | { kind: ClusterAlarmKind; action: 'raise'; severity: AlarmSeverity; detail: AlarmDetail }
  | { kind: ClusterAlarmKind; action: 'clear'; detail: AlarmDetail };

/** How bad each kind is: a silent cluster or an item not played is the operator's job now;
 *  heat, throttling and a short cache are warnings of trouble to come. */
export const SEVERITY: Record<ClusterAlarmKind, AlarmSeverity> = {
  'cluster-offline': 'critical',
  'play-failed': 'critical',
  temperature: 'warning',
  throttled: 'warning',
  'cache-insufficient': 'warning',
  // The box obeys nothing the hub sends until it trusts the hub's key again.
  'hub-key-refused': 'critical',
};

const raise = (kind: ClusterAlarmKind, detail: AlarmDetail): Decision => ({ kind, action: 'raise', severity: SEVERITY[kind], detail });
const clear = (kind: ClusterAlarmKind, detail: AlarmDetail): Decision => ({ kind, action: 'clear', detail });

function mb(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(2)} GB` : `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

export function temperatureDecision(h: Health, open: boolean, s: AlarmSettings): Decision | null {
  const t = h.cpuTempC;
  if (t === null) return null; // no sensor: nothing known either way
  if (!open && t > s.temperatureC) return raise('temperature', { reason: reason('cluster.too-hot', { celsius: t.toFixed(1), limit: s.temperatureC }) });
  // Hysteresis: a reading hovering around the limit keeps one alarm open instead of many.
  if (open && t < s.temperatureC - s.temperatureHysteresisC) return clear('temperature', { reason: reason('cluster.temperature', { celsius: t.toFixed(1) }) });
  return null;
}

export function throttledDecision(h: Health, open: boolean): Decision | null {
  if (!h.throttled) return null; // the box cannot tell (not a Raspberry Pi)
  if (!open && h.throttled.now) return raise('throttled', { reason: reason('cluster.throttled', { raw: h.throttled.raw }) });
  if (open && !h.throttled.now) return clear('throttled', { reason: reason('cluster.not-throttled', { raw: h.throttled.raw }) });
  return null;
}

/**
 * `missingForMs`: how long the box has reported media of its plan missing without a break (null
 * when it reports none missing). Missing media right after a new plan is ordinary prefetching, so
 * only a gap that lasts `cacheGraceMinutes` is an alarm.
 */
export function cacheDecision(h: Health, open: boolean, missingForMs: number | null, s: AlarmSettings): Decision | null {
  const c = h.cache;
  if (!c) return null;
  if (!open && c.planMissingBytes > 0 && missingForMs !== null && missingForMs >= s.cacheGraceMinutes * 60_000) {
    const params = { missing: mb(c.planMissingBytes), used: mb(c.usedBytes), capacity: mb(c.capacityBytes) };
    return raise('cache-insufficient', { reason: reason('cluster.cache-short', params) });
  }
  if (open && c.planMissingBytes === 0) {
    return clear('cache-insufficient', { reason: reason('cluster.cache-ok', { used: mb(c.usedBytes), capacity: mb(c.capacityBytes) }) });
  }
  return null;
}

/** Every decision one health report leads to. */
export function healthDecisions(h: Health, open: ReadonlySet<string>, missingForMs: number | null, s: AlarmSettings): Decision[] {
  return [
    temperatureDecision(h, open.has('temperature'), s),
    throttledDecision(h, open.has('throttled')),
    cacheDecision(h, open.has('cache-insufficient'), missingForMs, s),
  ].filter((d): d is Decision => d !== null);
}

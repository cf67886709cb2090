// Contexts for the schedule tests: the Tú Lệ clusters (read from config/sites/tu-le/site.yaml) and
// a media library of plausible lengths under the names the Tú Lệ schedule uses.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { ScheduleContext } from '../../hub/schedule/model.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const TU_LE_SCHEDULE = `${ROOT}config/sites/tu-le/schedule.yaml`;

export function tuLeClusters(): string[] {
  const site = parse(readFileSync(`${ROOT}config/sites/tu-le/site.yaml`, 'utf8')) as { clusters: { id: string }[] };
  return site.clusters.map((c) => c.id);
}

const sec = (s: number) => s * 1000;

/** Lengths as a real commune library might have them. */
export function tuLeMedia(): Map<string, { id: string; durationMs: number }> {
  return new Map([
    ['quoc-ca', { id: 'm-quoc-ca', durationMs: sec(80) }],
    ['ban-tin-sang', { id: 'm-ban-tin-sang', durationMs: sec(15 * 60) }],
    ['tin-xa', { id: 'm-tin-xa', durationMs: sec(10 * 60) }],
    ['nhac-nen', { id: 'm-nhac-nen', durationMs: sec(210) }],
    ['thong-bao-hop', { id: 'm-thong-bao-hop', durationMs: sec(45) }],
  ]);
}

export function tuLeContext(today = '2026-11-23'): ScheduleContext {
  return { clusterIds: tuLeClusters(), media: tuLeMedia(), today };
}

/** A small hub for the rule-by-rule tests: three clusters, four media. */
export function smallContext(extra: Partial<ScheduleContext> = {}): ScheduleContext {
  return {
    clusterIds: ['a1', 'a2', 'b1'],
    media: new Map([
      ['quoc-ca', { id: 'm1', durationMs: sec(60) }],
      ['ban-tin', { id: 'm2', durationMs: sec(600) }],
      ['nhac', { id: 'm3', durationMs: sec(200) }],
      ['tin-xa', { id: 'm4', durationMs: sec(300) }],
    ]),
    today: '2026-11-23',
    ...extra,
  };
}

/** The Nà Lóng zone (two clusters of the Tú Lệ site) and a schedule that relays a station there at 20:00. */
export const NA_LONG = ['na-long-1', 'na-long-2'];
export const naLongRelaySchedule = (url: string, durationS: number): string => `site: tu-le
timezone: Asia/Ho_Chi_Minh
zones:
  na-long: [na-long-1, na-long-2]
programmes:
  - id: tiep-song-vov
    at: "20:00"
    zones: [na-long]
    items:
      - relay: "${url}"
        duration: ${durationS}s
`;

// How emergencies read in tables: what plays (by media name), where, since when, by whom.
import type { ApiClient } from '../../api-client.js';
import type { Emergency, Media } from '../../../hub/http/api.js';
import { when } from '../../format.js';
import type { Catalogue } from '../../i18n.js';
import type { Block } from '../../output.js';

/** Media names by id, for the table; the emergency answers carry only the id. */
export async function mediaNames(api: ApiClient): Promise<Map<string, string>> {
  const { media } = await api.get<{ media: Media[] }>('/api/v1/media');
  return new Map(media.map((m) => [m.id, m.name]));
}

export function emergencyTable(list: Emergency[], names: Map<string, string>, t: Catalogue, tz: string): Block {
  return {
    kind: 'table',
    head: [t.hId, t.hMedia, t.hZones, t.hTargets, t.hRepeat, t.hVolume, t.hStarted, t.hStartedBy],
    rows: list.map((e) => [
      e.id,
      names.get(e.mediaId) ?? e.mediaId.slice(0, 12),
      e.zones.join(', '),
      e.clusters.join(', '),
      e.repeat ? t.yes : t.no,
      e.volume === null ? t.none : String(e.volume),
      when(e.startedAt, tz, t),
      e.startedBy,
    ]),
    empty: t.emergencyNone,
  };
}

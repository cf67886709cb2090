// How one media item reads in a table.
import type { Media } from '../../../hub/http/api.js';
import { bytes, duration, when } from '../../format.js';
import type { Catalogue } from '../../i18n.js';
import type { Block } from '../../output.js';

export function mediaFields(m: Media, t: Catalogue, tz: string): Block {
  return {
    kind: 'fields',
    rows: [
      [t.hId, m.id],
      [t.hName, m.name],
      [t.hOriginalName, m.originalName ?? ''],
      [t.hDuration, duration(m.durationMs)],
      [t.hSize, bytes(m.bytes)],
      [t.hFormat, m.format],
      [t.hCreated, when(m.createdAt, tz, t)],
    ],
  };
}

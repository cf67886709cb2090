// `loa media list`: the media library (ids shortened in the table; any unique start works).
import type { Media } from '../../../hub/http/api.js';
import type { CommandContext } from '../../context.js';
import { bytes, duration, when } from '../../format.js';
import type { CommandResult } from '../../output.js';

export async function mediaList(_opts: Record<string, never>, ctx: CommandContext): Promise<CommandResult> {
  const body = await ctx.api.get<{ media: Media[] }>('/api/v1/media');
  const { t, tz } = ctx;
  return {
    json: body,
    view: [
      {
        kind: 'table',
        head: [t.hId, t.hName, t.hDuration, t.hSize, t.hCreated],
        rows: body.media.map((m) => [m.id.slice(0, 12), m.name, duration(m.durationMs), bytes(m.bytes), when(m.createdAt, tz, t)]),
        empty: t.noMedia,
      },
    ],
  };
}

// Finds one media item from what an operator typed: its id, a unique start of its id, or its exact name.
import type { ApiClient } from '../../api-client.js';
import type { Media } from '../../../hub/http/api.js';
import { CliError } from '../../errors.js';
import type { Catalogue } from '../../i18n.js';

export async function resolveMedia(ref: string, api: ApiClient, t: Catalogue): Promise<Media> {
  const { media } = await api.get<{ media: Media[] }>('/api/v1/media');
  const exact = media.find((m) => m.id === ref);
  if (exact) return exact;
  // Names are stored composed (NFC) with single spaces: read what was typed the same way.
  const name = ref.normalize('NFC').replace(/\s+/gu, ' ').trim();
  const byName = media.filter((m) => m.name === name);
  const byPrefix = media.filter((m) => m.id.startsWith(ref.toLowerCase()));
  const candidates = byName.length > 0 ? byName : byPrefix;
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) throw new CliError('LOA_CLI_MEDIA_NOT_FOUND', t.mediaNotFound(ref));
  const ids = candidates
    .slice(0, 5)
    .map((m) => `${m.id.slice(0, 12)} "${m.name}"`)
    .join(', ');
  throw new CliError('LOA_CLI_MEDIA_AMBIGUOUS', t.mediaAmbiguous(ref, ids));
}

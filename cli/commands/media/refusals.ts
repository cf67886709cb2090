// The hub's refusals about media names and media in use, told in the operator's language from the
// error's details (the hub's shapes: hub/media/names.ts); every other error passes through as it is.
import { ApiError } from '../../api-client.js';
import type { Lang } from '../../i18n.js';
import { mediaTexts, type MediaTexts } from '../../i18n-media.js';

interface Named {
  id: string;
  name: string;
}
export interface UsageDetails {
  programmes?: Named[];
  broadcasts?: { id: string; programmeName: string | null }[];
  emergencies?: { id: string }[];
}

const shortId = (id: string): string => id.slice(0, 12);

/** "a, b, c, d (+2)": one line however many there are. */
function upTo4(items: string[]): string {
  return items.length <= 4 ? items.join(', ') : `${items.slice(0, 4).join(', ')} (+${items.length - 4})`;
}

/** What uses an item, in words: programmes with their names, broadcasts. */
export function usageWords(u: UsageDetails, m: MediaTexts): string {
  const parts: string[] = [];
  if (u.programmes?.length) parts.push(m.programmes(upTo4(u.programmes.map((p) => `${p.id} "${p.name}"`))));
  if (u.broadcasts?.length) parts.push(m.broadcasts(upTo4(u.broadcasts.map((b) => (b.programmeName ? `${b.id} "${b.programmeName}"` : b.id)))));
  return parts.join(m.and);
}

type Details = { name?: string; file?: string; format?: string; existing?: Named; media?: Named } & UsageDetails;

function text(code: string, d: Details, m: MediaTexts): string | null {
  switch (code) {
    case 'LOA_MEDIA_NAME_TAKEN':
      return d.name && d.existing ? m.nameTaken(d.name, shortId(d.existing.id)) : null;
    case 'LOA_MEDIA_NOT_FOUND':
      return d.name ? m.nothingToReplace(d.name) : null;
    case 'LOA_MEDIA_DUPLICATE':
      return d.file && d.existing ? m.duplicate(d.file, d.existing.name, shortId(d.existing.id)) : null;
    case 'LOA_MEDIA_PLAYLIST':
      return d.file && d.format ? m.playlist(d.file, d.format) : null;
    case 'LOA_MEDIA_IN_USE':
      if (!d.media) return null;
      return d.emergencies?.[0] ? m.inEmergency(d.media.name, d.emergencies[0].id) : m.inUse(d.media.name, usageWords(d, m));
    default:
      return null;
  }
}

export function mediaRefusal(e: unknown, lang: Lang): unknown {
  if (!(e instanceof ApiError) || typeof e.details !== 'object' || e.details === null) return e;
  const said = text(e.code, e.details as Details, mediaTexts(lang));
  return said === null ? e : new ApiError(e.code, said, e.status, e.details);
}

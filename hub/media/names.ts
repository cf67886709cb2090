// Names in the media library: how a typed name is read, what uses an item, and the errors of a
// name in use, of the same audio under a second name and of removing media that is in use.
import type { MediaRow } from '../store/index.js';
import { mediaError } from './errors.js';

export const MAX_NAME_LENGTH = 200;

/**
 * A name as people mean it: Unicode NFC (a Mac writes file names decomposed, a schedule file is
 * typed composed), spaces trimmed and runs of them made one. Null when nothing is left or it holds
 * control characters (a line break in a name would break tables and schedule files).
 */
export function normaliseName(raw: string): string | null {
  const name = raw.normalize('NFC').replace(/\s+/gu, ' ').trim();
  if (name === '' || /\p{Cc}/u.test(raw) || name.length > MAX_NAME_LENGTH) return null;
  return name;
}

/** What uses a media item: why it may not be removed without --force (or at all). */
export interface MediaUsage {
  /** Programmes of the schedule in force that play it (by name, or a `tts:` item's speech). */
  programmes: { id: string; name: string }[];
  /** Broadcasts of it on air or still to start on some cluster. */
  broadcasts: { id: string; kind: string; programmeName: string | null; startAt: number; plannedEnd: number | null }[];
  /** Emergencies on air with it: never ended by a removal. */
  emergencies: { id: string; startedAt: number }[];
}

export const inUse = (u: MediaUsage): boolean => u.programmes.length + u.broadcasts.length + u.emergencies.length > 0;

const short = (id: string): string => id.slice(0, 12);
const brief = (m: MediaRow) => ({ id: m.id, name: m.name, createdAt: m.createdAt });

/** "a, b, c (+2)": a list that stays one line. */
function few(items: string[], max = 4): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} (+${items.length - max})`;
}

/** The uses, in words: programme ids with their names, broadcast ids. */
export function usageText(u: MediaUsage): string {
  const parts: string[] = [];
  if (u.programmes.length > 0) parts.push(`programme(s) ${few(u.programmes.map((p) => `${p.id} "${p.name}"`))} of the schedule in force`);
  if (u.broadcasts.length > 0)
    parts.push(`broadcast(s) ${few(u.broadcasts.map((b) => (b.programmeName ? `${b.id} "${b.programmeName}"` : b.id)))} on air or due`);
  return parts.join(' and ');
}

export const nameErrors = {
  taken: (name: string, existing: MediaRow) =>
    mediaError(
      'LOA_MEDIA_NAME_TAKEN',
      `"${name}" is already in the library (id ${short(existing.id)}); choose another --name, or add --replace to put the new audio in its place.`,
      {
        details: { name, existing: brief(existing) },
      },
    ),
  nothingToReplace: (name: string) =>
    mediaError(
      'LOA_MEDIA_NOT_FOUND',
      `there is no media named "${name}" to replace; check the name with \`loa media list\`, or leave out --replace to add it.`,
      { details: { name } },
    ),
  duplicate: (file: string, name: string, existing: MediaRow) =>
    mediaError(
      'LOA_MEDIA_DUPLICATE',
      `${file}: this audio is already in the library as "${existing.name}" (id ${short(existing.id)}); nothing was added. Play and schedule it as ` +
        `"${existing.name}".`,
      {
        details: { file, name, existing: brief(existing) },
      },
    ),
  inUse: (media: MediaRow, usage: MediaUsage) => {
    const e = usage.emergencies[0];
    const message = e
      ? `"${media.name}" is on air in emergency ${e.id}; stop the emergency first with \`loa emergency stop\` (--force does not end an emergency).`
      : `"${media.name}" is used by ${usageText(usage)}; nothing was removed. Change the schedule or stop the broadcast first, or add --force to remove it ` +
        `anyway (its schedule items then play nothing, its broadcasts are stopped).`;
    return mediaError('LOA_MEDIA_IN_USE', message, { details: { media: brief(media), ...usage } });
  },
};

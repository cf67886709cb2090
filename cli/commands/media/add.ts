// `loa media add FILE [--replace]`: streams a local audio file to the hub and follows the import
// (upload, loudness normalisation, encoding) from the hub's NDJSON answer, showing progress on
// stderr. A name in use is refused unless --replace; the same audio under another name is refused.
import { createReadStream } from 'node:fs';
import { basename, resolve } from 'node:path';
import { ApiError } from '../../api-client.js';
import type { Media } from '../../../hub/http/api.js';
import type { CommandContext } from '../../context.js';
import { cliErrors } from '../../errors.js';
import { checkLocalFile } from '../../local-file.js';
import { bytes } from '../../format.js';
import type { Block, CommandResult } from '../../output.js';
import { createProgress } from '../../progress.js';
import { mediaTexts } from '../../i18n-media.js';
import { mediaRefusal } from './refusals.js';
import { mediaFields } from './view.js';

export interface MediaAddOptions {
  file: string;
  name?: string;
  /** Put the new audio in place of the item that has this name. */
  replace?: boolean;
}

interface Added {
  media: Media;
  replaced: Media | null;
  unchanged: boolean;
  oldOnAir?: { id: string }[];
}

// Floor, so 99.9 % never reads as done.
const pct = (x: number): string => String(Math.floor(Math.min(100, Math.max(0, x))));

export async function mediaAdd(opts: MediaAddOptions, ctx: CommandContext): Promise<CommandResult> {
  const { t } = ctx;
  const path = resolve(ctx.io.cwd, opts.file);
  const size = await checkLocalFile(path, ctx.t, { readable: true });
  const progress = createProgress(ctx.io.stderr, () => ctx.clock.now());
  const query = { filename: basename(path), ...(opts.name === undefined ? {} : { name: opts.name }), ...(opts.replace ? { replace: '1' } : {}) };
  const onSent = (sent: number): void => {
    const p = size === 0 ? 100 : (sent / size) * 100;
    progress.update(`upload:${Math.floor(p / 10)}`, t.uploading(pct(p), bytes(sent), bytes(size)));
  };

  let added: Added | undefined;
  try {
    let uploadReported = false;
    for await (const ev of ctx.api.upload('/api/v1/media', query, createReadStream(path), size, onSent)) {
      if (!uploadReported) {
        progress.update('uploaded', t.uploaded);
        uploadReported = true;
      }
      if (ev.event === 'progress') {
        progress.update(`${ev.phase}:${Math.floor(ev.percent / 10)}`, t.phase(ev.phase, pct(ev.percent)));
      } else if (ev.event === 'done') {
        // A hub before names were unique sends only the media.
        added = { media: ev.media, replaced: ev.replaced ?? null, unchanged: ev.unchanged ?? false, oldOnAir: ev.oldOnAir ?? [] };
      } else if (ev.event === 'error') {
        throw new ApiError(ev.error?.code ?? 'LOA_MEDIA_IMPORT_FAILED', ev.error?.message ?? 'the import failed', 422, ev.error?.details);
      }
    }
  } catch (e) {
    throw mediaRefusal(e, t.lang);
  } finally {
    progress.end();
  }
  if (!added) throw cliErrors.uploadUnfinished(t);
  const { media, replaced, unchanged } = added;
  const m = mediaTexts(t.lang);
  const headline = unchanged
    ? m.unchanged(media.name)
    : replaced
      ? m.replaced(media.name, replaced.id.slice(0, 12), media.id.slice(0, 12))
      : t.mediaAdded(media.name);
  const view: Block[] = [{ kind: 'line', text: headline }];
  if (added.oldOnAir?.length) view.push({ kind: 'warning', text: m.oldOnAir(added.oldOnAir.map((b) => b.id).join(', ')) });
  return { json: added, view: [...view, mediaFields(media, t, ctx.tz)] };
}

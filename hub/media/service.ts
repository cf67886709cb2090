// The media library as the rest of the hub sees it: import (transcode + record), remove, and
// where a stored delivery file is. Files live in <dataDir>/media, named by their SHA-256.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../common/clock.js';
import { LoaError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { MediaService } from '../http/context.js';
import type { Store } from '../store/index.js';
import { importMedia, mediaFilePath, removeMediaFile, sweepMediaTemp } from './library.js';
import type { MediaSettings } from './settings.js';

export interface MediaServiceDeps {
  dataDir: string;
  store: Store;
  ffmpegPath: string;
  settings: MediaSettings;
  clock: Clock;
  logger: Logger;
  /** True while a broadcast of this media is under way (it may not be removed then). */
  isInUse: (mediaId: string) => boolean;
  /** Told after an import or a removal. */
  onChange?: (mediaId: string, removed: boolean) => void;
}

export function createMediaService(deps: MediaServiceDeps): MediaService {
  const mediaDir = join(deps.dataDir, 'media');
  const uploadDir = join(deps.dataDir, 'uploads');
  mkdirSync(mediaDir, { recursive: true });
  mkdirSync(uploadDir, { recursive: true });
  // Files left by an import cut short (crash, power cut) are cleared at start.
  void sweepMediaTemp(mediaDir).catch((err: unknown) => deps.logger.warn({ err }, 'could not clear the media temp folder'));
  return {
    uploadDir,
    async import({ inputPath, name, originalName, onProgress }) {
      const started = deps.clock.now();
      const result = await importMedia({
        ffmpegPath: deps.ffmpegPath,
        inputPath,
        // Errors name the operator's file, not the upload's temporary name.
        displayName: originalName,
        mediaDir,
        settings: deps.settings,
        logger: deps.logger,
        ...(onProgress ? { onProgress } : {}),
      });
      const row = deps.store.media.upsert({
        id: result.id,
        name,
        originalName,
        durationMs: result.durationMs,
        bytes: result.bytes,
        format: result.format,
        createdAt: deps.clock.now(),
      });
      deps.logger.info({ mediaId: row.id, name: row.name, durationMs: row.durationMs, bytes: row.bytes, tookMs: deps.clock.now() - started }, 'media imported');
      deps.onChange?.(row.id, false);
      return row;
    },
    async remove(id) {
      const row = deps.store.media.get(id);
      if (!row || row.removedAt) throw new LoaError('LOA_MEDIA_NOT_FOUND', `media ${id} is not in the library; \`loa media list\` shows what is.`, { status: 404 });
      if (deps.isInUse(id)) throw new LoaError('LOA_MEDIA_IN_USE', `media ${row.name} is being broadcast; stop the broadcast first (\`loa broadcast stop\`).`, { status: 409 });
      deps.store.media.remove(id, deps.clock.now());
      await removeMediaFile(mediaDir, id);
      deps.logger.info({ mediaId: id }, 'media removed');
      deps.onChange?.(id, true);
    },
    filePath(id) {
      if (!/^[0-9a-f]{64}$/.test(id)) return undefined;
      const row = deps.store.media.get(id);
      if (!row || row.removedAt) return undefined;
      const p = mediaFilePath(mediaDir, id);
      return existsSync(p) ? p : undefined;
    },
  };
}

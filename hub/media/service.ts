// The media library as the rest of the hub sees it: import (transcode + record under a name that
// is the item's alone), replace, remove (refused while in use, unless forced), and where a stored
// delivery file is. Files live in <dataDir>/media, named by their SHA-256.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { AddResult, ImportInput, MediaService, RemoveResult } from './types.js';
import type { MediaRow, Store } from '../store/index.js';
import { mediaErrors } from './errors.js';
import { importMedia, mediaFilePath, removeMediaFile, sweepMediaTemp, type ImportedMedia } from './library.js';
import { inUse, nameErrors, usageText, type MediaUsage } from './names.js';
import type { MediaSettings } from './settings.js';

export interface MediaServiceDeps {
  dataDir: string;
  store: Store;
  ffmpegPath: string;
  settings: MediaSettings;
  clock: Clock;
  logger: Logger;
  /** Programmes of the schedule in force that play this media. */
  programmesUsing: (media: MediaRow) => { id: string; name: string }[];
  /** Stops broadcasts (a forced removal); answers which clusters were told to stop. */
  stopBroadcasts: (broadcastIds: string[]) => Promise<{ broadcastId: string; clusterId: string }[]>;
  /** Told after an import, a replacement or a removal (the scheduler resolves names again). */
  onChange?: (mediaId: string, removed: boolean) => void;
}

export function createMediaService(deps: MediaServiceDeps): MediaService {
  const { store, clock, logger } = deps;
  const mediaDir = join(deps.dataDir, 'media');
  const uploadDir = join(deps.dataDir, 'uploads');
  mkdirSync(mediaDir, { recursive: true });
  mkdirSync(uploadDir, { recursive: true });
  // Files left by an import cut short (crash, power cut) are cleared at start.
  void sweepMediaTemp(mediaDir).catch((err: unknown) => logger.warn({ err }, 'could not clear the media temp folder'));
  /** Removed (replaced) items whose file is still served: a broadcast or emergency on air plays it. */
  const held = new Set<string>();

  const usage = (m: MediaRow): MediaUsage => ({
    programmes: deps.programmesUsing(m),
    broadcasts: store.broadcasts.openOfMedia(m.id),
    emergencies: store.schedules
      .activeEmergencies()
      .filter((e) => e.mediaId === m.id)
      .map((e) => ({ id: e.id, startedAt: e.startedAt })),
  });
  const onAir = (id: string): boolean => store.broadcasts.openOfMedia(id).length > 0 || store.schedules.activeEmergencies().some((e) => e.mediaId === id);

  /** Deletes a removed item's file, or keeps serving it while something on air plays it. */
  async function retire(id: string): Promise<void> {
    if (onAir(id)) {
      held.add(id);
      return;
    }
    held.delete(id);
    await removeMediaFile(mediaDir, id).catch((err: unknown) => logger.warn({ err, mediaId: id }, 'could not delete a removed media file'));
  }

  async function releaseHeld(): Promise<void> {
    for (const id of [...held]) {
      if (store.media.get(id)?.removedAt && !onAir(id)) {
        held.delete(id);
        await removeMediaFile(mediaDir, id).catch((err: unknown) => logger.warn({ err, mediaId: id }, 'could not delete a removed media file'));
        logger.info({ mediaId: id }, 'replaced media no longer on air: file deleted');
      }
    }
  }
  // After a restart: what a replacement kept for a broadcast is served while that is still on air.
  for (const id of store.media.removedIds()) if (existsSync(mediaFilePath(mediaDir, id))) held.add(id);
  void releaseHeld();

  async function transcode(input: ImportInput): Promise<ImportedMedia> {
    return importMedia({
      ffmpegPath: deps.ffmpegPath,
      inputPath: input.inputPath,
      // Errors name the operator's file, not the upload's temporary name.
      displayName: input.originalName,
      mediaDir,
      settings: deps.settings,
      logger,
      ...(input.onProgress ? { onProgress: input.onProgress } : {}),
      ...(input.encode ? { encode: input.encode } : {}),
    });
  }

  /** A stored file no row owns (an import refused after its audio was stored) is deleted. */
  async function dropUnowned(id: string): Promise<void> {
    const row = store.media.get(id);
    if (!row || (row.removedAt && !held.has(id))) await removeMediaFile(mediaDir, id).catch(() => false);
  }

  const record = (r: ImportedMedia, name: string, originalName: string, replaces: MediaRow | null): MediaRow =>
    store.media.put(
      { id: r.id, name, originalName, durationMs: r.durationMs, bytes: r.bytes, format: r.format, createdAt: clock.now() },
      replaces?.id ?? null,
      clock.now(),
    );

  /** The operator's name must be free, or (replace) be an item's. Answers the item it replaces. */
  function checkName(name: string, replace: boolean): MediaRow | null {
    const current = store.media.byName(name) ?? null;
    if (replace && !current) throw nameErrors.nothingToReplace(name);
    if (!replace && current) throw nameErrors.taken(name, current);
    return current;
  }

  /** A free name for the hub's own imports (announcements, speech): "name", "name (2)", … */
  function freeName(base: string): string {
    for (let n = 1; ; n++) {
      const name = n === 1 ? base : `${base} (${n})`;
      if (!store.media.byName(name)) return name;
    }
  }

  return {
    uploadDir,
    checkName: (name, replace) => void checkName(name, replace),

    async add(input): Promise<AddResult> {
      const started = clock.now();
      checkName(input.name, input.replace);
      const r = await transcode(input);
      // Checked again now: the library may have changed during the import.
      const same = store.media.get(r.id);
      if (same && !same.removedAt) {
        if (same.name === input.name) return { media: same, replaced: null, unchanged: true, oldOnAir: [] };
        throw nameErrors.duplicate(input.originalName, input.name, same);
      }
      let replaces: MediaRow | null;
      try {
        replaces = checkName(input.name, input.replace);
      } catch (e) {
        await dropUnowned(r.id);
        throw e;
      }
      const row = record(r, input.name, input.originalName, replaces);
      held.delete(row.id);
      // Broadcasts already made of the old audio keep it (their boxes have the play): said, not changed.
      const oldOnAir = replaces ? store.broadcasts.openOfMedia(replaces.id) : [];
      if (replaces) await retire(replaces.id);
      logger.info(
        { mediaId: row.id, name: row.name, replaced: replaces?.id, durationMs: row.durationMs, bytes: row.bytes, tookMs: clock.now() - started },
        replaces ? 'media replaced' : 'media imported',
      );
      deps.onChange?.(row.id, false);
      return { media: row, replaced: replaces, unchanged: false, oldOnAir };
    },

    async import(input) {
      const r = await transcode(input);
      const same = store.media.get(r.id);
      if (same && !same.removedAt) return same;
      const row = record(r, freeName(input.name), input.originalName, null);
      held.delete(row.id);
      logger.info({ mediaId: row.id, name: row.name, durationMs: row.durationMs }, 'media imported');
      deps.onChange?.(row.id, false);
      return row;
    },

    usage(id) {
      const row = store.media.get(id);
      if (!row || row.removedAt) throw mediaErrors.notFound(id);
      return usage(row);
    },

    async remove(id, opts = {}): Promise<RemoveResult> {
      const row = store.media.get(id);
      if (!row || row.removedAt) throw mediaErrors.notFound(id);
      const used = usage(row);
      if (used.emergencies.length > 0 || (inUse(used) && !opts.force)) throw nameErrors.inUse(row, used);
      const stopped = used.broadcasts.length > 0 ? await deps.stopBroadcasts(used.broadcasts.map((b) => b.id)) : [];
      store.media.remove(id, clock.now());
      held.delete(id);
      await removeMediaFile(mediaDir, id);
      if (inUse(used))
        logger.warn(
          { mediaId: id, name: row.name, programmes: used.programmes.map((p) => p.id), stopped: stopped.length },
          `media removed by force although used by ${usageText(used)}`,
        );
      else logger.info({ mediaId: id, name: row.name }, 'media removed');
      deps.onChange?.(id, true);
      return { removed: id, name: row.name, forced: inUse(used), usage: used, stopped };
    },

    filePath(id) {
      if (!/^[0-9a-f]{64}$/.test(id)) return undefined;
      const row = store.media.get(id);
      if (!row || (row.removedAt && !held.has(id))) return undefined;
      const p = mediaFilePath(mediaDir, id);
      return existsSync(p) ? p : undefined;
    },

    releaseHeld,
  };
}

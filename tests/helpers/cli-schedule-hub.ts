// A real hub for the `loa schedule|emergency|report` tests: the 12 Tú Lệ clusters registered
// (no boxes connected), and media records named as the Tú Lệ schedule expects them. No audio
// files: nothing here needs a box to fetch media, only the library's names and lengths.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { offsetClock, systemClock } from '../../common/clock.js';
import { spawnLoa, type LoaRun } from './cli-run.js';
import { startTestHub, type TestHub } from './hub.js';

export const TU_LE_SCHEDULE = 'config/sites/tu-le/schedule.yaml';
export const TU_LE_CLUSTERS = (parse(readFileSync('config/sites/tu-le/site.yaml', 'utf8')) as { clusters: { id: string; name: string; village: string }[] })
  .clusters;

/** Lengths that fit the Tú Lệ slots: quốc ca 1 min, bản tin 15 min, tin xã 10 min, nhạc nền 5 min. */
export const TU_LE_MEDIA: Record<string, number> = {
  'quoc-ca': 60_000,
  'ban-tin-sang': 15 * 60_000,
  'tin-xa': 10 * 60_000,
  'nhac-nen': 5 * 60_000,
  'thong-bao-hop': 60_000,
};

/**
 * The hub's "today" for these tests: a Monday before every date the Tú Lệ file names, so the
 * file stays clean (no SCHEDULE_EVENT_PAST) whatever day the suite runs. The clock still ticks.
 */
export const SCHEDULE_HUB_NOW = Date.UTC(2026, 10, 23, 3, 0, 0);

export async function startScheduleHub(): Promise<TestHub> {
  const t = await startTestHub({ clock: offsetClock(systemClock, SCHEDULE_HUB_NOW - Date.now()) });
  for (const c of TU_LE_CLUSTERS) await t.hub.clusters.add(c);
  for (const [name, durationMs] of Object.entries(TU_LE_MEDIA)) addMedia(t, name, durationMs);
  return t;
}

/** A media row as an import would leave it (id: a hash of the name, as tests/helpers/radio-day.ts does). */
export function addMedia(t: TestHub, name: string, durationMs: number): string {
  const id = createHash('sha256').update(name).digest('hex');
  t.hub.store.media.upsert({ id, name, originalName: `${name}.mp3`, durationMs, bytes: Math.round(durationMs * 4), format: 'ogg/opus', createdAt: Date.now() });
  // The scheduler caches the library by name; tell it, as an import would.
  t.hub.bus.emit('mediaChanged', { mediaId: id, removed: false });
  return id;
}

/** `node bin/loa.js` against this hub, found through its data directory as on the hub machine. */
export function loaFor(t: TestHub, cwd: string, lang = 'en'): (args: string[]) => Promise<LoaRun> {
  return (args) => spawnLoa(['--data-dir', t.dataDir, ...args], { cwd, env: { LOA_LANG: lang } });
}

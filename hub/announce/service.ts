// Announcements: text read out by the text-to-speech provider (or an operator's audio file), with an
// optional chime before and after, imported through the media service (loudness-normalised Ogg/Opus)
// and put on air as an ad-hoc broadcast of priority live (the scheduler yields to it and resumes the
// programme after) or, with `emergency`, through the emergency start path.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock, TimerHandle } from '../../common/clock.js';
import { badRequest } from '../../common/errors.js';
import { formatWallTime } from '../../common/zoned-time.js';
import { checkClusterIds } from '../clusters/errors.js';
import type { Logger } from '../../common/logger.js';
import type { MediaService } from '../media/types.js';
import type { BroadcastRow, MediaRow } from '../store/index.js';
import type { EmergencyRow } from '../store/schedules.js';
import { encodeLevelled, measureLoudness, type LevelledPart } from '../media/speech.js';
import type { MediaSettings } from '../media/settings.js';
import { checkTtsText, type TtsProvider } from '../tts/index.js';
import { ensureChime, joinAudio } from './audio.js';
import { SpeechLevels } from './levels.js';

export interface AnnounceDeps {
  dataDir: string;
  ffmpegPath: string;
  /** The library's loudness target and encoding, for speech encoded in one pass. */
  mediaSettings: MediaSettings;
  media: MediaService;
  /** Made on first use, so a half-configured HTTP provider only fails the announcements that need it. */
  tts: () => TtsProvider;
  defaultVoice: string;
  timezone: string;
  /** A library record by id (undefined when unknown). */
  mediaRow: (id: string) => MediaRow | undefined;
  clusterIds: () => string[];
  play: (req: { mediaId: string; clusterIds: string[]; createdBy: string; priority: 'live'; startAt: number }) => BroadcastRow;
  /** An announcement starts this long after it is ready (dispatch.announceLeadMs), not dispatch.leadMs. */
  leadMs: number;
  startEmergency: (req: { zones: string[]; clusterIds?: string[]; mediaId: string; repeat: boolean; volume: number | null; by: string }) => EmergencyRow;
  clock: Clock;
  logger: Logger;
}

export interface AnnounceRequest {
  /** Words to read out; or `audioPath`, a file the operator sent. */
  text?: string;
  audioPath?: string;
  originalName?: string;
  voice?: string;
  chime: boolean;
  clusters?: string[];
  all?: boolean;
  emergency?: boolean;
  by: string;
  onProgress?: (percent: number, phase: string) => void;
}

export interface AnnounceResult {
  media: MediaRow;
  broadcast?: BroadcastRow;
  emergency?: EmergencyRow;
}

/** How long after an announcement's start its loudness is checked. */
const CHECK_AFTER_START_MS = 3000;

/** The chime's key among the learned levels: a new recipe (CHIME_FILE) is measured again. */
const CHIME_LEVEL_KEY = 'chime chime-v1';

export class AnnounceService {
  private readonly dir: string;
  private readonly levels: SpeechLevels;
  /** Level checks of finished announcements still running (awaited on stop). */
  private readonly checks = new Set<Promise<void>>();
  /** Checks still waiting for their time, with what cancels each. */
  private readonly waiting = new Map<symbol, () => void>();

  constructor(private readonly deps: AnnounceDeps) {
    this.dir = join(deps.dataDir, 'announce');
    mkdirSync(this.dir, { recursive: true });
    this.levels = new SpeechLevels(join(this.dir, 'speech-levels.json'), deps.logger.child({ part: 'levels' }));
  }

  /** Waits for the background level checks (a stopping hub must not leave ffmpeg behind). */
  async stop(): Promise<void> {
    for (const cancel of this.waiting.values()) cancel();
    await Promise.allSettled([...this.checks]);
    await this.levels.flushed();
  }

  async announce(req: AnnounceRequest): Promise<AnnounceResult> {
    const { deps } = this;
    // Every cheap check before any speech is made or audio imported.
    if ((req.text === undefined) === (req.audioPath === undefined)) throw badRequest('give either the text to read out or an audio file, not both or neither.');
    const text = req.text === undefined ? undefined : checkTtsText(req.text);
    const targets = this.targets(req);
    const voice = req.voice ?? deps.defaultVoice;
    const work = await mkdtemp(join(this.dir, 'work-'));
    try {
      const label = text !== undefined ? firstWords(text) : (req.originalName ?? 'file');
      const name = `announce ${this.stamp()} ${label}`;
      let media: MediaRow;
      if (text !== undefined) {
        const t0 = deps.clock.now();
        const tts = deps.tts();
        const speech = (await tts.synthesize(text, work, { voice })).path;
        deps.logger.info({ provider: tts.name, voice, chars: text.length, tookMs: deps.clock.now() - t0 }, 'announcement synthesised');
        media = await this.importSpeech(speech, `tts ${tts.name} ${voice}`, req.chime, name, req.originalName ?? `${name}.wav`);
      } else {
        // An operator's recording: its level is not known, so it goes through the measured import.
        let input = req.audioPath!;
        if (req.chime) {
          const chime = await ensureChime(deps.ffmpegPath, this.dir);
          input = join(work, `with-chime-${randomBytes(4).toString('hex')}.wav`);
          await joinAudio(deps.ffmpegPath, [chime, req.audioPath!, chime], input);
        }
        media = await deps.media.import({
          inputPath: input,
          name,
          originalName: req.originalName ?? `${name}.wav`,
          ...(req.onProgress ? { onProgress: req.onProgress } : {}),
        });
      }
      if (req.emergency) {
        // The clusters are resolved already (by the route): their ids are not read as names again.
        const emergency = deps.startEmergency({
          zones: req.all ? ['all'] : targets,
          clusterIds: targets,
          mediaId: media.id,
          repeat: false,
          volume: null,
          by: req.by,
        });
        return { media, emergency };
      }
      // Priority live: it goes over any programme, even an ưu tiên one, and yields only to an emergency.
      // Its own short lead: the boxes fetch a few tens of KB of speech, and the operator is waiting.
      const broadcast = deps.play({ mediaId: media.id, clusterIds: targets, createdBy: req.by, priority: 'live', startAt: deps.clock.now() + deps.leadMs });
      deps.logger.info({ broadcastId: broadcast.id, mediaId: media.id, clusters: targets.length, by: req.by }, 'announcement on air');
      return { media, broadcast };
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  /**
   * Speech (and the chime around it) into the library in one ffmpeg run, at the gains learned for
   * this voice and the chime; a source heard for the first time is measured first. Afterwards the
   * stored file is measured in the background and the voice's gain follows what it shows.
   */
  private async importSpeech(speech: string, voiceKey: string, chime: boolean, name: string, originalName: string): Promise<MediaRow> {
    const { deps } = this;
    const speechPart = { path: speech, gainDb: await this.gainOf(voiceKey, speech) };
    const parts: LevelledPart[] = [speechPart];
    if (chime) {
      const path = await ensureChime(deps.ffmpegPath, this.dir);
      const c = { path, gainDb: await this.gainOf(CHIME_LEVEL_KEY, path) };
      parts.unshift(c);
      parts.push(c);
    }
    const media = await deps.media.import({
      inputPath: speech,
      name,
      originalName,
      encode: (outputPath) => encodeLevelled({ ffmpegPath: deps.ffmpegPath, parts, outputPath, displayName: originalName, settings: deps.mediaSettings }),
    });
    this.checkLevel(voiceKey, media.id);
    return media;
  }

  /** The learned gain of a source, measuring `path` when there is none yet. */
  private async gainOf(key: string, path: string): Promise<number> {
    const known = this.levels.gain(key);
    if (known !== undefined) return known;
    const m = await measureLoudness(this.deps.ffmpegPath, path, this.deps.mediaSettings);
    // Silence (or nothing measurable) gets no gain: there is nothing to bring up.
    return m ? this.levels.measured(key, this.deps.mediaSettings.loudness.integratedLufs - m.inputI) : 0;
  }

  /**
   * Measures a stored announcement off the operator's time and corrects the voice's gain. It waits
   * until the announcement is on air (its lead and a few seconds): an ffmpeg run then must not take
   * the CPU from the first seconds of the broadcast (on a box that is also a hub, or in the bench).
   */
  private checkLevel(voiceKey: string, mediaId: string): void {
    const path = this.deps.media.filePath(mediaId);
    if (!path) return;
    const target = this.deps.mediaSettings.loudness.integratedLufs;
    const key = Symbol(mediaId);
    const due = new Promise<boolean>((resolve) => {
      const timer: TimerHandle = this.deps.clock.setTimeout(() => resolve(true), this.deps.leadMs + CHECK_AFTER_START_MS);
      this.waiting.set(key, () => {
        timer.cancel();
        resolve(false);
      });
    });
    const check = due
      .then((go) => {
        this.waiting.delete(key);
        return go ? measureLoudness(this.deps.ffmpegPath, path, this.deps.mediaSettings) : null;
      })
      .then((m) => {
        if (!m) return;
        this.levels.correct(voiceKey, target - m.inputI);
        this.deps.logger.info({ mediaId, lufs: m.inputI, target }, 'announcement loudness checked');
      })
      .catch((err: unknown) => this.deps.logger.warn({ err, mediaId }, 'announcement loudness not checked'));
    this.checks.add(check);
    void check.finally(() => this.checks.delete(check));
  }

  /**
   * Library media of `text` read out, synthesised once per provider+voice+text: the building block
   * for schedule `tts:` items (re-applying a schedule must not synthesise again). The cache maps
   * the hash to a media id in <dataDir>/announce/tts-cache.json; a removed media is made again.
   */
  async speechMedia(text: string, voice = this.deps.defaultVoice): Promise<MediaRow> {
    const words = checkTtsText(text);
    const tts = this.deps.tts();
    const { key, cache, cacheFile, hit } = this.lookup(tts.name, voice, words);
    if (hit) return hit;
    const t0 = this.deps.clock.now();
    const work = await mkdtemp(join(this.dir, 'work-'));
    try {
      const speech = await tts.synthesize(words, work, { voice });
      const media = await this.deps.media.import({ inputPath: speech.path, name: `tts ${firstWords(words)}`, originalName: `tts-${key.slice(0, 12)}.wav` });
      cache[key] = media.id;
      writeFileSync(cacheFile, `${JSON.stringify(cache, null, 1)}\n`);
      this.deps.logger.info(
        { provider: tts.name, voice, chars: words.length, mediaId: media.id, tookMs: this.deps.clock.now() - t0 },
        'speech made for the schedule',
      );
      return media;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  /** The media speechMedia made earlier for this text, without making it (undefined if none). */
  cachedSpeech(text: string, voice = this.deps.defaultVoice): MediaRow | undefined {
    try {
      return this.lookup(this.deps.tts().name, voice, checkTtsText(text)).hit;
    } catch {
      return undefined; // an unusable text or provider: nothing was made for it
    }
  }

  private lookup(provider: string, voice: string, words: string): { key: string; cache: Record<string, string>; cacheFile: string; hit: MediaRow | undefined } {
    const key = createHash('sha256').update(`${provider}\0${voice}\0${words}`).digest('hex');
    const cacheFile = join(this.dir, 'tts-cache.json');
    const cache = existsSync(cacheFile) ? (JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, string>) : {};
    const id = cache[key];
    const row = id && this.deps.media.filePath(id) ? this.deps.mediaRow(id) : undefined;
    return { key, cache, cacheFile, hit: row && !row.removedAt ? row : undefined };
  }

  private targets(req: AnnounceRequest): string[] {
    if (Boolean(req.all) === Boolean(req.clusters)) throw badRequest('give either "clusters" (a list of ids) or "all": true, not both or neither.');
    const known = this.deps.clusterIds();
    const ids = req.all ? known : [...new Set(req.clusters)];
    checkClusterIds(ids, (c) => known.includes(c));
    return ids;
  }

  /** "2026-11-23 17:05" in the site's time zone: the operator finds the announcement by when it was made. */
  private stamp(): string {
    return formatWallTime(this.deps.timezone, this.deps.clock.now()).slice(0, 16);
  }
}

/** The first few words, so the library list says what the announcement was about. */
export function firstWords(text: string, max = 40): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > 15 ? cut.slice(0, space) : cut).trim()}…`;
}

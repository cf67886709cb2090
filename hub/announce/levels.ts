// The gain that brings each text-to-speech voice (and the chime) to the target loudness, learned
// by measuring, so an announcement is encoded in one pass (hub/media/speech.ts) instead of being
// measured first while the operator waits. A voice's first announcement measures its speech
// before encoding; every announcement's stored file is measured afterwards, off the operator's
// time, and the voice's gain moves towards what that measurement asks. Kept in
// <dataDir>/announce/speech-levels.json, so a restart does not forget.
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../common/atomic-file.js';
import type { Logger } from '../../common/logger.js';

interface Level {
  gainDb: number;
  /** How many measurements went into it. */
  samples: number;
}

/** A correction from one measurement is taken at this share, so one odd sentence cannot swing it. */
const FOLLOW = 0.7;
/** Largest step one measurement may make, dB. */
const MAX_STEP_DB = 3;
/** Gains are kept within this range: more would only amplify noise or squash speech. */
const GAIN_RANGE_DB = 30;

const round = (v: number): number => Math.round(v * 100) / 100;
const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

export class SpeechLevels {
  private levels: Record<string, Level> = {};
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly logger: Logger,
  ) {
    try {
      if (existsSync(file)) this.levels = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Level>;
    } catch (err) {
      // Only a cache: a damaged file costs one measuring pass per voice.
      logger.warn({ err, file }, 'speech levels unreadable; they will be measured again');
    }
  }

  gain(key: string): number | undefined {
    const l = this.levels[key];
    return l && Number.isFinite(l.gainDb) ? l.gainDb : undefined;
  }

  /** The first measurement of a source: its gain is what brings it to the target. */
  measured(key: string, gainDb: number): number {
    const g = round(clamp(gainDb, -GAIN_RANGE_DB, GAIN_RANGE_DB));
    this.levels[key] = { gainDb: g, samples: 1 };
    this.save();
    return g;
  }

  /** A finished announcement came out `errorDb` below (+) or above (−) the target: follow it. */
  correct(key: string, errorDb: number): void {
    const l = this.levels[key];
    if (!l || !Number.isFinite(errorDb)) return;
    const step = clamp(errorDb * FOLLOW, -MAX_STEP_DB, MAX_STEP_DB);
    l.gainDb = round(clamp(l.gainDb + step, -GAIN_RANGE_DB, GAIN_RANGE_DB));
    l.samples += 1;
    this.logger.debug({ key, errorDb, gainDb: l.gainDb }, 'speech level corrected');
    this.save();
  }

  /** Resolves when what was saved so far is on disk (tests, shutdown). */
  flushed(): Promise<void> {
    return this.writing;
  }

  private save(): void {
    const text = `${JSON.stringify(this.levels, null, 1)}\n`;
    this.writing = this.writing
      .then(() => writeFileAtomic(this.file, text, 0o644))
      .catch((err: unknown) => this.logger.warn({ err, file: this.file }, 'speech levels not saved'));
  }
}

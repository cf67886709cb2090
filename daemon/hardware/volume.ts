// Decides where the volume is applied: on the ALSA mixer when the box has one configured (at once,
// also mid-item), otherwise as ffmpeg gain from the next item. Mixer writes are chained so they
// land in the order asked, and collapse: only the latest wanted level is written.
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { Mixer } from './mixer.js';

export interface VolumeControlOptions {
  mixer: Mixer | null;
  /** The cluster's standing volume (state.json). */
  standing: () => number;
  logger: Logger;
}

export class VolumeControl {
  private wanted: number | null = null;
  private applied: number | null = null;
  private chain: Promise<void> = Promise.resolve();
  private lastError: string | null = null;

  constructor(private readonly opts: VolumeControlOptions) {}

  get hasMixer(): boolean {
    return this.opts.mixer !== null;
  }

  /** The gain ffmpeg should apply (0..100): unity when the mixer does the work. */
  ffmpegVolume(itemVolume: number | undefined): number {
    return this.opts.mixer ? 100 : (itemVolume ?? this.opts.standing());
  }

  /** Puts the mixer at an item's own volume, or at the standing one when `itemVolume` is undefined.
   *  Resolves once written; null when done (or no mixer), else the mixer's error. Never rejects. */
  apply(itemVolume: number | undefined): Promise<string | null> {
    const mixer = this.opts.mixer;
    if (!mixer) return Promise.resolve(null);
    this.wanted = itemVolume ?? this.opts.standing();
    let result: string | null = null;
    this.chain = this.chain.then(async () => {
      const target = this.wanted;
      if (target === null || target === this.applied) return;
      try {
        await mixer.setVolume(target);
        this.applied = target;
        this.lastError = null;
        this.opts.logger.info({ volume: target }, 'mixer volume set');
      } catch (e) {
        // Unknown now: write again next time rather than trust a level that may not be there.
        this.applied = null;
        result = errorMessage(e);
        if (result !== this.lastError) this.opts.logger.warn({ volume: target, err: result }, 'cannot set the mixer volume');
        this.lastError = result;
      }
    });
    return this.chain.then(() => result);
  }

  /** At start-up: logs what the mixer was at and sets the standing volume. */
  async init(): Promise<void> {
    const mixer = this.opts.mixer;
    if (!mixer) return;
    const before = await mixer.getVolume().catch(() => null);
    this.opts.logger.info({ mixerWas: before, standing: this.opts.standing() }, 'applying the standing volume to the mixer');
    await this.apply(undefined);
  }
}

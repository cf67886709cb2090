// The sound card's volume control, through ALSA's mixer (`amixer`). With a mixer the volume changes
// at once, also in the middle of an item, and ffmpeg plays at unity gain; without one (no `mixer`
// in the config) the daemon falls back to an ffmpeg volume filter. Tests use FakeMixer
// (daemon/hardware/fakes.ts) or point amixerPath at a stand-in script: there is no sound card here.
import type { Logger } from '../../common/logger.js';
import { SystemTool } from './tool.js';

export interface Mixer {
  /** Sets the control to `percent` (0..100). */
  setVolume(percent: number): Promise<void>;
  /** The control's level in percent, or null when it cannot be read. */
  getVolume(): Promise<number | null>;
}

export interface AmixerOptions {
  /** ALSA card: its index ("0") or its name ("Headphones", "sndrpihifiberry"); see `aplay -l`. */
  card: string;
  /** Simple mixer control, e.g. "PCM", "Master", "Digital"; see `amixer -c CARD scontrols`. */
  control: string;
  logger: Logger;
  amixerPath?: string;
}

/** The first `[NN%]` in `amixer sget` output, e.g. `Mono: Playback 200 [80%] [0.00dB] [on]`. */
export function parseAmixerVolume(text: string): number | null {
  const m = /\[(\d{1,3})%\]/.exec(text);
  return m?.[1] === undefined ? null : Math.min(100, Number(m[1]));
}

export class AmixerMixer implements Mixer {
  private readonly amixer: SystemTool;

  constructor(private readonly opts: AmixerOptions) {
    this.amixer = new SystemTool({ path: opts.amixerPath ?? 'amixer', logger: opts.logger });
  }

  async setVolume(percent: number): Promise<void> {
    const p = Math.max(0, Math.min(100, Math.round(percent)));
    await this.amixer.run(['-q', '-c', this.opts.card, 'sset', this.opts.control, `${p}%`]);
  }

  async getVolume(): Promise<number | null> {
    const out = await this.amixer.quietly(['-c', this.opts.card, 'sget', this.opts.control]);
    return out === null ? null : parseAmixerVolume(out);
  }
}

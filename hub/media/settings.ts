// The `media:` section of the hub config: delivery encoding, loudness target and import limits,
// with their defaults beside them. The hub config schema includes this object.
import { z } from 'zod';

export const MEDIA_DEFAULTS = {
  /** EBU R128 programme loudness (LUFS); −16 is the usual target for speech on small speakers. */
  integratedLufs: -16,
  /** Highest true peak allowed after normalisation (dBTP); leaves room for lossy decoding. */
  truePeakDbtp: -1.5,
  /** Loudness range target (LU); measured and logged, see docs/media.md. */
  lra: 11,
  /** Opus bitrate in kbit/s, mono: ~14.5 MB per hour of speech at 32. */
  bitrateKbps: 32,
  maxInputBytes: 500 * 1024 * 1024,
  maxDurationS: 3 * 3600,
  /** Shorter than this is not worth broadcasting and is refused as too short. */
  minDurationMs: 100,
} as const;

export const loudnessSchema = z.strictObject({
  // Ranges are those loudnorm accepts in every ffmpeg we run (the 2018 static build included).
  integratedLufs: z.number().min(-70).max(-5).default(MEDIA_DEFAULTS.integratedLufs),
  truePeakDbtp: z.number().min(-9).max(0).default(MEDIA_DEFAULTS.truePeakDbtp),
  lra: z.number().min(1).max(20).default(MEDIA_DEFAULTS.lra),
});

export const mediaSettingsSchema = z.strictObject({
  loudness: loudnessSchema.prefault({}),
  // libopus accepts 6–510 kbit/s; above 128 mono gains nothing audible.
  bitrateKbps: z.number().int().min(6).max(128).default(MEDIA_DEFAULTS.bitrateKbps),
  maxInputBytes: z.number().int().positive().default(MEDIA_DEFAULTS.maxInputBytes),
  maxDurationS: z.number().positive().default(MEDIA_DEFAULTS.maxDurationS),
  minDurationMs: z.number().int().min(1).default(MEDIA_DEFAULTS.minDurationMs),
});

export type MediaSettings = z.infer<typeof mediaSettingsSchema>;
export type MediaSettingsInput = z.input<typeof mediaSettingsSchema>;
export type LoudnessTarget = z.infer<typeof loudnessSchema>;

/** The settings with every default filled in. */
export function defaultMediaSettings(): MediaSettings {
  return mediaSettingsSchema.parse({});
}

// Loudness normalisation of imported media, checked with ffmpeg's ebur128 meter (a different
// analyser from the loudnorm filter the import measures with): quiet, loud and peaky inputs all
// come out near the EBU R128 target without exceeding the true-peak ceiling.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import { importMedia } from '../hub/media/library.js';
import { defaultMediaSettings, type MediaSettings } from '../hub/media/settings.js';
import { ffmpegPath } from './helpers/audio.js';
import { makeLavfi, measureLoudness } from './helpers/media-audio.js';
import { makeTempDir } from './helpers/tmp.js';

const tmp = makeTempDir('loa-media-loudness-');
afterAll(() => tmp.remove());

async function normalise(input: string, settings: MediaSettings = defaultMediaSettings()) {
  const mediaDir = join(tmp.path, `media-${Math.random().toString(36).slice(2)}`);
  mkdirSync(mediaDir);
  const media = await importMedia({ ffmpegPath: ffmpegPath(), inputPath: input, mediaDir, settings, logger: silentLogger() });
  return measureLoudness(media.path);
}

// A 997 Hz sine at amplitude A reads 20·log10(A) − 3.01 LUFS, so 0.0251 is −35 LUFS.
const QUIET_SINE = 'aevalsrc=0.0251*sin(2*PI*997*t):s=44100:d=2.5';
// A major chord near full scale, like mastered music: about −8 LUFS.
const LOUD_CHORD = 'aevalsrc=0.3*sin(2*PI*262*t)+0.3*sin(2*PI*330*t)+0.3*sin(2*PI*392*t):s=44100:d=2.5';
// A voiced, speech-like sound: harmonics of 130 Hz with their peaks aligned (as glottal pulses
// align them) swelling and falling like syllables. Its peaks stand ~17 dB above its loudness, as
// recorded speech's do, so the gain to reach −16 LUFS would push them over −1.5 dBTP.
const HARMONICS = Array.from({ length: 10 }, (_, i) => `cos(2*PI*${130 * (i + 1)}*t)/${i + 1}`).join('+');
const PEAKY_SPEECHLIKE = `aevalsrc=0.01*(${HARMONICS})*pow(abs(sin(2*PI*2.5*t))\\,3):s=44100:d=3`;

describe('loudness normalisation (EBU R128)', () => {
  it('raises a quiet input (−35 LUFS) to −16 LUFS', async () => {
    const input = makeLavfi(join(tmp.path, 'quiet.wav'), QUIET_SINE);
    expect(measureLoudness(input).integratedLufs).toBeCloseTo(-35, 0);
    const out = await normalise(input);
    expect(Math.abs(out.integratedLufs - -16)).toBeLessThanOrEqual(1.5);
    expect(out.truePeakDbtp).toBeLessThanOrEqual(-1);
  });

  it('lowers a loud input to −16 LUFS', async () => {
    const input = makeLavfi(join(tmp.path, 'loud.flac'), LOUD_CHORD, ['-c:a', 'flac']);
    expect(measureLoudness(input).integratedLufs).toBeGreaterThan(-12);
    const out = await normalise(input);
    expect(Math.abs(out.integratedLufs - -16)).toBeLessThanOrEqual(1.5);
    expect(out.truePeakDbtp).toBeLessThanOrEqual(-1);
  });

  it('keeps true peaks under the ceiling when the gain alone would exceed it', async () => {
    const input = makeLavfi(join(tmp.path, 'peaky.wav'), PEAKY_SPEECHLIKE);
    const before = measureLoudness(input);
    // The fixture really is peaky: plain gain to −16 LUFS would put its peaks above −1.5 dBTP.
    expect(before.truePeakDbtp + (-16 - before.integratedLufs)).toBeGreaterThan(0);
    const out = await normalise(input);
    expect(Math.abs(out.integratedLufs - -16)).toBeLessThanOrEqual(1.5);
    expect(out.truePeakDbtp).toBeLessThanOrEqual(-1);
  });

  it('follows a configured target (−23 LUFS, −3 dBTP)', async () => {
    const input = makeLavfi(join(tmp.path, 'quiet2.wav'), QUIET_SINE);
    const settings = defaultMediaSettings();
    settings.loudness = { integratedLufs: -23, truePeakDbtp: -3, lra: 11 };
    const out = await normalise(input, settings);
    expect(Math.abs(out.integratedLufs - -23)).toBeLessThanOrEqual(1.5);
    expect(out.truePeakDbtp).toBeLessThanOrEqual(-2.5);
  });
});

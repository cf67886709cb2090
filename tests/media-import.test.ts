// The media library's import pipeline with the real ffmpeg: delivery format, duration, storage
// under the SHA-256, progress, de-duplication, and clear errors that leave nothing behind.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LoaError } from '../common/errors.js';
import { silentLogger } from '../common/logger.js';
import { importMedia, mediaFilePath, removeMediaFile, sweepMediaTemp, type ImportMediaOptions } from '../hub/media/library.js';
import { defaultMediaSettings, mediaSettingsSchema } from '../hub/media/settings.js';
import type { MediaPhase } from '../hub/media/transcode.js';
import { decodedDurationS, ffmpegPath, makeTone } from './helpers/audio.js';
import { audioStreamInfo, makeLavfi, makeUnknownDuration } from './helpers/media-audio.js';
import { makeTempDir } from './helpers/tmp.js';

const tmp = makeTempDir('loa-media-import-');
const inputs = join(tmp.path, 'inputs');
mkdirSync(inputs);
afterAll(() => tmp.remove());

let dirs = 0;
/** Writes a file and gives its path. */
function written(path: string, content: string | Buffer): string {
  writeFileSync(path, content);
  return path;
}

function freshMediaDir(): string {
  const d = join(tmp.path, `media-${++dirs}`);
  mkdirSync(d);
  return d;
}

function run(inputPath: string, mediaDir: string, extra: Partial<ImportMediaOptions> = {}) {
  const progress: { percent: number; phase: MediaPhase }[] = [];
  const promise = importMedia({
    ffmpegPath: ffmpegPath(),
    inputPath,
    mediaDir,
    settings: defaultMediaSettings(),
    logger: silentLogger(),
    onProgress: (percent, phase) => progress.push({ percent, phase }),
    ...extra,
  });
  return { promise, progress };
}

/** The kinds of stream ffmpeg lists in a file ("Audio", "Video"). */
function streamKinds(path: string): string[] {
  const r = spawnSync(ffmpegPath(), ['-hide_banner', '-nostdin', '-i', path], { encoding: 'utf8' });
  return [...r.stderr.matchAll(/Stream #0:\d+.*?: (\w+):/g)].map((m) => m[1]!);
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Everything in mediaDir except the .tmp folder, and everything inside .tmp. */
function leftovers(mediaDir: string): { files: string[]; tmp: string[] } {
  const files = readdirSync(mediaDir).filter((f) => f !== '.tmp');
  let inTmp: string[] = [];
  try {
    inTmp = readdirSync(join(mediaDir, '.tmp'));
  } catch {
    /* no .tmp at all is fine */
  }
  return { files, tmp: inTmp };
}

describe('importMedia: delivery format', () => {
  const cases = [
    { label: 'a WAV tone', make: () => makeTone(join(inputs, 'tone.wav'), 2) },
    { label: 'an MP3', make: () => makeTone(join(inputs, 'tone.mp3'), 2.5, 660) },
    {
      label: 'a stereo 44.1 kHz FLAC',
      make: () => makeLavfi(join(inputs, 'stereo.flac'), 'aevalsrc=0.2*sin(2*PI*440*t)|0.2*sin(2*PI*550*t):s=44100:d=1.5', ['-c:a', 'flac']),
    },
  ];

  for (const c of cases) {
    it(`imports ${c.label} to Ogg/Opus mono 48 kHz with its duration, stored under its SHA-256`, async () => {
      const input = c.make();
      if (c.label.includes('stereo')) expect(audioStreamInfo(input)).toMatchObject({ sampleRate: 44100, channels: 'stereo' });
      const mediaDir = freshMediaDir();
      const { promise, progress } = run(input, mediaDir);
      const media = await promise;

      expect(media.format).toBe('ogg/opus');
      expect(media.path).toBe(join(mediaDir, `${media.id}.ogg`));
      expect(media.id).toBe(sha256(media.path));
      expect(media.bytes).toBe(readFileSync(media.path).length);
      expect(audioStreamInfo(media.path)).toEqual({ container: 'ogg', codec: 'opus', sampleRate: 48000, channels: 'mono' });

      const inputMs = decodedDurationS(input) * 1000;
      expect(Math.abs(media.durationMs - inputMs)).toBeLessThanOrEqual(50);
      // ffmpeg decoding the stored file agrees with the duration we report.
      expect(Math.abs(decodedDurationS(media.path) * 1000 - media.durationMs)).toBeLessThanOrEqual(50);

      const percents = progress.map((p) => p.percent);
      for (let i = 1; i < percents.length; i++) expect(percents[i]).toBeGreaterThan(percents[i - 1]!);
      expect(percents.at(-1)).toBe(100);
      expect(new Set(progress.map((p) => p.phase))).toEqual(new Set(['measure', 'encode']));
      expect(leftovers(mediaDir)).toEqual({ files: [`${media.id}.ogg`], tmp: [] });
    });
  }

  it('reports progress to 100 for an input whose length ffmpeg cannot know in advance', async () => {
    const input = makeUnknownDuration(join(inputs, 'piped.mka'), 2);
    const mediaDir = freshMediaDir();
    const { promise, progress } = run(input, mediaDir);
    const media = await promise;
    expect(Math.abs(media.durationMs - 2000)).toBeLessThanOrEqual(50);
    const percents = progress.map((p) => p.percent);
    for (let i = 1; i < percents.length; i++) expect(percents[i]).toBeGreaterThan(percents[i - 1]!);
    expect(percents.at(-1)).toBe(100);
  });

  it('imports an MP3 with cover art as audio only', async () => {
    const input = join(inputs, 'cover.mp3');
    execFileSync(ffmpegPath(), [
      '-v',
      'error',
      '-nostdin',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'sine=duration=1.5',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=64x64:duration=1:rate=1',
      '-map',
      '0',
      '-map',
      '1',
      '-c:v',
      'mjpeg',
      '-disposition:v',
      'attached_pic',
      input,
    ]);
    const media = await run(input, freshMediaDir()).promise;
    expect(audioStreamInfo(media.path).codec).toBe('opus');
    expect(streamKinds(media.path)).toEqual(['Audio']);
  });

  it('gives the same id and keeps one file when the same audio is imported twice', async () => {
    const input = makeTone(join(inputs, 'twice.wav'), 1.5, 523);
    const mediaDir = freshMediaDir();
    const first = await run(input, mediaDir).promise;
    const before = readFileSync(first.path);
    const second = await run(input, mediaDir).promise;
    expect(second.id).toBe(first.id);
    expect(second.path).toBe(first.path);
    expect(readFileSync(second.path).equals(before)).toBe(true);
    expect(leftovers(mediaDir)).toEqual({ files: [`${first.id}.ogg`], tmp: [] });
  });

  it('uses the configured bitrate', async () => {
    const input = makeLavfi(join(inputs, 'noise.wav'), 'anoisesrc=d=3:c=pink:a=0.3:seed=3');
    const low = await run(input, freshMediaDir(), { settings: { ...defaultMediaSettings(), bitrateKbps: 16 } }).promise;
    const high = await run(input, freshMediaDir(), { settings: { ...defaultMediaSettings(), bitrateKbps: 64 } }).promise;
    expect(high.bytes).toBeGreaterThan(low.bytes * 2);
    // Constrained VBR: the stream bitrate stays near the setting.
    expect((high.bytes * 8) / (high.durationMs / 1000) / 1000).toBeLessThan(64 * 1.3);
  });
});

describe('importMedia: bad input', () => {
  const bad: { label: string; make: () => string; code: string; status: number; extra?: Partial<ImportMediaOptions> }[] = [
    {
      label: 'a text file',
      make: () => written(join(inputs, 'notes.txt'), 'Họp thôn lúc 7 giờ tối.\n'),
      code: 'LOA_MEDIA_NOT_AUDIO',
      status: 422,
    },
    {
      label: 'random bytes with no extension',
      make: () => written(join(inputs, 'blob'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251))),
      code: 'LOA_MEDIA_NOT_AUDIO',
      status: 422,
    },
    {
      label: 'a JPEG',
      make: () => makeLavfi(join(inputs, 'photo.jpg'), 'testsrc=size=64x64:duration=1', ['-frames:v', '1']),
      code: 'LOA_MEDIA_NOT_AUDIO',
      status: 422,
    },
    {
      label: 'a video with no audio',
      make: () => makeLavfi(join(inputs, 'silent-video.mkv'), 'testsrc=size=64x64:duration=1:rate=10', ['-c:v', 'mpeg4']),
      code: 'LOA_MEDIA_NOT_AUDIO',
      status: 422,
    },
    { label: 'an empty file', make: () => written(join(inputs, 'empty.mp3'), ''), code: 'LOA_MEDIA_EMPTY', status: 422 },
    { label: 'a missing path', make: () => join(inputs, 'nope.wav'), code: 'LOA_MEDIA_UNREADABLE', status: 400 },
    { label: 'a folder', make: () => inputs, code: 'LOA_MEDIA_UNREADABLE', status: 400 },
    {
      label: 'a WAV with no samples',
      make: () => makeLavfi(join(inputs, 'zero.wav'), 'sine=duration=1', ['-t', '0']),
      code: 'LOA_MEDIA_TOO_SHORT',
      status: 422,
    },
    {
      label: 'a file over the size limit',
      make: () => makeTone(join(inputs, 'big.wav'), 1),
      code: 'LOA_MEDIA_TOO_LARGE',
      status: 413,
      extra: { settings: { ...defaultMediaSettings(), maxInputBytes: 10_000 } },
    },
    {
      label: 'audio over the duration limit',
      make: () => makeTone(join(inputs, 'long.wav'), 3),
      code: 'LOA_MEDIA_TOO_LONG',
      status: 422,
      extra: { settings: { ...defaultMediaSettings(), maxDurationS: 2 } },
    },
    {
      label: 'audio over the duration limit whose length is not in the file',
      make: () => makeUnknownDuration(join(inputs, 'long-piped.mka'), 3),
      code: 'LOA_MEDIA_TOO_LONG',
      status: 422,
      extra: { settings: { ...defaultMediaSettings(), maxDurationS: 2 } },
    },
  ];

  for (const b of bad) {
    it(`refuses ${b.label} with ${b.code} and leaves nothing behind`, async () => {
      const input = b.make();
      const mediaDir = freshMediaDir();
      const err = await run(input, mediaDir, { displayName: `operator-file-${dirs}`, ...b.extra }).promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(LoaError);
      expect(err).toMatchObject({ code: b.code, status: b.status });
      // The sentence names the file as the operator knows it.
      expect((err as LoaError).message).toContain(`operator-file-${dirs}`);
      expect(leftovers(mediaDir)).toEqual({ files: [], tmp: [] });
    });
  }

  for (const phase of ['measure', 'encode'] as const) {
    it(`stops ffmpeg when cancelled during the ${phase} pass and leaves nothing behind`, async () => {
      // Long enough that ffmpeg reports progress while each pass runs.
      const input = join(inputs, 'cancel.wav');
      if (!existsSync(input)) makeTone(input, 120);
      const mediaDir = freshMediaDir();
      const ac = new AbortController();
      const seen: MediaPhase[] = [];
      const { promise } = run(input, mediaDir, {
        signal: ac.signal,
        onProgress: (p, ph) => {
          seen.push(ph);
          if (ph === phase && p > 0 && p < 100 && p !== 50) ac.abort();
        },
      });
      await expect(promise).rejects.toMatchObject({ code: 'LOA_MEDIA_CANCELLED' });
      expect(seen).toContain(phase);
      expect(leftovers(mediaDir)).toEqual({ files: [], tmp: [] });
    });
  }

  it('names an ffmpeg that cannot be run', async () => {
    const input = makeTone(join(inputs, 'noffmpeg.wav'), 1);
    const mediaDir = freshMediaDir();
    await expect(run(input, mediaDir, { ffmpegPath: join(tmp.path, 'no-ffmpeg') }).promise).rejects.toMatchObject({ code: 'LOA_FFMPEG_FAILED', status: 500 });
    expect(leftovers(mediaDir)).toEqual({ files: [], tmp: [] });
  });
});

describe('media files and settings', () => {
  it('removes a stored file by id and refuses ids that are not SHA-256', async () => {
    const mediaDir = freshMediaDir();
    const media = await run(makeTone(join(inputs, 'remove.wav'), 1), mediaDir).promise;
    expect(mediaFilePath(mediaDir, media.id)).toBe(media.path);
    expect(await removeMediaFile(mediaDir, media.id)).toBe(true);
    expect(await removeMediaFile(mediaDir, media.id)).toBe(false);
    expect(leftovers(mediaDir).files).toEqual([]);
    expect(() => mediaFilePath(mediaDir, '../../etc/passwd')).toThrow(expect.objectContaining({ code: 'LOA_MEDIA_ID_INVALID' }));
  });

  it('sweeps what a crashed import left in .tmp', async () => {
    const mediaDir = freshMediaDir();
    mkdirSync(join(mediaDir, '.tmp', 'import-crashed'), { recursive: true });
    writeFileSync(join(mediaDir, '.tmp', 'import-crashed', 'out.ogg'), 'partial');
    expect(await sweepMediaTemp(mediaDir)).toBe(1);
    expect(leftovers(mediaDir)).toEqual({ files: [], tmp: [] });
  });

  it('has defaults for every setting and refuses unknown or out-of-range ones', () => {
    expect(defaultMediaSettings()).toEqual({
      loudness: { integratedLufs: -16, truePeakDbtp: -1.5, lra: 11 },
      bitrateKbps: 32,
      maxInputBytes: 500 * 1024 * 1024,
      maxDurationS: 10_800,
      minDurationMs: 100,
    });
    expect(mediaSettingsSchema.parse({ loudness: { integratedLufs: -23 } }).loudness).toEqual({ integratedLufs: -23, truePeakDbtp: -1.5, lra: 11 });
    expect(mediaSettingsSchema.safeParse({ bitrate: 32 }).success).toBe(false);
    expect(mediaSettingsSchema.safeParse({ loudness: { truePeakDbtp: 3 } }).success).toBe(false);
  });
});

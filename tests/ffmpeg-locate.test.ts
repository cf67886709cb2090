// The ffmpeg lookup order README.md gives: config or FFMPEG_PATH, ffmpeg-static, `ffmpeg` on PATH
// (a system ffmpeg gets security updates), and only then the 2018 build inside
// @ffmpeg-installer/ffmpeg, with a warning. Real files: a stand-in `ffmpeg` on a temporary PATH.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { locateFfmpeg } from '../common/ffmpeg.js';
import { makeTempDir } from './helpers/tmp.js';

const tmp = makeTempDir('loa-ffmpeg-');
afterAll(() => tmp.remove());

describe('locateFfmpeg', () => {
  it('prefers an ffmpeg on PATH to the package build, which is the last resort', () => {
    const bin = join(tmp.path, 'ffmpeg');
    writeFileSync(bin, '#!/bin/sh\nexit 0\n');
    chmodSync(bin, 0o755);
    const found = locateFfmpeg({ env: { PATH: tmp.path } });
    // ffmpeg-static cannot download here (optional dependency): PATH comes next.
    expect(found).toEqual({ path: bin, source: 'PATH' });
    expect(found.warning).toBeUndefined();
  });

  it('falls back to @ffmpeg-installer/ffmpeg with a warning when PATH has none', () => {
    const found = locateFfmpeg({ env: { PATH: join(tmp.path, 'nothing-here') } });
    expect(found.source).toBe('@ffmpeg-installer/ffmpeg');
    expect(found.warning).toMatch(/2018.*install a system ffmpeg/);
  });

  it('FFMPEG_PATH wins over everything, and a wrong one is a clear error', () => {
    expect(locateFfmpeg({ env: { FFMPEG_PATH: join(tmp.path, 'ffmpeg'), PATH: '' } }).source).toBe('FFMPEG_PATH');
    expect(() => locateFfmpeg({ env: { FFMPEG_PATH: '/nonexistent/ffmpeg' } })).toThrow(
      /FFMPEG_PATH is \/nonexistent\/ffmpeg, which is not an executable file/,
    );
  });
});

// Finds the ffmpeg binary in the order README.md gives: the config or FFMPEG_PATH, then
// ffmpeg-static, then `ffmpeg` on PATH (a system ffmpeg gets security updates), then
// @ffmpeg-installer/ffmpeg (a 2018 build shipped inside the package: the last resort, with a
// warning). ffmpeg-static is optional because its install downloads from outside the npm registry.
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { LoaError } from './errors.js';

export type FfmpegSource = 'config' | 'FFMPEG_PATH' | 'ffmpeg-static' | '@ffmpeg-installer/ffmpeg' | 'PATH';

export interface FfmpegLocation {
  path: string;
  source: FfmpegSource;
  /** Set when the one found should be replaced (the last resort): say it in the log. */
  warning?: string;
}

const LAST_RESORT_WARNING =
  'using the ffmpeg build inside @ffmpeg-installer/ffmpeg (from 2018, no security updates): install a system ffmpeg (apt-get install ffmpeg) or set ' +
  'ffmpeg.path';

const require = createRequire(import.meta.url);

function executable(path: string | undefined | null): path is string {
  if (!path) return false;
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function fromPackage(name: string, pick: (mod: unknown) => unknown): string | undefined {
  try {
    const p = pick(require(name));
    return typeof p === 'string' ? p : undefined;
  } catch {
    return undefined;
  }
}

export function locateFfmpeg(opts: { configPath?: string | undefined; env?: NodeJS.ProcessEnv } = {}): FfmpegLocation {
  const env = opts.env ?? process.env;
  if (opts.configPath) {
    if (!executable(opts.configPath)) {
      throw new LoaError(
        'LOA_FFMPEG_NOT_FOUND',
        `ffmpeg.path in the config is ${opts.configPath}, which is not an executable file; fix the path or remove it to search automatically.`,
      );
    }
    return { path: opts.configPath, source: 'config' };
  }
  if (env.FFMPEG_PATH) {
    if (!executable(env.FFMPEG_PATH)) {
      throw new LoaError(
        'LOA_FFMPEG_NOT_FOUND',
        `FFMPEG_PATH is ${env.FFMPEG_PATH}, which is not an executable file; fix it or unset it to search automatically.`,
      );
    }
    return { path: env.FFMPEG_PATH, source: 'FFMPEG_PATH' };
  }
  const fromStatic = fromPackage('ffmpeg-static', (m) => m);
  if (executable(fromStatic)) return { path: fromStatic, source: 'ffmpeg-static' };
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'ffmpeg');
    if (executable(candidate)) return { path: candidate, source: 'PATH' };
  }
  const fromInstaller = fromPackage('@ffmpeg-installer/ffmpeg', (m) => (m as { path?: string }).path);
  if (executable(fromInstaller)) return { path: fromInstaller, source: '@ffmpeg-installer/ffmpeg', warning: LAST_RESORT_WARNING };
  throw new LoaError(
    'LOA_FFMPEG_NOT_FOUND',
    'ffmpeg was not found (config ffmpeg.path, FFMPEG_PATH, ffmpeg-static, PATH, @ffmpeg-installer/ffmpeg); install it, e.g. `apt-get install ffmpeg`.',
  );
}

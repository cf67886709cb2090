// A real Tú Lệ hub (tests/helpers/cli-schedule-hub.ts) for one CLI test file, with a media item
// `thong-bao`, optionally the Tú Lệ schedule in force, and `loa` in English and Vietnamese against
// it: started before the file's tests and stopped after them.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import type { LoaRun } from './cli-run.js';
import { addMedia, loaFor, startScheduleHub, TU_LE_SCHEDULE } from './cli-schedule-hub.js';
import type { TestHub } from './hub.js';
import { makeTempDir } from './tmp.js';

export interface TuLeCli {
  t: TestHub;
  loa: (args: string[]) => Promise<LoaRun>;
  loaVi: (args: string[]) => Promise<LoaRun>;
  /** A scratch folder, the CLI's working directory. */
  dir: string;
}

export function useTuLeCli(opts: { prefix: string; schedule?: boolean }): TuLeCli {
  const tmp = makeTempDir(opts.prefix);
  const cli = { dir: tmp.path } as TuLeCli;
  beforeAll(async () => {
    cli.t = await startScheduleHub();
    if (opts.schedule) cli.t.hub.schedules.apply(readFileSync(TU_LE_SCHEDULE, 'utf8'), TU_LE_SCHEDULE, 'test', false);
    addMedia(cli.t, 'thong-bao', 30_000);
    cli.loa = loaFor(cli.t, tmp.path);
    cli.loaVi = loaFor(cli.t, tmp.path, 'vi');
  });
  afterAll(async () => {
    await cli.t?.stop();
    tmp.remove();
  });
  return cli;
}

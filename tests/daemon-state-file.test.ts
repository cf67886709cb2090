// The box's small JSON state files (state.json, plan.json, playing.json) share one helper
// (daemon/state-file.ts): a missing file is a first start, an unreadable or damaged one is one log
// line naming the file and what the box does instead, and writes replace the file whole, in order.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../common/logger.js';
import { DeviceStateFile } from '../daemon/device-state.js';
import { PlayingFile } from '../daemon/playback/resume.js';
import { JsonStateFile } from '../daemon/state-file.js';
import { makeTempDir } from './helpers/tmp.js';

const dirs: { remove(): void }[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});
function dir(): string {
  const d = makeTempDir('loa-state-file-');
  dirs.push(d);
  return d.path;
}

function capture() {
  const out = new PassThrough();
  let text = '';
  out.on('data', (b: Buffer) => (text += b.toString()));
  const log = createLogger({ name: 'test', level: 'info', destination: out });
  return {
    log,
    lines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

const asNumber = (text: string): number => {
  const v = JSON.parse(text) as unknown;
  if (typeof v !== 'number') throw new Error('not a number');
  return v;
};

describe('JsonStateFile', () => {
  it('no file: null and nothing logged; damaged or unreadable: null and one line naming the file and what happens instead', () => {
    const d = dir();
    const { log, lines } = capture();
    const f = new JsonStateFile({ dataDir: d, name: 'x.json', what: 'the x file', log });
    expect(f.read(asNumber, 'starting fresh')).toBeNull();
    expect(lines()).toEqual([]);

    writeFileSync(f.path, '{"half');
    expect(f.read(asNumber, 'starting fresh')).toBeNull();
    writeFileSync(f.path, '"text"');
    expect(f.read(asNumber, 'starting fresh')).toBeNull();
    expect(lines().map((l) => [l.msg, l.file])).toEqual([
      ['the x file is damaged; starting fresh', f.path],
      ['the x file is damaged; starting fresh', f.path],
    ]);
    expect(lines()[1]!.err).toBe('not a number');

    const g = new JsonStateFile({ dataDir: d, name: 'a-dir.json', what: 'the y file', log });
    mkdirSync(g.path);
    expect(g.read(asNumber, 'waiting for the hub')).toBeNull();
    expect(lines()[2]).toMatchObject({ msg: 'cannot read the y file; waiting for the hub', file: g.path, err: expect.stringMatching(/EISDIR/) });
  });

  it('writes replace the file whole, in the order asked, owner-only, leaving no temp file; a failed write is logged', async () => {
    const d = dir();
    const { log, lines } = capture();
    const f = new JsonStateFile({ dataDir: d, name: 'n.json', what: 'the n file', log, ifWriteFails: '; kept in memory' });
    const writes = [1, 2, 3].map((n) => f.write(n));
    await Promise.all(writes);
    expect(f.read(asNumber, '')).toBe(3);
    expect(readFileSync(f.path, 'utf8')).toBe('3\n');
    expect(statSync(f.path).mode & 0o777).toBe(0o600);
    expect(readdirSync(d)).toEqual(['n.json']);
    await f.remove();
    await f.remove(); // already gone: fine, not logged
    expect(existsSync(f.path)).toBe(false);
    expect(lines()).toEqual([]);

    const gone = new JsonStateFile({ dataDir: join(d, 'no-such-dir'), name: 'n.json', what: 'the n file', log, ifWriteFails: '; kept in memory' });
    await gone.write(1);
    expect(lines()).toEqual([expect.objectContaining({ msg: 'cannot write the n file; kept in memory', file: gone.path })]);
  });

  it('state.json and playing.json go through it: a damaged one is named in the log, and the box starts fresh', async () => {
    const d = dir();
    const { log, lines } = capture();
    writeFileSync(join(d, 'state.json'), '{"lastSeq": -1}');
    writeFileSync(join(d, 'playing.json'), '{"cmd": {"type": "play"}, "startedAt": 1, "seekMs": 0, "resumes": 0}');
    expect(new DeviceStateFile(d, log).value).toEqual({ lastSeq: 0, volume: 80 });
    const playing = new PlayingFile(d, log);
    expect(playing.take()).toBeNull();
    await playing.flushed();
    expect(existsSync(join(d, 'playing.json'))).toBe(false);
    expect(lines().map((l) => [l.msg, l.file])).toEqual([
      ['the state file is damaged; starting fresh', join(d, 'state.json')],
      ['the file of the item playing is damaged; not resuming it', join(d, 'playing.json')],
    ]);
  });
});

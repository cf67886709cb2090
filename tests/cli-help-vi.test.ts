// `--help` in Vietnamese under `--lang vi` (issue 13, item 13): every command's and option's help
// text has its Vietnamese in cli/help-vi.ts, commander's own words too, and English stays
// English. The first test walks the whole command tree, so a new option without a translation
// fails here; the second runs the real `loa` process.
import { describe, expect, it } from 'vitest';
import { systemClock } from '../common/clock.js';
import { withCommanderHelp } from '../common/i18n/help.js';
import { HELP_VI, helpTexts } from '../cli/help-vi.js';
import { catalogue } from '../cli/i18n.js';
import { buildProgram } from '../cli/run.js';
import { spawnLoa } from './helpers/cli-run.js';

const quiet = { write: () => undefined };

describe('loa --help in Vietnamese', () => {
  it('has a translation for every help text of every command', () => {
    const program = buildProgram({ stdout: quiet, stderr: { ...quiet, isTTY: false }, env: {} } as never, catalogue('en'), systemClock);
    const texts = helpTexts(program);
    expect(texts.length).toBeGreaterThan(100);
    const table = withCommanderHelp(HELP_VI);
    const missing = texts.filter((x) => !table.has(x));
    expect(missing).toEqual([]);
  });

  it('prints the Vietnamese help with --lang vi and LOA_LANG=vi, English without', async () => {
    const vi = await spawnLoa(['--lang', 'vi', 'media', 'add', '--help'], { cwd: process.cwd() });
    expect(vi.code).toBe(0);
    expect(vi.stdout).toMatch(/^Cách dùng: loa media add \[options\] <file>/m);
    expect(vi.stdout).toContain('nhập một tệp âm thanh (mọi định dạng ffmpeg đọc được)');
    expect(vi.stdout).toContain('Tuỳ chọn chung:');
    expect(vi.stdout).toContain('hiển thị trợ giúp của lệnh');
    const env = await spawnLoa(['clusters', '--help'], { cwd: process.cwd(), env: { LOA_LANG: 'vi' } });
    expect(env.stdout).toContain('đăng ký và quản lý các cụm loa');
    const en = await spawnLoa(['--lang', 'en', 'media', 'add', '--help'], { cwd: process.cwd() });
    expect(en.stdout).toMatch(/^Usage: loa media add/m);
    expect(en.stdout).toContain('import an audio file');
  });
});

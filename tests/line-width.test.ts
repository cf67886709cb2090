// No line of the sources is over the width biome.json sets: the formatter keeps code within it,
// but cannot break a string literal, a comment or SQL, so those are split by hand and kept so here.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Lines (counted in characters, as Biome counts them) longer than `width`, as "file:line (n)". */
function overWidth(files: { path: string; text: string }[], width: number): string[] {
  const over: string[] = [];
  for (const { path, text } of files) {
    text.split('\n').forEach((line, i) => {
      const n = [...line].length;
      if (n > width) over.push(`${path}:${i + 1} (${n})`);
    });
  }
  return over;
}

describe('line width', () => {
  const width = (JSON.parse(readFileSync(join(ROOT, 'biome.json'), 'utf8')) as { formatter: { lineWidth: number } }).formatter.lineWidth;

  it('biome.json sets the width the README states', () => {
    expect(width).toBe(160);
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(`lines\nof at most ${width} characters`);
  });

  it('no tracked source file has a line over it', () => {
    const paths = execFileSync('git', ['ls-files', '*.ts', '*.js', '*.mjs'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(paths.length).toBeGreaterThan(300);
    const files = paths.map((path) => ({ path, text: readFileSync(join(ROOT, path), 'utf8') }));
    expect(overWidth(files, width)).toEqual([]);
  });

  it('counts characters, not bytes: a Vietnamese line of 160 letters fits, 161 does not', () => {
    const line = 'ệ'.repeat(160);
    expect(overWidth([{ path: 'a.ts', text: `x\n${line}\n` }], 160)).toEqual([]);
    expect(overWidth([{ path: 'a.ts', text: `${line}ệ` }], 160)).toEqual(['a.ts:1 (161)']);
  });
});

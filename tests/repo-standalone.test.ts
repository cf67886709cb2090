// The repository stands alone: no source file or document points at a file outside it (the
// project's style guide and specification lived beside the tree, not in it).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const OUTSIDE = /\b(?:STYLE|SPEC)\.md\b|\.\.\/shared\//;

describe('the repository stands alone', () => {
  it('has no reference to a file outside the tree', () => {
    const files = execFileSync('git', ['ls-files', '*.ts', '*.js', '*.mjs', '*.md'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(files.length).toBeGreaterThan(300);
    const self = 'tests/repo-standalone.test.ts';
    expect(files.filter((f) => f !== self && OUTSIDE.test(readFileSync(f, 'utf8')))).toEqual([]);
  });
});

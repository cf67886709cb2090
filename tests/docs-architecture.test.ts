// docs/architecture.md against the tree: it names every folder of hub/ and daemon/ and every file at
// their top (a new module without a paragraph fails here), every top folder of the repository and
// every node of the folder graph's layer table; every path it names exists, every link leads
// somewhere, and a module's paragraph names only files its folder holds.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { anchors, backticked, brokenLinks, missingPaths, mustName, strayFileNames, unnamed } from './helpers/architecture-doc.js';
import { LAYERS } from './helpers/import-graph.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DOC_PATH = 'docs/architecture.md';
const DOC = readFileSync(join(ROOT, DOC_PATH), 'utf8');
// harness/ comes with the harness branch (issue 15 item 3); its paths are checked once it is here.
const PENDING = ['harness'];

describe('docs/architecture.md', () => {
  it('names every folder of hub/ and daemon/, and every file at their top', () => {
    const names = mustName(ROOT, ['hub', 'daemon']);
    expect(names).toEqual(expect.arrayContaining(['hub/broadcasts/', 'hub/scheduler/box-plans/', 'daemon/cache/', 'hub/hub.ts', 'daemon/edge.ts']));
    expect(unnamed(DOC, names)).toEqual([]);
  });

  it('names every top folder of the repository', () => {
    const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
    // Dot folders (.ci/, the CI's settings) are not part of the layout.
    const tops = [...new Set(tracked.filter((f) => f.includes('/') && !f.startsWith('.')).map((f) => `${f.split('/')[0]}/`))];
    expect(tops.length).toBeGreaterThan(10);
    expect(unnamed(DOC, tops)).toEqual([]);
  });

  it('names in its folder graph every node of the layer table the import-graph test enforces', () => {
    const graph = DOC.split(/^## /m).find((s) => s.startsWith('The folder graph'))!;
    const said = new Set(backticked(graph));
    const nodes = [...LAYERS.bottom, ...LAYERS.http, ...LAYERS.top];
    const missing = nodes.filter((n) => ![`${n}/`, `hub/${n}/`, `hub/${n}.ts`].some((name) => said.has(name)));
    expect(missing).toEqual([]);
  });

  it('names only paths that exist', () => {
    expect(missingPaths(ROOT, DOC, PENDING)).toEqual([]);
  });

  it('links only to files and headings that exist', () => {
    expect(brokenLinks(ROOT, DOC_PATH, DOC)).toEqual([]);
  });

  it('has every heading that other documents link to', () => {
    const docs = readdirSync(join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`);
    const headings = anchors(DOC);
    const links = [...docs, 'README.md'].flatMap((f) =>
      [...readFileSync(join(ROOT, f), 'utf8').matchAll(/\(((?:docs\/)?architecture\.md)#([^)\s]+)\)/g)].map((m) => ({ from: f, anchor: m[2]! })),
    );
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((l) => !headings.has(l.anchor))).toEqual([]);
  });

  it("gives in each module's paragraph only file names its folder holds", () => {
    expect(strayFileNames(ROOT, DOC)).toEqual([]);
  });
});

describe('the checks', () => {
  const root = mkdtempSync(join(tmpdir(), 'loa-archdoc-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const file = (path: string, text = ''): void => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  file('hub/hub.ts');
  file('hub/ledger/ledger.ts');
  file('hub/radio/tuner.ts');
  file('daemon/edge.ts');
  file('docs/protocol.md');
  const doc = [
    '# Architecture',
    '## Modules',
    '**ledger** (`hub/ledger/`). Sends plays (`ledger.ts`, `sweeper.ts`); the box is `daemon/edge.ts`, run by `daemon/main.ts`.',
    '',
    'The composition is `hub/hub.ts` ([protocol](protocol.md), [missing](api.md), [up](#modules), [nowhere](#the-radio)).',
    'Placeholders are not paths: `hub/<module>/settings.ts`, `bench/results/NAME.json`; `harness/ports.ts` comes later.',
  ].join('\n');

  it('find a module without a paragraph, a path that is not there, a broken link and a stray file name', () => {
    expect(unnamed(doc, mustName(root, ['hub', 'daemon']))).toEqual(['hub/radio/']);
    expect(missingPaths(root, doc, ['harness'])).toEqual(['daemon/main.ts']);
    expect(brokenLinks(root, 'docs/architecture.md', doc)).toEqual(['api.md', '#the-radio']);
    expect(strayFileNames(root, doc)).toEqual(['hub/ledger/: sweeper.ts']);
  });

  it('check a pending folder once it exists', () => {
    file('harness/mosquitto.ts');
    expect(missingPaths(root, doc, ['harness'])).toEqual(['daemon/main.ts', 'harness/ports.ts']);
  });
});

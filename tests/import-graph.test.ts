// The hub's folder graph (runtime imports and `import type` alike) keeps its layout: store and
// protocol at the bottom, modules above, http above them, the composition on top, the CLI beside
// reading only the declared API; and no folders that import each other in a circle.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { edgesWithin, folderCycles, importEdges, layoutProblems } from './helpers/import-graph.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIRS = ['hub', 'cli', 'demo', 'common', 'protocol'];

describe('the import graph of hub/', () => {
  const edges = importEdges(ROOT, DIRS);

  it('is read from the sources (the walker sees the imports it is to judge)', () => {
    // A walker that found nothing would pass every rule below.
    expect(edges.length).toBeGreaterThan(300);
    expect(edges).toContainEqual(expect.objectContaining({ file: 'hub/http/routes/broadcasts.ts', to: 'store' }));
    expect(edges).toContainEqual(expect.objectContaining({ file: 'cli/api-client.ts', target: 'hub/http/api.js' }));
  });

  it('has no upward import, and the CLI reads only the declared API', () => {
    expect(layoutProblems(edges)).toEqual([]);
  });

  it('has no cycle between folders', () => {
    expect(folderCycles(edges).map((group) => ({ group, imports: edgesWithin(edges, group) }))).toEqual([]);
  });
});

describe('the walker', () => {
  const root = mkdtempSync(join(tmpdir(), 'loa-graph-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const file = (path: string, text: string): void => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  file('hub/store/rows.ts', "import type { Thing } from '../things/types.js';\nexport type Row = Thing;\n");
  file('hub/things/types.ts', "import { a } from '../others/a.js';\nexport type Thing = string;\n");
  file('hub/others/a.ts', "export {\n  b,\n} from '../things/types.js';\nexport const a = 1;\n");
  file(
    'cli/main.ts',
    "import type { Row } from '../hub/store/rows.js';\nimport type { Body } from '../hub/http/api.js';\n// import { x } from '../hub/things/types.js';\n",
  );
  file('hub/http/api.ts', "import { z } from 'zod';\nconst m = await import('../things/types.js');\n");
  file('hub/hub.ts', "import '../hub/things/types.js';\n");

  it('finds upward imports, type-only, multi-line and dynamic ones, and ignores comments', () => {
    const problems = layoutProblems(importEdges(root, ['hub', 'cli']));
    expect(problems).toEqual([
      expect.stringMatching(/^hub\/http\/api\.ts imports '\.\.\/things\/types\.js': the declared API imports nothing of the hub/),
      expect.stringMatching(/^hub\/store\/rows\.ts imports '\.\.\/things\/types\.js': upward \(store, layer 0 → things, layer 1\)/),
      expect.stringMatching(/^cli\/main\.ts imports '\.\.\/hub\/store\/rows\.js': the CLI reads only the declared API/),
    ]);
  });

  it('finds a shipped program importing the harness, and lets the demo use it', () => {
    // A tree of its own under the fixture root (the cases above walk root/hub and root/cli).
    file('harness-case/hub/broker/files.ts', "import { freePort } from '../../harness/ports.js';\n");
    file('harness-case/cli/main.ts', "import type { HubProcess } from '../harness/hub-process.js';\n");
    file('harness-case/demo/main.ts', "import { spawnEdge } from '../harness/edge-process.js';\n");
    expect(layoutProblems(importEdges(join(root, 'harness-case'), ['hub', 'cli', 'demo']))).toEqual([
      expect.stringMatching(/^hub\/broker\/files\.ts imports '\.\.\/\.\.\/harness\/ports\.js': the programs that ship do not import the harness/),
      expect.stringMatching(/^cli\/main\.ts imports '\.\.\/harness\/hub-process\.js': the programs that ship do not import the harness/),
    ]);
  });

  it('finds a cycle between folders and the imports that make it', () => {
    const edges = importEdges(root, ['hub']);
    const cycles = folderCycles(edges);
    expect(cycles).toEqual([['others', 'things']]);
    expect(edgesWithin(edges, cycles[0]!)).toEqual(['hub/others/a.ts → ../things/types.js', 'hub/things/types.ts → ../others/a.js']);
  });
});

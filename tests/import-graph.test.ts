// The hub's folder graph (runtime imports and `import type` alike) keeps its layout: store and
// protocol at the bottom, modules above, http above them, the composition on top, the CLI beside
// reading only the declared API; the box's daemon reads only common/ and protocol/, the simulator
// those and daemon parts, the benchmarks anything; and no folders (daemon rooms included) that
// import each other in a circle.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { edgesWithin, folderCycles, importEdges, layoutProblems, nodeOf } from './helpers/import-graph.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// harness/ (the launchers tests and benchmarks share) is walked once it exists.
const DIRS = ['hub', 'cli', 'demo', 'common', 'protocol', 'daemon', 'firmware-sim', 'bench', ...(existsSync(join(ROOT, 'harness')) ? ['harness'] : [])];

describe('the import graph of hub/', () => {
  const edges = importEdges(ROOT, DIRS);

  it('is read from the sources (the walker sees the imports it is to judge)', () => {
    // A walker that found nothing would pass every rule below.
    expect(edges.length).toBeGreaterThan(300);
    expect(edges).toContainEqual(expect.objectContaining({ file: 'hub/http/routes/broadcasts.ts', to: 'store' }));
    expect(edges).toContainEqual(expect.objectContaining({ file: 'cli/api-client.ts', target: 'hub/http/api.js' }));
  });

  it('walks the daemon in its rooms, the simulator and the benchmarks too', () => {
    expect(edges).toContainEqual(expect.objectContaining({ file: 'daemon/edge.ts', from: 'daemon/edge', to: 'daemon/playback' }));
    expect(edges).toContainEqual(expect.objectContaining({ file: 'daemon/offline/mode.ts', from: 'daemon/offline', to: 'daemon/link' }));
    expect(edges).toContainEqual(expect.objectContaining({ file: 'firmware-sim/virtual-cluster.ts', to: 'daemon/clock' }));
    expect(edges.filter((e) => e.from === 'bench').length).toBeGreaterThan(10);
    const rooms = new Set(edges.filter((e) => e.from.startsWith('daemon/')).map((e) => e.from));
    expect([...rooms]).toEqual(expect.arrayContaining(['daemon/cache', 'daemon/offline', 'daemon/clock', 'daemon/playback', 'daemon/hardware']));
  });

  it('has no upward import, and the CLI reads only the declared API', () => {
    expect(layoutProblems(edges)).toEqual([]);
  });

  it('has no cycle between folders', () => {
    expect(folderCycles(edges).map((group) => ({ group, imports: edgesWithin(edges, group) }))).toEqual([]);
  });
});

/** A temporary tree of sources for the walker, removed after the suite. */
function tempTree(): { root: string; file: (path: string, text: string) => void } {
  const root = mkdtempSync(join(tmpdir(), 'loa-graph-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const file = (path: string, text: string): void => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  return { root, file };
}

describe('the walker', () => {
  const { root, file } = tempTree();
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

describe('the walker beside the hub', () => {
  const { root, file } = tempTree();
  file('daemon/edge.ts', "import { Playback } from './playback/playback.js';\nimport { x } from '../protocol/index.js';\n");
  file('daemon/playback/playback.ts', "import type { Row } from '../../hub/store/rows.js';\nimport { sync } from '../clock/sync.js';\n");
  file('daemon/clock/sync.ts', "import type { Playback } from '../playback/playback.js';\nimport { now } from '../../common/clock.js';\n");
  file('firmware-sim/cluster.ts', "import { sync } from '../daemon/clock/sync.js';\nimport { hub } from '../hub/hub.js';\n");
  file('bench/fanout.ts', "import { Hub } from '../hub/hub.js';\nimport { fleet } from '../firmware-sim/cluster.js';\nimport '../daemon/edge.js';\n");
  file('hub/devices/listener.ts', "import type { State } from '../../daemon/edge.js';\nimport { ports } from '../../bench/ports.js';\n");
  file('hub/hub.ts', "import { listener } from './devices/listener.js';\n");

  it('names a daemon file by its room, or by itself at the top', () => {
    expect(nodeOf('daemon/cache/store.ts')).toBe('daemon/cache');
    expect(nodeOf('daemon/edge.ts')).toBe('daemon/edge');
    expect(nodeOf('firmware-sim/cameras/camera.ts')).toBe('firmware-sim');
  });

  it('flags a daemon or simulator file importing hub/, and the hub importing the daemon or bench/', () => {
    const problems = layoutProblems(importEdges(root, ['daemon', 'firmware-sim', 'bench', 'hub']));
    expect(problems).toEqual([
      expect.stringMatching(
        /^daemon\/playback\/playback\.ts imports '\.\.\/\.\.\/hub\/store\/rows\.js': the box's daemon imports only common\/, protocol\/ and daemon\//,
      ),
      expect.stringMatching(/^firmware-sim\/cluster\.ts imports '\.\.\/hub\/hub\.js': the simulator imports only common\/, protocol\/ and daemon\//),
      expect.stringMatching(
        /^hub\/devices\/listener\.ts imports '\.\.\/\.\.\/daemon\/edge\.js': only the simulator and the benchmarks import the box's daemon/,
      ),
      expect.stringMatching(/^hub\/devices\/listener\.ts imports '\.\.\/\.\.\/bench\/ports\.js': nothing but the benchmarks imports bench\//),
    ]);
  });

  it("finds a cycle between the daemon's rooms", () => {
    const edges = importEdges(root, ['daemon']);
    expect(folderCycles(edges)).toEqual([['daemon/clock', 'daemon/playback']]);
    expect(edgesWithin(edges, ['daemon/clock', 'daemon/playback'])).toEqual([
      'daemon/clock/sync.ts → ../playback/playback.js',
      'daemon/playback/playback.ts → ../clock/sync.js',
    ]);
  });
});

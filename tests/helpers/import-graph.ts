// The repository's folder graph as its sources write it: every import, export-from and import() of
// every .ts file (runtime and `import type` alike), folded into edges between folders, and the rules
// the layout keeps (docs/architecture.md): store and protocol at the bottom, modules above, http
// above them, the composition (hub.ts, main.ts, demo) on top, and the CLI beside, reading only the
// declared API (hub/http/api.ts). Beside the hub: the box's daemon (common/ and protocol/ only),
// the simulator (which may borrow daemon parts) and the benchmarks (anything).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** One import of one file, with the folders (nodes) it joins. */
export interface Edge {
  file: string;
  spec: string;
  from: string;
  to: string;
  /** The imported file, relative to the root (extension as written). */
  target: string;
}

// `import x from '…'`, `import type { … } from '…'`, `export { … } from '…'`, `export * from '…'`
// (across lines), side-effect `import '…'` and `import('…')`.
const FROM = /^\s*(?:import|export)\s[^;]*?\sfrom\s*['"]([^'"]+)['"]/gm;
const BARE = /^\s*import\s*['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Block and line comments out, so an example in a comment is not taken for an import. */
const withoutComments = (src: string): string => src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');

const DAEMON = 'daemon';
const SIM = 'firmware-sim';
/** Programs beside the hub that may import anything: the benchmarks, and the harness that the
 *  tests and benchmarks share (launchers of Mosquitto, hubs and boxes). */
const FREE = ['bench', 'harness'];
export const isDaemon = (node: string): boolean => node.startsWith(`${DAEMON}/`);

/**
 * The node a file belongs to: `hub/<folder>` for a file in a folder of hub/, `hub/<name>.ts`'s
 * name for a file at hub/'s top (hub, main, config, events, metrics); a room of the daemon
 * (`daemon/cache`, …) or, for a file at daemon/'s top, `daemon/<name>` (edge, link, commands, …),
 * so that the rooms' graph is checked for cycles too; and the top folder for the rest of the
 * repository (common, protocol, cli, firmware-sim, bench, …).
 */
export function nodeOf(rel: string): string {
  const parts = rel.split(/[\\/]/);
  const stemOf = (name: string): string => name.replace(/\.[jt]s$/, '');
  if (parts[0] === DAEMON) return `${DAEMON}/${parts.length === 2 ? stemOf(parts[1]!) : parts[1]!}`;
  if (parts[0] !== 'hub') return parts[0]!;
  if (parts.length === 2) return stemOf(parts[1]!);
  return parts[1]!;
}

/** Every relative import of the .ts files under `dirs` (relative to `root`). */
export function importEdges(root: string, dirs: readonly string[]): Edge[] {
  const edges: Edge[] = [];
  for (const dir of dirs) {
    for (const path of tsFiles(join(root, dir))) {
      const file = relative(root, path).split(sep).join('/');
      const src = withoutComments(readFileSync(path, 'utf8'));
      const specs = [...src.matchAll(FROM), ...src.matchAll(BARE), ...src.matchAll(DYNAMIC)].map((m) => m[1]!);
      for (const spec of specs) {
        if (!spec.startsWith('.')) continue;
        const target = relative(root, resolve(dirname(path), spec))
          .split(sep)
          .join('/');
        edges.push({ file, spec, from: nodeOf(file), to: nodeOf(target), target });
      }
    }
  }
  return edges;
}

/** Layers, bottom first. A node not named here (a new module folder) is a module. */
export const LAYERS = {
  bottom: ['common', 'protocol', 'store'],
  module: [] as string[],
  http: ['http'],
  top: ['hub', 'main', 'demo'],
} as const;
const RANK: Record<string, number> = Object.fromEntries([
  ...LAYERS.bottom.map((n) => [n, 0]),
  ...LAYERS.http.map((n) => [n, 2]),
  ...LAYERS.top.map((n) => [n, 3]),
]);
export const rankOf = (node: string): number => RANK[node] ?? 1;

/** The programs that ship (their bins and what they load) never import the test and benchmark harness. */
export const SHIPPED = ['hub', 'daemon', 'cli', 'common', 'protocol', 'firmware-sim'];
const HARNESS = 'harness';

/** The one file of the hub the CLI may read: the declared API, which imports nothing of the hub. */
export const DECLARED_API = 'hub/http/api';
const CLI = 'cli';
const stem = (p: string): string => p.replace(/\.[jt]s$/, '');

/** What breaks the layout, one sentence per import. */
export function layoutProblems(edges: readonly Edge[]): string[] {
  const problems: string[] = [];
  for (const e of edges) {
    // The benchmarks and the harness may import anything.
    if (e.from === e.to || FREE.includes(e.from)) continue;
    const where = `${e.file} imports '${e.spec}'`;
    if (e.target.split('/')[0] === HARNESS && SHIPPED.includes(e.file.split('/')[0]!)) {
      problems.push(`${where}: the programs that ship do not import the harness (harness/ is for tests, bench and demo)`);
      continue;
    }
    if (e.from === CLI) {
      const allowed = ['common', 'protocol'].includes(e.to) || stem(e.target) === DECLARED_API;
      if (!allowed) problems.push(`${where}: the CLI reads only the declared API (${DECLARED_API}.ts), common/ and protocol/`);
      continue;
    }
    if (isDaemon(e.from)) {
      if (!isDaemon(e.to) && !['common', 'protocol'].includes(e.to)) problems.push(`${where}: the box's daemon imports only common/, protocol/ and daemon/`);
      continue;
    }
    if (e.from === SIM) {
      if (!isDaemon(e.to) && !['common', 'protocol'].includes(e.to)) problems.push(`${where}: the simulator imports only common/, protocol/ and daemon/`);
      continue;
    }
    if (e.to === 'bench') {
      problems.push(`${where}: nothing but the benchmarks imports bench/`);
      continue;
    }
    if (isDaemon(e.to)) {
      problems.push(`${where}: only the simulator and the benchmarks import the box's daemon (loa-edge is a program of its own)`);
      continue;
    }
    if (e.to === SIM && e.from !== 'demo') {
      problems.push(`${where}: only the demo and the benchmarks import the simulator`);
      continue;
    }
    if (e.to === CLI) {
      problems.push(`${where}: nothing of the hub imports the CLI`);
      continue;
    }
    if (stem(e.file) === DECLARED_API && !['common', 'protocol'].includes(e.to)) {
      problems.push(`${where}: the declared API imports nothing of the hub (the CLI loads it alone)`);
      continue;
    }
    if (rankOf(e.to) > rankOf(e.from)) problems.push(`${where}: upward (${e.from}, layer ${rankOf(e.from)} → ${e.to}, layer ${rankOf(e.to)})`);
  }
  return problems;
}

/** Groups of folders that import each other in a circle (Tarjan's strongly connected components). */
export function folderCycles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    if (e.from === e.to) continue;
    if (!next.has(e.from)) next.set(e.from, new Set());
    next.get(e.from)!.add(e.to);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) cycles.push(group.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

/** The imports that make up a cycle, to say which lines to change. */
export const edgesWithin = (edges: readonly Edge[], group: readonly string[]): string[] =>
  edges.filter((e) => e.from !== e.to && group.includes(e.from) && group.includes(e.to)).map((e) => `${e.file} → ${e.spec}`);

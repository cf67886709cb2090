// docs/errors.md against the source: every stable error code and per-cluster outcome reason the
// code can raise has a row in the doc, and every row still names something the code raises.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ACK_REASONS } from '../protocol/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCE_DIRS = ['common', 'hub', 'cli', 'demo', 'daemon', 'firmware-sim', 'protocol'];
const DOC = readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8');

interface Found {
  /** Exact codes, e.g. LOA_CLUSTER_NOT_FOUND, with the first file that raises each. */
  codes: Map<string, string>;
  /** Families built at run time, e.g. `LOA_HTTP_${status}` gives LOA_HTTP_. */
  prefixes: Map<string, string>;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.isFile() && e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Codes raised in one file's text: the first argument of any `…Error(` call or constructor
 *  (LoaError, CliError, ApiError, usageError, mediaError, …), `code: 'LOA_…'` literals, and
 *  `LOA_…: 404` entries of a code-to-status map. Env variable names (LOA_TOKEN) match none. */
function scanSource(text: string, where: string, into: Found): void {
  const add = (map: Map<string, string>, key: string) => {
    if (!map.has(key)) map.set(key, where);
  };
  for (const call of text.matchAll(/\b[A-Za-z]*Error\(\s*([^,)]*)/g)) {
    const firstArg = call[1]!;
    for (const m of firstArg.matchAll(/['"](LOA_[A-Z0-9_]+)['"]/g)) add(into.codes, m[1]!);
    for (const m of firstArg.matchAll(/`(LOA_[A-Z0-9_]*?)\$\{/g)) add(into.prefixes, m[1]!);
  }
  for (const m of text.matchAll(/\bcode:\s*['"](LOA_[A-Z0-9_]+)['"]/g)) add(into.codes, m[1]!);
  for (const m of text.matchAll(/^\s*(LOA_[A-Z0-9_]+)\s*:\s*\d{3}\s*,?\s*$/gm)) add(into.codes, m[1]!);
}

function scanTree(): Found {
  const found: Found = { codes: new Map(), prefixes: new Map() };
  for (const dir of SOURCE_DIRS) {
    for (const file of tsFiles(join(ROOT, dir))) scanSource(readFileSync(file, 'utf8'), relative(ROOT, file), found);
  }
  return found;
}

/** Codes in the first column of the doc's tables; `LOA_HTTP_<status>` stands for a prefix. */
function documentedCodes(doc: string): { codes: Set<string>; prefixes: Set<string> } {
  const codes = new Set<string>();
  const prefixes = new Set<string>();
  for (const m of doc.matchAll(/^\| `(LOA_[A-Z0-9_]+)(<[a-z]+>)?`/gm)) (m[2] ? prefixes : codes).add(m[1]!);
  return { codes, prefixes };
}

/** Lower-case reasons in the first column of the tables under one heading of the doc. */
function documentedReasons(doc: string, heading: string): Set<string> {
  const start = doc.indexOf(`## ${heading}`);
  if (start < 0) return new Set();
  const end = doc.indexOf('\n## ', start + 3);
  const section = doc.slice(start, end < 0 ? undefined : end);
  return new Set([...section.matchAll(/^\| `([a-z][a-z-]*)`/gm)].map((m) => m[1]!));
}

/** Reasons the hub writes on a broadcast target itself, without a box's ack. */
function hubReasons(): Set<string> {
  const reasons = new Set<string>();
  // The broadcast ledger and its producers answer for plays; the scheduler's log (hub/scheduler/log.ts) for items nobody played.
  for (const file of [...tsFiles(join(ROOT, 'hub', 'broadcasts')), ...tsFiles(join(ROOT, 'hub', 'dispatcher')), ...tsFiles(join(ROOT, 'hub', 'scheduler'))]) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\breason:\s*(?:[a-z]+\s*\?\s*)?'([a-z][a-z-]*)'(?:\s*:\s*'([a-z][a-z-]*)')?/g)) {
      reasons.add(m[1]!);
      if (m[2]) reasons.add(m[2]);
    }
  }
  return reasons;
}

describe('docs/errors.md', () => {
  const source = scanTree();
  const doc = documentedCodes(DOC);

  it('the scanner finds codes in every form the source uses', () => {
    // Multi-line constructor, a literal after `??`, a code-to-status map, a template family,
    // a `code:` literal in an HTTP reply: if any form stopped being seen, this fails first.
    expect(source.codes.get('LOA_STORE_TOO_NEW')).toBe(join('hub', 'store', 'db.ts'));
    expect(source.codes.has('LOA_MEDIA_IMPORT_FAILED')).toBe(true);
    expect(source.codes.has('LOA_MEDIA_EMPTY')).toBe(true);
    expect(source.codes.has('LOA_CLI_BAD_ANSWER')).toBe(true);
    expect([...source.prefixes.keys()]).toContain('LOA_HTTP_');
    expect(source.codes.has('LOA_TOKEN')).toBe(false); // an environment variable, not a code
    expect(source.codes.size).toBeGreaterThan(50);
  });

  it('a new code without a row would be reported', () => {
    const probe: Found = { codes: new Map(), prefixes: new Map() };
    scanSource("throw new LoaError(\n  'LOA_SOMETHING_NEW', `x`, { status: 409 });\nusageError('LOA_CLI_ALSO_NEW', t.x);", 'probe.ts', probe);
    const missing = [...probe.codes.keys()].filter((c) => !doc.codes.has(c));
    expect(missing).toEqual(['LOA_SOMETHING_NEW', 'LOA_CLI_ALSO_NEW']);
  });

  it('documents every code the source raises', () => {
    const missing = [
      ...[...source.codes].filter(([c]) => !doc.codes.has(c)).map(([c, file]) => `${c} (${file})`),
      ...[...source.prefixes].filter(([p]) => !doc.prefixes.has(p)).map(([p, file]) => `${p}<…> (${file})`),
    ];
    expect(missing, 'add a row to docs/errors.md for each').toEqual([]);
  });

  it('documents no code the source no longer raises', () => {
    const stale = [...[...doc.codes].filter((c) => !source.codes.has(c)), ...[...doc.prefixes].filter((p) => !source.prefixes.has(p))];
    expect(stale, 'remove these rows from docs/errors.md or restore the code').toEqual([]);
  });

  it('documents every per-cluster outcome reason, and only those', () => {
    const inDoc = documentedReasons(DOC, 'Per-cluster broadcast outcomes');
    const fromHub = hubReasons();
    expect(fromHub.has('no-answer')).toBe(true); // the scanner sees the ternary in the sweep
    expect(fromHub.has('not-sent')).toBe(true); // and the scheduler's log
    const known = new Set<string>([...ACK_REASONS, ...fromHub]);
    expect([...known].filter((r) => !inDoc.has(r))).toEqual([]);
    expect([...inDoc].filter((r) => !known.has(r))).toEqual([]);
  });
});

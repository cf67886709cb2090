// Reads a YAML file and validates it with a zod schema. A bad file is reported with the file,
// the line and column, the path inside the document and the reason.
import { readFileSync } from 'node:fs';
import { isMap, isNode, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { configErrors } from './config-errors.js';

export interface ConfigProblem {
  file: string;
  line?: number;
  col?: number;
  path: string;
  message: string;
}

export function formatProblem(p: ConfigProblem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}:${p.col ?? 1}`;
  return `${where}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

/** Where a key itself (not its value) stands in its parent mapping. */
function keyPosition(doc: Document, lines: LineCounter, parent: (string | number)[], key: string): { line: number; col: number } | undefined {
  const map = parent.length === 0 ? doc.contents : doc.getIn(parent, true);
  if (!isMap(map)) return undefined;
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
  return pair && isNode(pair.key) && pair.key.range ? lines.linePos(pair.key.range[0]) : undefined;
}

function positionOf(doc: Document, lines: LineCounter, path: (string | number)[]): { line: number; col: number } | undefined {
  // Walk up the path until a node exists: a missing key is reported where its parent is.
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) {
      const { line, col } = lines.linePos(node.range[0]);
      return { line, col };
    }
  }
  return undefined;
}

/** Parses YAML text; returns the validated value or throws LOA_CONFIG_INVALID listing every problem. */
export function parseYamlConfig<S extends z.ZodType>(text: string, file: string, schema: S): z.infer<S> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problems: ConfigProblem[] = [];
  for (const err of doc.errors) {
    // linePos is filled only with prettyErrors; work it out from the offset instead.
    const pos = lines.linePos(err.pos[0]);
    problems.push({ file, line: pos.line, col: pos.col, path: '', message: err.message.split('\n')[0] ?? err.message });
  }
  let raw: unknown = {};
  if (problems.length === 0) {
    // Aliases are resolved here: one to no anchor, or too many of them (a "billion laughs" file),
    // throws; that is a problem of the file like any other, not a crash.
    try {
      raw = doc.toJS({ maxAliasCount: 100 }) ?? {};
    } catch (e) {
      problems.push({ file, line: 1, col: 1, path: '', message: `cannot read the YAML: ${(e as Error).message.split('\n')[0]}` });
    }
  }
  if (problems.length === 0) {
    const result = schema.safeParse(raw);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      const path = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
      // An unknown key is reported on its parent; point at the key itself.
      let pos: { line: number; col: number } | undefined;
      if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) {
        pos = keyPosition(doc, lines, path, issue.keys[0]!);
        path.push(issue.keys[0]!);
      }
      pos ??= positionOf(doc, lines, path);
      problems.push({ file, line: pos?.line, col: pos?.col, path: path.join('.'), message: issue.message });
    }
  }
  throw configErrors.invalid(problems.map(formatProblem).join('\n'), { details: problems });
}

/** Reads and validates a YAML config file; a missing or unreadable file is a clear error too. */
export function loadYamlConfig<S extends z.ZodType>(file: string, schema: S): z.infer<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw configErrors.unreadable(`${file}: cannot read the config file (${code ?? String(e)}); check the path given to --config.`);
  }
  return parseYamlConfig(text, file, schema);
}

// `npm run docs:schemas`: writes docs/schemas/*.schema.json and the field tables of
// docs/protocol.md from protocol/; `--check` changes nothing and exits 1 when either is stale.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { updateFieldTables } from './field-tables.js';
import { SCHEMA_DIR, schemaFiles } from './json-schema.js';

export const PROTOCOL_DOC = 'docs/protocol.md';

/** The files that differ from what the generator makes, relative to root (empty: all current). */
export function staleDocs(root: string): string[] {
  const stale: string[] = [];
  const dir = join(root, SCHEMA_DIR);
  const want = schemaFiles();
  for (const [name, text] of want) {
    const path = join(dir, name);
    if (!existsSync(path) || readFileSync(path, 'utf8') !== text) stale.push(`${SCHEMA_DIR}/${name}`);
  }
  if (existsSync(dir)) for (const f of readdirSync(dir)) if (!want.has(f)) stale.push(`${SCHEMA_DIR}/${f} (not made by the generator)`);
  const doc = readFileSync(join(root, PROTOCOL_DOC), 'utf8');
  if (updateFieldTables(doc) !== doc) stale.push(PROTOCOL_DOC);
  return stale;
}

export function writeDocs(root: string): void {
  const dir = join(root, SCHEMA_DIR);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of schemaFiles()) writeFileSync(join(dir, name), text);
  const docPath = join(root, PROTOCOL_DOC);
  writeFileSync(docPath, updateFieldTables(readFileSync(docPath, 'utf8')));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // dist/protocol/docs-gen.js → the repository root.
  const root = fileURLToPath(new URL('../../', import.meta.url));
  try {
    if (process.argv.includes('--check')) {
      const stale = staleDocs(root);
      if (stale.length > 0) {
        process.stderr.write(`loa docs:schemas: out of date: ${stale.join(', ')}; run npm run docs:schemas\n`);
        process.exit(1);
      }
    } else {
      writeDocs(root);
    }
  } catch (err) {
    // A marker naming no payload, an unreadable doc: one line that says what, not a stack.
    process.stderr.write(`loa docs:schemas: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

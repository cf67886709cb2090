// Field tables for docs/protocol.md (field, required, nullable, type, range, meaning), made from the
// published JSON Schemas so the prose a vendor reads says exactly what the hub and loa-edge accept.
import { jsonSchemaOf, PAYLOADS } from './json-schema.js';

type Node = Record<string, unknown>;

export interface FieldRow {
  field: string;
  required: boolean;
  nullable: boolean;
  type: string;
  range: string;
  meaning: string;
}

const EPOCH_MS_MAX = 8.64e15;

/** Splits `T | null` into T and whether null is allowed (zod writes it as anyOf or a type list). */
function unNull(node: Node): { node: Node; nullable: boolean } {
  const anyOf = node.anyOf as Node[] | undefined;
  if (anyOf?.some((n) => n.type === 'null')) {
    const inner = anyOf.find((n) => n.type !== 'null') ?? {};
    return { node: { ...inner, description: node.description ?? inner.description }, nullable: true };
  }
  if (Array.isArray(node.type) && node.type.includes('null')) {
    const types = (node.type as string[]).filter((t) => t !== 'null');
    return { node: { ...node, type: types.length === 1 ? types[0] : types }, nullable: true };
  }
  return { node, nullable: false };
}

function numberRange(n: Node): string {
  const isInt = n.type === 'integer';
  const min = n.minimum as number | undefined;
  const exMin = n.exclusiveMinimum as number | undefined;
  let max = n.maximum as number | undefined;
  if (isInt && min === 0 && max === EPOCH_MS_MAX) return 'ms since the Unix epoch, UTC';
  if (max === Number.MAX_SAFE_INTEGER) max = undefined;
  const lo = min ?? (exMin !== undefined && isInt ? exMin + 1 : undefined);
  if (lo !== undefined && max !== undefined) return `${lo} – ${max}`;
  if (lo !== undefined) return `≥ ${lo}`;
  if (exMin !== undefined) return `> ${exMin}`;
  if (max !== undefined) return `≤ ${max}`;
  return '';
}

function stringRange(n: Node): string {
  const parts: string[] = [];
  const min = n.minLength as number | undefined;
  const max = n.maxLength as number | undefined;
  if (min !== undefined && max !== undefined) parts.push(`${min}–${max} characters`);
  else if (max !== undefined) parts.push(`≤ ${max} characters`);
  const pattern = n.pattern as string | undefined;
  if (pattern === '^[0-9a-f]{64}$') parts.push('64 lowercase hex digits');
  else if (pattern === '^[A-Za-z0-9._:-]+$') parts.push('of `A-Z a-z 0-9 . _ : -`');
  else if (pattern) parts.push(`matches \`${pattern}\``);
  return parts.join(', ');
}

function describeType(n: Node): { type: string; range: string } {
  if (n.const !== undefined) return { type: typeof n.const === 'number' ? 'integer' : 'string', range: `always \`${JSON.stringify(n.const)}\`` };
  if (Array.isArray(n.enum)) return { type: 'string', range: (n.enum as unknown[]).map((e) => `\`${JSON.stringify(e)}\``).join(', ') };
  const t = n.type as string | undefined;
  if (t === 'integer' || t === 'number') return { type: t, range: numberRange(n) };
  if (t === 'string') return { type: t, range: stringRange(n) };
  if (t === 'array') {
    const min = n.minItems as number | undefined;
    const max = n.maxItems as number | undefined;
    const items = (n.items as Node | undefined)?.type;
    const range = min !== undefined && max !== undefined ? `${min}–${max} items` : max !== undefined ? `≤ ${max} items` : '';
    return { type: `array of ${items === 'object' ? 'objects' : String(items)}`, range };
  }
  return { type: t ?? 'any', range: '' };
}

/** One row per field, nested objects as `parent.child` and array items as `parent[].child`. */
export function fieldRows(schema: Node, prefix = ''): FieldRow[] {
  const props = (schema.properties ?? {}) as Record<string, Node>;
  const required = new Set((schema.required ?? []) as string[]);
  const rows: FieldRow[] = [];
  for (const [key, raw] of Object.entries(props)) {
    const { node, nullable } = unNull(raw);
    const field = `${prefix}${key}`;
    const { type, range } = describeType(node);
    const dflt = node.default !== undefined ? `default \`${JSON.stringify(node.default)}\`` : '';
    rows.push({ field, required: required.has(key), nullable, type, range: [range, dflt].filter(Boolean).join('; '), meaning: String(node.description ?? '') });
    if (node.type === 'object') rows.push(...fieldRows(node, `${field}.`));
    const items = node.items as Node | undefined;
    if (node.type === 'array' && items?.type === 'object') rows.push(...fieldRows(items, `${field}[].`));
  }
  return rows;
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

export function fieldTable(name: string): string {
  const p = PAYLOADS.find((x) => x.name === name);
  if (!p) throw new Error(`docs/protocol.md: <!-- fields:${name} --> names no payload; use one of ${PAYLOADS.map((x) => x.name).join(', ')}`);
  const head = '| field | required | nullable | type | range / format | meaning |\n| --- | --- | --- | --- | --- | --- |';
  const lines = fieldRows(jsonSchemaOf(p)).map(
    (r) => `| \`${r.field}\` | ${r.required ? 'yes' : 'no'} | ${r.nullable ? 'yes' : 'no'} | ${r.type} | ${cell(r.range)} | ${cell(r.meaning)} |`,
  );
  return [head, ...lines].join('\n');
}

const MARKED = /<!-- fields:([a-z-]+) -->\n[\s\S]*?<!-- \/fields -->/g;

/** The document with every `<!-- fields:NAME -->` … `<!-- /fields -->` section made anew. */
export function updateFieldTables(doc: string): string {
  return doc.replace(MARKED, (_m, name: string) => `<!-- fields:${name} -->\n${fieldTable(name)}\n<!-- /fields -->`);
}

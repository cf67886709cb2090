// Reads the fleet file of loa-sim: the clusters to simulate with their credentials, as YAML,
// JSON, or a stream of JSON objects (what repeated `loa clusters add ID --json` prints).
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseYamlConfig } from '../common/config-file.js';
import { LoaError } from '../common/errors.js';
import { CLUSTER_ID_PATTERN, HUB_KEY_PATTERN } from '../protocol/index.js';
import type { FleetClusterSpec } from './fleet.js';
import { parseDelay, type DelaySpec } from './settings.js';

const delaySchema = z.union([
  z.number().nonnegative(),
  z.string().transform((s, ctx): DelaySpec => {
    try {
      return parseDelay(s);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
      return z.NEVER;
    }
  }),
  z.object({ min: z.number().nonnegative(), max: z.number().nonnegative() }).refine((d) => d.max >= d.min, 'max must be >= min'),
]);

const overridesSchema = z
  .object({
    delayMs: delaySchema,
    clockOffsetMs: z.number(),
    failureRate: z.number().min(0).max(1),
    fetchDelayMs: delaySchema,
    healthIntervalMs: z.number().positive(),
  })
  .partial()
  .strict();

// `loa clusters add --json` may print the cluster object beside the secret; take its id then.
const entrySchema = z.preprocess(
  (raw) => {
    if (raw && typeof raw === 'object' && !('id' in raw) && 'cluster' in raw) {
      const cluster = (raw as { cluster?: { id?: unknown } }).cluster;
      return { ...raw, id: cluster?.id };
    }
    return raw;
  },
  z.object({
    id: z.string().regex(CLUSTER_ID_PATTERN, 'must be a cluster id: lowercase letters, digits and dashes'),
    secret: z.string().min(1, 'must not be empty'),
    /** Printed beside the secret by `loa clusters add --json`: the hub's public keys. */
    hubKeys: z.array(z.string().regex(HUB_KEY_PATTERN, 'must be ed25519: and the base64 key the hub prints')).optional(),
    overrides: overridesSchema.optional(),
  }),
);

function uniqueIds(list: { id: string }[], ctx: z.RefinementCtx, prefix: (string | number)[]): void {
  const seen = new Set<string>();
  list.forEach((c, i) => {
    if (seen.has(c.id)) ctx.addIssue({ code: 'custom', path: [...prefix, i, 'id'], message: `cluster ${c.id} appears twice` });
    seen.add(c.id);
  });
}

const listSchema = z
  .array(entrySchema)
  .min(1, 'lists no cluster')
  .superRefine((l, ctx) => uniqueIds(l, ctx, []));
const objectSchema = z.object({
  clusters: z
    .array(entrySchema)
    .min(1, 'lists no cluster')
    .superRefine((l, ctx) => uniqueIds(l, ctx, [])),
});

type Entry = z.infer<typeof entrySchema>;

function toSpec(e: Entry): FleetClusterSpec {
  return { id: e.id, secret: e.secret, ...(e.overrides ? { overrides: e.overrides } : {}), ...(e.hubKeys ? { hubKeys: e.hubKeys } : {}) };
}

/** Parses fleet file text; errors name the file, line and field. */
export function parseFleetFile(text: string, file: string): FleetClusterSpec[] {
  if (text.trimStart().startsWith('{')) {
    const chunks = splitJsonObjects(text);
    const only = chunks.length === 1 ? chunks[0] : undefined;
    const wrapsList = typeof only?.value === 'object' && only.value !== null && 'clusters' in only.value;
    // A lone {clusters: [...]} object, or one that is not JSON (a YAML flow mapping), is read as YAML.
    const yamlInstead = only !== undefined && (only.error !== undefined || wrapsList);
    if (!yamlInstead) return parseJsonObjects(chunks, file);
  }
  let peek: unknown;
  try {
    peek = parseYaml(text);
  } catch {
    peek = undefined; // parseYamlConfig reports the syntax error with its position
  }
  if (Array.isArray(peek)) return parseYamlConfig(text, file, listSchema).map(toSpec);
  return parseYamlConfig(text, file, objectSchema).clusters.map(toSpec);
}

interface JsonChunk {
  line: number;
  value?: unknown;
  error?: string;
}

/**
 * Splits a stream of JSON objects, one per line or pretty-printed one after another (what
 * repeated `loa clusters add ID --json` prints), keeping the line each one starts on.
 */
function splitJsonObjects(text: string): JsonChunk[] {
  const chunks: JsonChunk[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  let line = 1;
  let startLine = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') line++;
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') {
      if (depth++ === 0) {
        start = i;
        startLine = line;
      }
    } else if (ch === '}' && depth > 0 && --depth === 0) {
      chunks.push(parseChunk(text.slice(start, i + 1), startLine));
    } else if (depth === 0 && !/\s/.test(ch ?? '')) {
      chunks.push({ line, error: `unexpected "${ch}" between JSON objects` });
      return chunks;
    }
  }
  if (depth > 0) chunks.push({ line: startLine, error: 'JSON object not closed' });
  return chunks;
}

function parseChunk(text: string, line: number): JsonChunk {
  try {
    return { line, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { line, error: `not JSON: ${(e as Error).message}` };
  }
}

function parseJsonObjects(chunks: JsonChunk[], file: string): FleetClusterSpec[] {
  const specs: FleetClusterSpec[] = [];
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const c of chunks) {
    if (c.error !== undefined) {
      problems.push(`${file}:${c.line}: ${c.error}`);
      continue;
    }
    const r = entrySchema.safeParse(c.value);
    if (!r.success) {
      for (const issue of r.error.issues) problems.push(`${file}:${c.line}: ${issue.path.join('.') || '(object)'}: ${issue.message}`);
      continue;
    }
    if (seen.has(r.data.id)) problems.push(`${file}:${c.line}: cluster ${r.data.id} appears twice`);
    seen.add(r.data.id);
    specs.push(toSpec(r.data));
  }
  if (problems.length > 0) throw new LoaError('LOA_CONFIG_INVALID', problems.join('\n'));
  return specs;
}

export function loadFleetFile(file: string): FleetClusterSpec[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new LoaError('LOA_SIM_FLEET_UNREADABLE', `${file}: cannot read the fleet file (${code ?? String(e)}); check the path given to --fleet.`);
  }
  return parseFleetFile(text, file);
}

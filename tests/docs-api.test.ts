// docs/api.md against the declared API (hub/http/api.ts): every body the doc spells out, as
// `Name = { a, b, … }` or as a route's answer `{ a, b, … }`, names exactly the schema's fields,
// nested objects included, so neither the doc nor the code can drift from the other.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import * as api from '../hub/http/api.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DOC = readFileSync(join(ROOT, 'docs', 'api.md'), 'utf8');

/** The doc's names for the declared schemas. */
const NAMED: Record<string, z.ZodType> = {
  Cluster: api.cluster,
  ClusterStatus: api.clusterStatus,
  Media: api.media,
  MediaUsage: api.mediaUsage,
  Broadcast: api.broadcast,
  Target: api.target,
  LogEntry: api.logEntry,
  Problem: api.scheduleProblem,
  changes: api.scheduleChanges,
  TimelineEntry: api.timelineEntry,
  Emergency: api.emergency,
  ReportRow: api.reportRow,
  Camera: api.cameraView,
  CameraStatus: api.cameraStatusView,
  DiscoveredCamera: api.discoveredCamera,
  device: api.cameraDevice,
  LiveInfo: api.liveInfo,
  LiveViewStatus: api.liveViewStatus,
  LiveViewInfo: api.liveViewInfo,
  Alarm: api.alarm,
  FeedEvent: api.feedEvent,
};

/** Routes whose answer the doc's tables spell out, with the schema of that answer. */
const ANSWERS: Record<string, z.ZodType> = {
  'GET /api/v1/status': api.hubStatus,
  'POST /api/v1/clusters': api.clusterAdded,
  'POST /api/v1/clusters/{id}/rotate-secret': api.secretRotated,
  'GET /api/v1/broadcasts/{id}': api.broadcastOne,
  'POST /api/v1/broadcasts': api.playAnswer,
  'POST /api/v1/broadcasts/stop': api.stopAnswer,
  'GET /api/v1/log': api.logList,
  'GET /api/v1/media/{id}': api.mediaOne,
  'DELETE /api/v1/media/{id}': api.mediaRemoved,
  'POST /api/v1/schedules/validate': api.validateAnswer,
  'POST /api/v1/schedules': api.applyAnswer,
  'GET /api/v1/plan': api.planAnswer,
  'GET /api/v1/report': api.reportAnswer,
  'GET /api/v1/alarms': api.alarmList,
  'GET /api/v1/alarms/events': api.eventList,
  'POST /api/v1/broker/files': api.brokerFiles,
  'POST /api/v1/live/push': api.pushAnswer,
};

/** The object inside optional, nullable, array and default wrappers; undefined for anything else. */
function objectOf(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  let t = schema as unknown as { def: { type: string; innerType?: unknown; element?: unknown }; shape?: Record<string, z.ZodType> };
  for (let i = 0; i < 10; i++) {
    if (t.def.type === 'object') return t.shape;
    const inner = t.def.innerType ?? t.def.element;
    if (!inner) return undefined;
    t = inner as typeof t;
  }
  return undefined;
}

/** Splits at top-level commas: `a, b: { c, d }, e (x, y)` → three parts. */
function topLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let part = '';
  for (const ch of text) {
    if ('{([<'.includes(ch)) depth++;
    if ('})]>'.includes(ch)) depth--;
    if (ch === ',' && depth === 0) {
      parts.push(part);
      part = '';
    } else part += ch;
  }
  if (part.trim()) parts.push(part);
  return parts.map((p) => p.trim()).filter(Boolean);
}

/** The text between a `{` at `from` and its matching `}`. */
function braced(text: string, from: number): string {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '{') depth++;
    if (text[i] === '}' && --depth === 0) return text.slice(from + 1, i);
  }
  throw new Error(`unclosed { in ${text.slice(from, from + 80)}`);
}

interface DocFields {
  names: string[];
  /** Fields the doc spells out as objects (`health: { at, … }`), with their own fields. */
  nested: Map<string, DocFields>;
  /** A `…` (some fields left out on purpose): only the named ones are checked. */
  partial: boolean;
}

function parseFields(body: string): DocFields {
  const out: DocFields = { names: [], nested: new Map(), partial: false };
  for (const part of topLevel(body)) {
    if (part === '…' || part === '...') {
      out.partial = true;
      continue;
    }
    const m = /^"?([A-Za-z_]\w*)"?\??/.exec(part);
    if (!m) throw new Error(`cannot read the field "${part}" in { ${body} }`);
    out.names.push(m[1]!);
    const open = part.indexOf('{');
    if (open >= 0 && /^[^{(]*:/.test(part)) out.nested.set(m[1]!, parseFields(braced(part, open)));
  }
  return out;
}

/** Differences between what the doc lists and what the schema declares, as readable lines. */
function compare(path: string, doc: DocFields, schema: z.ZodType): string[] {
  const shape = objectOf(schema);
  if (!shape) return [`${path}: the schema is not an object`];
  const declared = Object.keys(shape).sort();
  const documented = [...doc.names].sort();
  const problems: string[] = [];
  const missing = declared.filter((f) => !documented.includes(f));
  const extra = documented.filter((f) => !declared.includes(f));
  if (missing.length && !doc.partial) problems.push(`${path}: the doc leaves out ${missing.join(', ')}`);
  if (extra.length) problems.push(`${path}: the doc names ${extra.join(', ')}, which the API does not send`);
  for (const [field, sub] of doc.nested) if (shape[field]) problems.push(...compare(`${path}.${field}`, sub, shape[field]));
  return problems;
}

/** `Name = { … }` and `Name = Base & { … }` definitions of the doc, by name. */
function definitions(): Map<string, DocFields> {
  const found = new Map<string, DocFields>();
  for (const m of DOC.matchAll(/`(\w+) = (?:(\w+) & )?\{/g)) {
    const fields = parseFields(braced(DOC, m.index + m[0].length - 1));
    const base = m[2] ? found.get(m[2]) : undefined;
    if (m[2] && !base) throw new Error(`${m[1]} extends ${m[2]}, which the doc defines after it`);
    found.set(m[1]!, base ? { ...fields, names: [...base.names, ...fields.names], nested: new Map([...base.nested, ...fields.nested]) } : fields);
  }
  return found;
}

/** The answer cell of each route row in the doc's tables: `| \`GET /api/v1/x?…\` | … | answer |`. */
function answers(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of DOC.split('\n')) {
    const m = /^\| `(GET|POST|DELETE) (\/[^`?\s]*)[^`]*`[^|]*\|(.*)\|\s*$/.exec(line);
    if (!m) continue;
    const key = `${m[1]} ${m[2]}`;
    if (!rows.has(key)) rows.set(key, m[3]!.split(' | ').at(-1)!);
  }
  return rows;
}

describe('docs/api.md matches the declared API (hub/http/api.ts)', () => {
  const defs = definitions();

  it.each(Object.keys(NAMED))('%s: the documented fields are the declared ones', (name) => {
    const doc = defs.get(name);
    expect(doc, `docs/api.md has no \`${name} = { … }\``).toBeDefined();
    expect(compare(name, doc!, NAMED[name]!)).toEqual([]);
  });

  it('defines nothing the API does not declare', () => {
    expect([...defs.keys()].filter((n) => !(n in NAMED))).toEqual([]);
  });

  const rows = answers();
  it.each(Object.keys(ANSWERS))('%s: the answer in the table names the declared fields', (route) => {
    const cell = rows.get(route);
    expect(cell, `docs/api.md has no table row for ${route}`).toBeDefined();
    const open = cell!.indexOf('{');
    expect(open, `the answer of ${route} spells out no { … }`).toBeGreaterThanOrEqual(0);
    expect(compare(route, parseFields(braced(cell!, open)), ANSWERS[route]!)).toEqual([]);
  });
});

describe('the checker', () => {
  it('sees a field left out, one too many, and one wrong inside a nested object', () => {
    const doc = parseFields('id, name: { first }, gone, …');
    expect(doc.partial).toBe(true);
    expect(compare('X', parseFields('id, extra, name: { first, last }'), objectFromKeys())).toEqual([]);
    expect(compare('X', parseFields('id, extra'), objectFromKeys())).toEqual(['X: the doc leaves out name']);
    expect(compare('X', parseFields('id, extra, name: { first, last }, more'), objectFromKeys())).toEqual([
      'X: the doc names more, which the API does not send',
    ]);
    expect(compare('X', parseFields('id, extra, name: { first }'), objectFromKeys())).toEqual(['X.name: the doc leaves out last']);
  });
});

/** { id, extra, name: { first, last } | null } made from the declared schemas' own parts. */
function objectFromKeys(): z.ZodType {
  return api.cluster.pick({ id: true }).extend({
    extra: api.cluster.shape.name,
    name: api.scheduleChanges.pick({}).extend({ first: api.cluster.shape.id, last: api.cluster.shape.id }).nullable(),
  });
}

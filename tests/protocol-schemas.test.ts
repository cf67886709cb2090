// docs/protocol.md and docs/schemas/ are what another vendor builds a box from: the JSON Schema
// files and the doc's field tables must be what the generator makes from protocol/, and every JSON
// example in the doc must be a payload the hub and loa-edge accept.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { staleDocs, writeDocs } from '../protocol/docs-gen.js';
import { fieldTable } from '../protocol/field-tables.js';
import { PAYLOADS, SIGNATURE_SCHEMA } from '../protocol/json-schema.js';
import { decodePayload, healthSchema, planSchema } from '../protocol/index.js';
import { makeTempDir } from './helpers/tmp.js';

const doc = readFileSync('docs/protocol.md', 'utf8');

interface Example {
  name: string;
  line: number;
  text: string;
}

/** Every ```json block of a markdown text, with the `<!-- example:NAME -->` tag just before it. */
function examples(md: string): { tagged: Example[]; untagged: number[] } {
  const lines = md.split('\n');
  const tagged: Example[] = [];
  const untagged: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```json') continue;
    const tag = /^\s*<!-- example:([a-z-]+) -->\s*$/.exec(lines[i - 1] ?? '');
    let end = i + 1;
    while (end < lines.length && lines[end]!.trim() !== '```') end++;
    const text = lines.slice(i + 1, end).join('\n');
    if (tag) tagged.push({ name: tag[1]!, line: i + 1, text });
    else untagged.push(i + 1);
  }
  return { tagged, untagged };
}

/** A rule the zod schemas do not check for plan items: the hub never sends a stopAt before startAt. */
function planOrderProblems(value: unknown): string[] {
  const plan = planSchema.parse(value);
  return plan.items
    .filter((it) => it.stopAt !== undefined && it.stopAt <= it.startAt)
    .map((it) => `${it.broadcastId}: stopAt ${it.stopAt} is not after startAt ${it.startAt}`);
}

/** What a box or the hub makes of an example: the channel decoder, plus the checks it implies. */
function problemsOf(ex: Example): string[] {
  const payload = PAYLOADS.find((p) => p.name === ex.name);
  if (!payload) return [`no payload named ${ex.name}`];
  let raw: unknown;
  try {
    raw = JSON.parse(ex.text);
  } catch (e) {
    return [`not JSON: ${(e as Error).message}`];
  }
  const parsed = payload.schema.safeParse(raw);
  if (!parsed.success) return parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  // The channel's own decoder takes it too (a command of any type on cmd).
  const decoded = decodePayload(payload.channel as never, ex.text);
  if (!decoded.ok) return [decoded.reason];
  const problems: string[] = [];
  if (ex.name === 'plan') problems.push(...planOrderProblems(raw));
  const sig = (raw as { sig?: unknown }).sig;
  if (sig !== undefined && !new RegExp(SIGNATURE_SCHEMA.properties.sig.pattern).test(String(sig))) problems.push('sig is not 88 base64 characters');
  return problems;
}

describe('docs/schemas and the field tables of docs/protocol.md', () => {
  it('are what `npm run docs:schemas` makes from protocol/', () => {
    expect(staleDocs('.')).toEqual([]);
  });

  it('a changed schema file or table is found stale, and the generator puts it right', () => {
    const tmp = makeTempDir('loa-proto-docs-');
    try {
      mkdirSync(join(tmp.path, 'docs'));
      cpSync('docs/schemas', join(tmp.path, 'docs/schemas'), { recursive: true });
      writeFileSync(join(tmp.path, 'docs/protocol.md'), doc.replace('| `cpuTempC` | yes | yes |', '| `cpuTempC` | no | yes |'));
      writeFileSync(join(tmp.path, 'docs/schemas/health.schema.json'), '{}\n');
      writeFileSync(join(tmp.path, 'docs/schemas/old.schema.json'), '{}\n');
      expect(staleDocs(tmp.path)).toEqual(['docs/schemas/health.schema.json', 'docs/schemas/old.schema.json (not made by the generator)', 'docs/protocol.md']);
      writeDocs(tmp.path);
      expect(readFileSync(join(tmp.path, 'docs/protocol.md'), 'utf8')).toBe(doc);
      expect(staleDocs(tmp.path)).toEqual(['docs/schemas/old.schema.json (not made by the generator)']);
    } finally {
      tmp.remove();
    }
  });

  it('give every payload a table (each command type apart) and a JSON Schema file', () => {
    for (const p of PAYLOADS) {
      if (p.name !== 'cmd') expect(doc, p.name).toContain(`<!-- fields:${p.name} -->\n${fieldTable(p.name)}\n<!-- /fields -->`);
      const file = JSON.parse(readFileSync(`docs/schemas/${p.name}.schema.json`, 'utf8')) as { $id: string; type?: string; oneOf?: unknown[] };
      expect(file.$id).toBe(`${p.name}.schema.json`);
    }
    expect(JSON.parse(readFileSync('docs/schemas/signature.schema.json', 'utf8'))).toMatchObject({ required: ['sig'] });
    // What JSON Schema can say of the play's refinements is there, in the play file and the union.
    const exactlyOne = [{ required: ['media'] }, { required: ['stream'] }];
    expect(JSON.parse(readFileSync('docs/schemas/cmd-play.schema.json', 'utf8'))).toMatchObject({
      oneOf: exactlyOne,
      $comment: expect.stringMatching(/stopAt.*after startAt/),
    });
    const union = JSON.parse(readFileSync('docs/schemas/cmd.schema.json', 'utf8')) as { oneOf: { properties: { type: { const: string } }; oneOf?: unknown }[] };
    expect(union.oneOf.map((b) => [b.properties.type.const, b.oneOf])).toEqual([
      ['play', exactlyOne],
      ['stop', undefined],
      ['volume', undefined],
    ]);
  });

  it('say which health fields must be present as null and which parts may be left out', () => {
    const table = fieldTable('health');
    expect(table).toContain('| `cpuTempC` | yes | yes | number | -50 – 150 |');
    expect(table).toContain('| `diskFreeMb` | yes | yes |');
    expect(table).toContain('| `lastError` | yes | yes |');
    expect(table).toContain('| `cache` | no | no | object |');
    expect(table).toContain('| `cache.planMissingBytes` | yes | no | integer | ≥ 0 |');
    // …which is what the hub does: a report without cpuTempC is dropped, null is taken.
    const report = {
      v: 1,
      at: 1,
      uptimeS: 1,
      cpuTempC: null,
      load1: 0,
      memFreeMb: 1,
      memTotalMb: 2,
      diskFreeMb: null,
      player: 'idle',
      lastError: null,
      agent: 'x',
    };
    expect(healthSchema.safeParse(report).success).toBe(true);
    const { cpuTempC: _gone, ...without } = report;
    expect(decodePayload('health', JSON.stringify(without))).toMatchObject({ ok: false, reason: expect.stringMatching(/cpuTempC/) });
    expect(decodePayload('health', JSON.stringify({ ...report, cache: null }))).toMatchObject({ ok: false, reason: expect.stringMatching(/cache/) });
  });

  it('list the plan item volume and the play-log entry fields as the schemas have them', () => {
    expect(fieldTable('plan')).toContain('| `items[].volume` | no | no | integer | 0 – 100 |');
    const log = fieldTable('playlog');
    for (const f of ['broadcastId', 'startedAt', 'endedAt', 'startOffsetMs', 'positionMs', 'outcome']) expect(log).toContain(`| \`entries[].${f}\` | yes |`);
    expect(log).toContain('| `entries[].reason` | no |');
  });
});

describe('the JSON examples of docs/protocol.md', () => {
  const { tagged, untagged } = examples(doc);

  it('are all tagged with the payload they show, and every payload has one', () => {
    expect(untagged).toEqual([]);
    const shown = new Set(tagged.map((e) => e.name));
    for (const p of PAYLOADS) if (p.name !== 'cmd') expect(shown, p.name).toContain(p.name);
  });

  it.each(tagged.map((e) => [`${e.name} at line ${e.line}`, e] as const))('%s is accepted', (_what, ex) => {
    expect(problemsOf(ex)).toEqual([]);
  });

  it('catch what the old document got wrong', () => {
    const media = { id: 'a'.repeat(64), url: '/m', bytes: 1, durationMs: 1000, format: 'ogg/opus' };
    // The plan item whose stopAt came before its startAt.
    const plan = {
      v: 1,
      version: 1,
      generatedAt: 0,
      from: 0,
      until: 1,
      items: [{ broadcastId: 's-0a9e', startAt: 1796171403000, offsetMs: 0, stopAt: 1796171400000, media, priority: 'normal' }],
    };
    expect(problemsOf({ name: 'plan', line: 0, text: JSON.stringify(plan) })).toEqual(['s-0a9e: stopAt 1796171400000 is not after startAt 1796171403000']);
    // A play with the same mistake is refused by the schema itself.
    const play = { v: 1, id: 'c', seq: 1, issuedAt: 0, expiresAt: 1, type: 'play', broadcastId: 'b', media, startAt: 10, stopAt: 5 };
    expect(problemsOf({ name: 'cmd-play', line: 0, text: JSON.stringify(play) })).toEqual(['stopAt: must be after startAt']);
    // The state whose playing.mediaId was "9c4e…", not a SHA-256.
    const state = { v: 1, at: 1, volume: 80, lastSeq: 1, playing: { broadcastId: 'b', mediaId: '9c4e…', startedAt: 1, offsetMs: 0 } };
    expect(problemsOf({ name: 'state', line: 0, text: JSON.stringify(state) })).toEqual(['playing.mediaId: must be 64 lowercase hex digits']);
    // An elided example is not JSON at all.
    expect(problemsOf({ name: 'cmd-stop', line: 0, text: '{ "v": 1, "id": "…", "seq": …, "type": "stop" }' })[0]).toMatch(/^not JSON/);
  });

  it('give no source file a vendor cannot read', () => {
    expect(doc).not.toMatch(/\b(daemon|hub|protocol|common|firmware-sim)\/[\w/-]+\.ts\b/);
    expect(doc).not.toMatch(/`[\w-]+\.ts`/);
  });
});

// The payload schemas as JSON Schema (draft 2020-12) for other vendors' firmware: one document per
// payload, made from the zod schemas the hub and loa-edge run, so the published files cannot drift.
import { z } from 'zod';
import { playCommandSchema, schemasByChannel, stopCommandSchema, volumeCommandSchema } from './schemas.js';
import { SIG_BASE64 } from './signature.js';

/** Where the files are published (docs/schemas/<name>.schema.json) and the $id base they carry. */
export const SCHEMA_DIR = 'docs/schemas';

export interface PayloadDoc {
  /** File name and the doc's marker name: docs/schemas/<name>.schema.json, `<!-- fields:<name> -->`. */
  name: string;
  /** The channel under loa/v1/clusters/{clusterId}/ it travels on. */
  channel: string;
  schema: z.ZodType;
  /** Rules JSON Schema cannot state (checked by the zod schema, said in the file's $comment). */
  rules?: string;
  /** Keywords for rules zod's refinements check that JSON Schema can state. */
  extra?: Record<string, unknown>;
}

const PLAY_RULES = 'stopAt, when given, must be after startAt; exactly one of media and stream';

export const PAYLOADS: readonly PayloadDoc[] = [
  { name: 'presence', channel: 'presence', schema: schemasByChannel.presence },
  { name: 'cmd', channel: 'cmd', schema: schemasByChannel.cmd, rules: `play: ${PLAY_RULES}` },
  { name: 'cmd-play', channel: 'cmd', schema: playCommandSchema, rules: PLAY_RULES, extra: { oneOf: [{ required: ['media'] }, { required: ['stream'] }] } },
  { name: 'cmd-stop', channel: 'cmd', schema: stopCommandSchema },
  { name: 'cmd-volume', channel: 'cmd', schema: volumeCommandSchema },
  { name: 'ack', channel: 'ack', schema: schemasByChannel.ack },
  { name: 'state', channel: 'state', schema: schemasByChannel.state },
  { name: 'health', channel: 'health', schema: schemasByChannel.health },
  { name: 'timereq', channel: 'timereq', schema: schemasByChannel.timereq },
  { name: 'time', channel: 'time', schema: schemasByChannel.time },
  {
    name: 'plan',
    channel: 'plan',
    schema: schemasByChannel.plan,
    rules: "an item's stopAt, when given, must be after its startAt (the hub never sends otherwise)",
  },
  { name: 'playlog', channel: 'playlog', schema: schemasByChannel.playlog },
];

/** The signed envelope: what the hub adds to every cmd, time and plan payload (docs/protocol.md). */
export const SIGNATURE_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'signature.schema.json',
  title: 'signature',
  description:
    'The member the hub appends to every cmd, time and plan payload, always last: an Ed25519 signature over the UTF-8 bytes of topic + "\\n" + the JSON text ' +
    'without this member. A hub message on the wire matches both its payload schema and this one.',
  type: 'object',
  properties: {
    sig: { type: 'string', pattern: `^${SIG_BASE64}$`, description: '64-byte Ed25519 signature, standard base64 (88 characters)' },
  },
  required: ['sig'],
} as const;

/** The JSON Schema of one payload: what a receiver accepts (zod's input side: defaults optional). */
export function jsonSchemaOf(p: PayloadDoc): Record<string, unknown> {
  const js = z.toJSONSchema(p.schema, { io: 'input' }) as Record<string, unknown>;
  const out: Record<string, unknown> = { $schema: js.$schema, $id: `${p.name}.schema.json`, title: p.name };
  if (p.rules) out.$comment = `Also: ${p.rules}.`;
  const { $schema: _drop, ...rest } = js;
  // The union of commands: each branch gets the extra rules of its own command type.
  if (Array.isArray(rest.oneOf)) rest.oneOf = (rest.oneOf as Record<string, unknown>[]).map((branch) => ({ ...branch, ...kindOf(branch)?.extra }));
  return { ...out, ...rest, ...p.extra };
}

function kindOf(branch: Record<string, unknown>): PayloadDoc | undefined {
  const type = (branch.properties as { type?: { const?: unknown } } | undefined)?.type?.const;
  return PAYLOADS.find((x) => x.name === `cmd-${String(type)}`);
}

/** Every file of docs/schemas/, by file name, as the generator writes it. */
export function schemaFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const p of PAYLOADS) files.set(`${p.name}.schema.json`, `${JSON.stringify(jsonSchemaOf(p), null, 2)}\n`);
  files.set('signature.schema.json', `${JSON.stringify(SIGNATURE_SCHEMA, null, 2)}\n`);
  return files;
}

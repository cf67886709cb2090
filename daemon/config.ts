// The loa-edge YAML config: one zod schema with its defaults beside it; the type is derived from it.
// Relative paths in the file are taken relative to the file itself, so a config travels with its
// secret file and data directory (e.g. in the demo or a test's temp dir).
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { loadYamlConfig } from '../common/config-file.js';
import { configErrors } from '../common/config-errors.js';
import { CLUSTER_ID_PATTERN, parseHubKey } from '../protocol/index.js';

const nonEmpty = z.string().min(1);

/** An optional section of the file. A key whose lines are all commented out (`ffmpeg:` alone)
 *  is YAML null; treat it as absent rather than as an error. */
function section<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (v === null ? undefined : v), schema);
}

const UNITS: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** A size in bytes: a whole number, or with a unit as people write it on an SD card (`2GiB`,
 *  `500MB`; KB/MB/GB are powers of ten, KiB/MiB/GiB powers of two). */
const byteSize = z.preprocess(
  (v) => {
    if (typeof v !== 'string') return v;
    const m = /^\s*(\d+(?:\.\d+)?)\s*(k|m|g|kib|mib|gib)?b?\s*$/i.exec(v);
    const unit = UNITS[(m?.[2] ?? '').toLowerCase()];
    return m && unit !== undefined ? Math.round(Number(m[1]) * unit) : v;
  },
  z
    .number({ error: 'must be a number of bytes, or a size like 500MB or 2GiB' })
    .int()
    .min(1024 ** 2, 'must be at least 1 MiB'),
);

/** A hub public key as `loa clusters add` prints it. */
const hubKey = z.string().refine(
  (k) => {
    try {
      parseHubKey(k);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be ed25519: followed by the 44-character base64 key that loa clusters add prints' },
);

const sinkSchema = z.discriminatedUnion('type', [
  /** A sound card through ALSA: what a real box uses. */
  z.strictObject({ type: z.literal('alsa'), device: nonEmpty.default('default') }),
  /** One WAV per item in `dir`, written in real time: for boxes without a sound card, demos and tests. */
  z.strictObject({ type: z.literal('file'), dir: nonEmpty }),
  /** Decode in real time and throw the audio away. */
  z.strictObject({ type: z.literal('null') }),
]);

export const edgeConfigSchema = z
  .strictObject({
    clusterId: z.string().regex(CLUSTER_ID_PATTERN, 'must be lowercase letters, digits and dashes (e.g. ban-hon), at most 63 characters'),
    /** The cluster's MQTT/HTTP secret, as printed by `loa clusters add`. */
    secret: nonEmpty.optional(),
    /** Or a file holding it (first line), so the config itself can be world-readable. */
    secretFile: nonEmpty.optional(),
    hub: section(
      z
        .strictObject({
          mqttUrl: z
            .string()
            .regex(/^mqtts?:\/\/[^/]+/, 'must be mqtts://host[:port] (or mqtt://host[:port] with allowPlaintext)')
            .default('mqtts://127.0.0.1:8883'),
          httpUrl: z.url({ protocol: /^https?$/, error: 'must be an https:// URL (or http:// with allowPlaintext)' }).default('https://127.0.0.1:8080'),
          /** The hub's CA certificate (PEM), from `loa clusters add`: the only CA trusted for mqtts:// and https://. */
          caFile: nonEmpty.optional(),
          /** Allow mqtt:// and http:// (the secret crosses the network readable); a warning is logged at start. */
          allowPlaintext: z.boolean().default(false),
        })
        .prefault({})
        .superRefine((h, ctx) => {
          const plain = [
            ['mqttUrl', /^mqtt:/],
            ['httpUrl', /^http:/],
          ] as const;
          for (const [key, re] of plain) {
            if (re.test(h[key]) && !h.allowPlaintext) {
              ctx.addIssue({
                code: 'custom',
                path: [key],
                message:
                  `${h[key]} is unencrypted: the cluster secret would cross the network readable; use ${key === 'mqttUrl' ? 'mqtts://' : 'https://'} ` +
                  `with hub.caFile, or set hub.allowPlaintext: true`,
              });
            }
          }
          const secure = /^mqtts:/.test(h.mqttUrl) || /^https:/.test(h.httpUrl);
          if (secure && h.caFile === undefined) {
            ctx.addIssue({
              code: 'custom',
              path: ['caFile'],
              message: "is needed for mqtts:// and https://: the hub's CA certificate (ca.pem from `loa clusters add`), the only one the box trusts",
            });
          }
        }),
    ),
    /** The hub's public keys: the box obeys only commands, plans and clock answers signed by one of
     *  them. Two during a key rotation (docs/install.md). */
    hubKeys: z.array(hubKey).max(8).default([]),
    /** Obey messages without checking their signature: only for a hub too old to sign; warned at start. */
    insecureAcceptUnsigned: z.boolean().default(false),
    dataDir: nonEmpty.default('/var/lib/loa-edge'),
    sink: sinkSchema.default({ type: 'alsa', device: 'default' }),
    healthIntervalSec: z.number().positive().max(86_400).default(30),
    /** MQTT keep-alive: the hub notices a dead box within about 1.5 times this. */
    keepaliveSec: z.number().int().min(1).max(65_535).default(20),
    reconnect: section(
      z
        .strictObject({
          minMs: z.number().int().min(10).default(1000),
          maxMs: z.number().int().min(10).default(60_000),
        })
        .prefault({})
        .refine((r) => r.maxMs >= r.minMs, { message: 'maxMs must not be smaller than minMs' }),
    ),
    /** The media cache under dataDir/media: its size cap (see docs/edge.md, Media cache). */
    cache: section(z.strictObject({ maxBytes: byteSize.default(2 * 1024 ** 3) }).prefault({})),
    ffmpeg: section(z.strictObject({ path: nonEmpty.optional() }).prefault({})),
    /** Keeping an item going when ffmpeg dies or stalls mid-item (see docs/edge.md, Player). */
    player: section(
      z
        .strictObject({
          stallSec: z.number().min(0.5).max(600).default(5),
          maxFailures: z.number().int().min(1).max(100).default(3),
        })
        .prefault({}),
    ),
    /** Volume through the sound card's ALSA mixer (`amixer -c card sset control N%`); absent: ffmpeg gain. */
    mixer: section(
      z.strictObject({ card: z.union([nonEmpty, z.number().int().nonnegative()]).transform(String).default('0'), control: nonEmpty.default('PCM') }).optional(),
    ),
    /** The amplifier's power relay on a GPIO line (sysfs number), reported in health. */
    relay: section(z.strictObject({ gpio: z.number().int().nonnegative(), activeLow: z.boolean().default(false) }).optional()),
    log: section(z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).prefault({})),
  })
  .refine((c) => (c.secret === undefined) !== (c.secretFile === undefined), {
    message: 'give exactly one of secret or secretFile',
    path: ['secret'],
  })
  .refine((c) => c.hubKeys.length > 0 || c.insecureAcceptUnsigned, {
    message: 'give the hub\'s public key (loa clusters add prints it), e.g. hubKeys: ["ed25519:..."]; without one the box would obey anyone',
    path: ['hubKeys'],
  });

export type EdgeConfig = z.infer<typeof edgeConfigSchema>;
export type SinkConfig = EdgeConfig['sink'];

/** Paths in a config resolved against `baseDir` (the config file's folder). */
export function resolveConfigPaths(config: EdgeConfig, baseDir: string): EdgeConfig {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  return {
    ...config,
    secretFile: config.secretFile === undefined ? undefined : abs(config.secretFile),
    dataDir: abs(config.dataDir),
    hub: { ...config.hub, caFile: config.hub.caFile === undefined ? undefined : abs(config.hub.caFile) },
    sink: config.sink.type === 'file' ? { ...config.sink, dir: abs(config.sink.dir) } : config.sink,
    ffmpeg: { path: config.ffmpeg.path === undefined ? undefined : abs(config.ffmpeg.path) },
  };
}

/** Reads and validates a config file; throws LoaError naming file:line:col, path and reason. */
export function loadEdgeConfig(file: string): EdgeConfig {
  return resolveConfigPaths(loadYamlConfig(file, edgeConfigSchema), dirname(resolve(file)));
}

/** Parses an in-memory config object (tests, simulator); relative paths are left as given. */
export function parseEdgeConfig(raw: unknown): EdgeConfig {
  const r = edgeConfigSchema.safeParse(raw);
  if (r.success) return r.data;
  const why = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw configErrors.invalid(`edge config: ${why}`);
}

/** The cluster secret, from the config or its secret file. */
export function readSecret(config: EdgeConfig): string {
  if (config.secret !== undefined) return config.secret;
  const file = config.secretFile ?? '';
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw configErrors.invalid(`${file}: cannot read the secret file (${code}); check secretFile in the config.`);
  }
  const secret = text.split(/\r?\n/)[0]?.trim() ?? '';
  if (!secret) throw configErrors.invalid(`${file}: the secret file is empty; put the cluster secret on its first line.`);
  return secret;
}

/** The hub's CA certificate (hub.caFile), checked to be one, so a wrong file stops the box at start. */
export function readCa(file: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw configErrors.invalid(`${file}: cannot read hub.caFile (${code}); put the hub's CA certificate there (ca.pem from \`loa clusters add\`).`);
  }
  try {
    if (!new X509Certificate(pem).ca) throw new Error('it is not a CA certificate');
  } catch (e) {
    throw configErrors.invalid(
      `${file}: hub.caFile is not the hub's CA certificate (${e instanceof Error ? e.message : String(e)}); copy ca.pem from \`loa clusters add\`.`,
    );
  }
  return pem;
}

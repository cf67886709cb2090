// The loa-edge YAML config: one zod schema with its defaults beside it; the type is derived from it.
// Relative paths in the file are taken relative to the file itself, so a config travels with its
// secret file and data directory (e.g. in the demo or a test's temp dir).
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { loadYamlConfig } from '../common/config-file.js';
import { LoaError } from '../common/errors.js';
import { CLUSTER_ID_PATTERN } from '../protocol/index.js';

const nonEmpty = z.string().min(1);

/** An optional section of the file. A key whose lines are all commented out (`ffmpeg:` alone)
 *  is YAML null; treat it as absent rather than as an error. */
function section<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (v === null ? undefined : v), schema);
}

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
            .regex(/^mqtts?:\/\/[^/]+/, 'must be mqtt://host[:port] or mqtts://host[:port]')
            .default('mqtt://127.0.0.1:1883'),
          httpUrl: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).default('http://127.0.0.1:8080'),
          /** CA certificate (PEM) to trust for mqtts:// when the hub's certificate is from its own CA. */
          caFile: nonEmpty.optional(),
        })
        .prefault({}),
    ),
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
    ffmpeg: section(z.strictObject({ path: nonEmpty.optional() }).prefault({})),
    log: section(
      z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).prefault({}),
    ),
  })
  .refine((c) => (c.secret === undefined) !== (c.secretFile === undefined), {
    message: 'give exactly one of secret or secretFile',
    path: ['secret'],
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
  throw new LoaError('LOA_CONFIG_INVALID', `edge config: ${why}`);
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
    throw new LoaError('LOA_CONFIG_INVALID', `${file}: cannot read the secret file (${code}); check secretFile in the config.`);
  }
  const secret = text.split(/\r?\n/)[0]?.trim() ?? '';
  if (!secret) throw new LoaError('LOA_CONFIG_INVALID', `${file}: the secret file is empty; put the cluster secret on its first line.`);
  return secret;
}

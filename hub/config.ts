// The hub's YAML config: one zod schema with its defaults beside it; the TypeScript type is
// derived from it. `loa-hub` with no config at all runs on these defaults.
import { z } from 'zod';
import { loadYamlConfig } from '../common/config-file.js';
import { DEFAULT_TIME_ZONE } from '../common/zoned-time.js';
import { mediaSettingsSchema } from './media/settings.js';
import { liveSettingsSchema } from './live/settings.js';
import { ttsConfigSchema } from './tts/config.js';
import { healthSettingsSchema } from './store/health-settings.js';
import { alarmSettingsSchema } from './alarms/settings.js';
import { brokerSettingsSchema, mqttSettingsSchema } from './broker/settings.js';
import { cameraSettingsSchema } from './cameras/settings.js';
import { dispatchSettingsSchema } from './broadcasts/settings.js';

const port = z.number().int().min(0).max(65535);

export const hubConfigSchema = z.strictObject({
  dataDir: z.string().default('./data'),
  /** The commune this hub serves (e.g. tu-le): schedule files for another site are refused.
   *  Unset: the site of the schedule in force (the first file applied); set it to move a hub. */
  site: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be a site id like tu-le: lower-case letters without accents, digits, - and _')
    .optional(),
  timezone: z.string().default(DEFAULT_TIME_ZONE),
  log: z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).prefault({}),
  mqtt: mqttSettingsSchema.prefault({}),
  /** Where devices connect: the embedded aedes broker (settings under `mqtt:`) or an existing one (docs/external-broker.md). */
  broker: brokerSettingsSchema,
  http: z
    .strictObject({
      host: z.string().default('0.0.0.0'),
      port: port.default(8080),
      /** Serve plain HTTP on `port` instead of HTTPS: box secrets and tokens would cross the network readable. */
      plain: z.boolean().default(false),
      /** The URL the CLI on this machine should use; defaults to https://127.0.0.1:<port>. */
      publicUrl: z.string().url().optional(),
    })
    .prefault({}),
  /** The certificate of MQTT over TLS and HTTPS: the hub's own CA and certificate (made at first
   *  start under dataDir/tls), or the operator's files (all three of cert, key and ca). */
  tls: z
    .strictObject({
      /** More DNS names and addresses the hub is reached by (e.g. its LAN address), besides
       *  localhost, 127.0.0.1, ::1 and the machine's hostname. */
      names: z
        .array(
          z
            .string()
            .min(1)
            .regex(/^[A-Za-z0-9.:-]+$/, 'must be a DNS name or an IP address'),
        )
        .default([]),
      cert: z.string().min(1).optional(),
      key: z.string().min(1).optional(),
      ca: z.string().min(1).optional(),
    })
    .refine((t) => [t.cert, t.key, t.ca].every((v) => v === undefined) || [t.cert, t.key, t.ca].every((v) => v !== undefined), {
      message: 'give all of tls.cert, tls.key and tls.ca (your own certificate, its key and the CA boxes pin), or none (the hub makes its own)',
    })
    .prefault({}),
  ffmpeg: z.strictObject({ path: z.string().optional() }).prefault({}),
  media: mediaSettingsSchema.prefault({}),
  dispatch: dispatchSettingsSchema.prefault({}),
  /** Cluster alarms (hub/alarms/): when they are raised; each clears itself when its condition goes. */
  alarms: alarmSettingsSchema.prefault({}),
  /** Health samples of the boxes: rate limit, thinning and retention (hub/store/health-settings.ts). */
  health: healthSettingsSchema.prefault({}),
  /** Cameras for the police post (hub/cameras/, docs/cameras.md). */
  cameras: cameraSettingsSchema.prefault({}),
  /** Text-to-speech for announcements and schedule `tts:` items (hub/tts/, docs/announce.md). */
  tts: ttsConfigSchema,
  /** Live streams through the hub: delivery format, bitrate, riding out a lost source (docs/live.md). */
  live: liveSettingsSchema.prefault({}),
});

export type HubConfig = z.infer<typeof hubConfigSchema>;
export type HubConfigInput = z.input<typeof hubConfigSchema>;

export function loadHubConfig(file: string | undefined): HubConfig {
  return file ? loadYamlConfig(file, hubConfigSchema) : hubConfigSchema.parse({});
}

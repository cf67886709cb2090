// The hub's YAML config: one zod schema with its defaults beside it; the TypeScript type is
// derived from it. `loa-hub` with no config at all runs on these defaults.
import { z } from 'zod';
import { loadYamlConfig } from '../common/config-file.js';
import { DEFAULT_TIME_ZONE } from '../common/zoned-time.js';
import { mediaSettingsSchema } from './media/settings.js';
import { liveSettingsSchema } from './live/settings.js';
import { ttsConfigSchema } from './tts/config.js';
import { healthSettingsSchema } from './store/health-settings.js';

const port = z.number().int().min(0).max(65535);

/**
 * `broker:` embedded (aedes inside the hub, settings under `mqtt:`) or external: the hub logs into
 * an existing broker (Mosquitto 2.x) as a privileged client and, when `mosquitto:` is given, writes
 * that broker's password and ACL files for the clusters (docs/external-broker.md).
 */
const brokerConfigSchema = z
  .strictObject({
    mode: z.enum(['embedded', 'external']).default('embedded'),
    /** mqtt://host:1883 or mqtts://host:8883; required when external. */
    url: z.string().regex(/^mqtts?:\/\/[^/\s]+\/?$/, 'must be mqtt://host:port or mqtts://host:port').optional(),
    /** The hub's own user on that broker; it may read and write all of loa/#. */
    username: z.string().min(1).regex(/^[^:\s]+$/, 'may not contain ":" or spaces').default('loa-hub'),
    password: z.string().min(1).optional(),
    /** A file holding the password (first line), instead of `password`. */
    passwordFile: z.string().min(1).optional(),
    /** PEM file of the CA that signed the broker's certificate, for mqtts://. */
    ca: z.string().optional(),
    /** The URL boxes connect to (`loa clusters add` gives it them); default mqtts://<first of tls.names>:8883. */
    boxUrl: z.string().regex(/^mqtts?:\/\/[^/\s]+\/?$/, 'must be mqtts://host:port').optional(),
    /** Mosquitto files the hub writes (password_file, acl_file) and how the broker is told to re-read them. */
    mosquitto: z
      .strictObject({
        passwordFile: z.string().min(1),
        aclFile: z.string().min(1),
        reload: z.strictObject({ pidFile: z.string().min(1).optional(), command: z.string().min(1).optional() }).optional(),
      })
      .optional(),
  })
  .superRefine((b, ctx) => {
    if (b.mode !== 'external') return;
    if (!b.url) ctx.addIssue({ code: 'custom', path: ['url'], message: 'broker.mode external needs broker.url (mqtt://host:1883 or mqtts://host:8883)' });
    if (!b.password && !b.passwordFile) ctx.addIssue({ code: 'custom', path: ['password'], message: 'broker.mode external needs broker.password or broker.passwordFile (the hub\'s own login on the broker)' });
    if (b.password && b.passwordFile) ctx.addIssue({ code: 'custom', path: ['passwordFile'], message: 'give broker.password or broker.passwordFile, not both' });
  })
  .prefault({});

export const hubConfigSchema = z
  .strictObject({
    dataDir: z.string().default('./data'),
    /** The commune this hub serves (e.g. tu-le): schedule files for another site are refused.
     *  Unset: the site of the schedule in force (the first file applied); set it to move a hub. */
    site: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be a site id like tu-le: lower-case letters without accents, digits, - and _').optional(),
    timezone: z.string().default(DEFAULT_TIME_ZONE),
    log: z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).prefault({}),
    mqtt: z
      .strictObject({
        host: z.string().default('0.0.0.0'),
        /** Plain (unencrypted) MQTT, only when `plain` is true: secrets would cross the network readable. */
        port: port.default(1883),
        plain: z.boolean().default(false),
        /** MQTT over TLS, always on, with the certificate of `tls:`. */
        tls: z.strictObject({ port: port.default(8883) }).prefault({}),
        /** Largest MQTT packet accepted from anyone; bigger ones close the connection. */
        maxPacketBytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(256 * 1024),
        /** Longest keep-alive a device may ask for; the broker declares a box gone after 1.5×. */
        keepaliveLimitSec: z.number().int().min(5).max(3600).default(120),
        auth: z
          .strictObject({
            /** No longer used: secrets are stored as HMACs (docs/security.md); accepted so old files load. */
            scryptCost: z.number().int().min(2).max(1 << 20).default(16384),
            /** A refused login is answered this late, doubling per failure of its address or id; a right secret never waits. */
            failureDelayMs: z.number().int().min(0).default(500),
            /** Under loa-edge's 15 s connect timeout, so a box with a wrong secret is told so and logs why. */
            failureDelayMaxMs: z.number().int().min(0).default(10_000),
          })
          .prefault({}),
      })
      .prefault({}),
    /** Where devices connect: the embedded aedes broker (settings under `mqtt:`) or an existing one (docs/external-broker.md). */
    broker: brokerConfigSchema,
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
        names: z.array(z.string().min(1).regex(/^[A-Za-z0-9.:-]+$/, 'must be a DNS name or an IP address')).default([]),
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
    dispatch: z
      .strictObject({
        /** Commands go out this long before their start time, so every cluster starts together. */
        leadMs: z.number().int().min(0).default(3000),
        /** A device refuses a command this long after it was issued. */
        commandTtlMs: z.number().int().min(1000).default(60_000),
        /** Grace after an item's expected end before a silent box is given up as "expired". */
        finishGraceMs: z.number().int().min(0).default(30_000),
        /** Joining an item under way (restart, a box back online, after an emergency) starts this far ahead. */
        joinLeadMs: z.number().int().min(200).default(1500),
        /** An emergency goes on air this long after it is started (time for the boxes to fetch). */
        emergencyLeadMs: z.number().int().min(200).default(1500),
        /** An announcement (`loa announce`) goes on air this long after its speech is imported: short,
         *  since the operator waits, and the boxes fetch only a few tens of KB (bench `live`). */
        announceLeadMs: z.number().int().min(200).default(800),
      })
      .prefault({}),
    /** Cluster alarms (hub/alarms/): when they are raised; each clears itself when its condition goes. */
    alarms: z
      .strictObject({
        /** A cluster offline for longer than this raises `cluster-offline`; a shorter blip raises nothing. */
        offlineMinutes: z.number().positive().max(24 * 60).default(5),
        /** A CPU temperature over this raises `temperature`… */
        temperatureC: z.number().min(0).max(150).default(75),
        /** …which clears only below the limit minus this, so a reading hovering at the limit does not flap. */
        temperatureHysteresisC: z.number().min(0).max(50).default(5),
        /** Media the plan needs still missing from a box's cache this long raises `cache-insufficient`
         *  (shorter is ordinary prefetching after a new plan). */
        cacheGraceMinutes: z.number().min(0).max(24 * 60).default(10),
      })
      .prefault({}),
    /** Health samples of the boxes: rate limit, thinning and retention (hub/store/health-settings.ts). */
    health: healthSettingsSchema.prefault({}),
    /** Cameras for the police post (hub/cameras/, docs/cameras.md). */
    cameras: z
      .strictObject({
        /** A YAML list of cameras (id, host, port, user, password or passwordFile, …), applied at each start. */
        file: z.string().optional(),
        /** How often each camera is checked. */
        pollIntervalSec: z.number().positive().max(3600).default(15),
        /** Longest wait for any one request to a camera. */
        timeoutMs: z.number().int().min(100).max(60_000).default(3000),
        /** Cameras checked at the same time; a dead one holds one slot for at most timeoutMs. */
        concurrency: z.number().int().min(1).max(1024).default(32),
        /** A camera offline for longer than this raises `camera-offline`; a shorter blip raises nothing. */
        offlineAlarmAfterSec: z.number().min(0).max(24 * 3600).default(60),
        /** A camera clock further than this from the hub's is `degraded`. */
        maxClockSkewSec: z.number().positive().default(30),
        /** A first answer slower than this is `degraded`. */
        slowMs: z.number().int().positive().default(1500),
        /** A snapshot is served from the hub's cache for this long, so many viewers cost the camera one request. */
        snapshotCacheMs: z.number().int().min(0).max(600_000).default(3000),
        /** An offline camera is retried at the poll interval, doubling per failure up to this. */
        backoffMaxSec: z.number().positive().max(3600).default(60),
        /** Keep a pull-point subscription on each online camera for motion alarms. */
        motion: z.boolean().default(true),
      })
      .prefault({}),
    /** Text-to-speech for announcements and schedule `tts:` items (hub/tts/, docs/announce.md). */
    tts: ttsConfigSchema,
    /** Live streams through the hub: delivery format, bitrate, riding out a lost source (docs/live.md). */
    live: liveSettingsSchema.prefault({}),
  })
  ;

export type HubConfig = z.infer<typeof hubConfigSchema>;
export type HubConfigInput = z.input<typeof hubConfigSchema>;

export function loadHubConfig(file: string | undefined): HubConfig {
  return file ? loadYamlConfig(file, hubConfigSchema) : hubConfigSchema.parse({});
}

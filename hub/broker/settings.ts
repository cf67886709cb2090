// The broker's settings in the hub config: `mqtt:` (the embedded aedes broker) and `broker:`
// (embedded, or an existing Mosquitto the hub logs into). hub/config.ts puts them in the file's schema.
import { z } from 'zod';

const port = z.number().int().min(0).max(65535);

/** `mqtt:`: the embedded broker's listeners and limits. */
export const mqttSettingsSchema = z.strictObject({
  host: z.string().default('0.0.0.0'),
  /** Plain (unencrypted) MQTT, only when `plain` is true: secrets would cross the network readable. */
  port: port.default(1883),
  plain: z.boolean().default(false),
  /** MQTT over TLS, always on, with the certificate of `tls:`. */
  tls: z.strictObject({ port: port.default(8883) }).prefault({}),
  /** Largest MQTT packet accepted from anyone; bigger ones close the connection. */
  maxPacketBytes: z
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024)
    .default(256 * 1024),
  /** Longest keep-alive a device may ask for; the broker declares a box gone after 1.5×. */
  keepaliveLimitSec: z.number().int().min(5).max(3600).default(120),
  auth: z
    .strictObject({
      /** No longer used: secrets are stored as HMACs (docs/security.md); accepted so old files load. */
      scryptCost: z
        .number()
        .int()
        .min(2)
        .max(1 << 20)
        .default(16384),
      /** A refused login is answered this late, doubling per failure of its address or id; a right secret never waits. */
      failureDelayMs: z.number().int().min(0).default(500),
      /** Under loa-edge's 15 s connect timeout, so a box with a wrong secret is told so and logs why. */
      failureDelayMaxMs: z.number().int().min(0).default(10_000),
    })
    .prefault({}),
});

/**
 * `broker:` embedded (aedes inside the hub, settings under `mqtt:`) or external: the hub logs into
 * an existing broker (Mosquitto 2.x) as a privileged client and, when `mosquitto:` is given, writes
 * that broker's password and ACL files for the clusters (docs/external-broker.md).
 */
export const brokerSettingsSchema = z
  .strictObject({
    mode: z.enum(['embedded', 'external']).default('embedded'),
    /** mqtt://host:1883 or mqtts://host:8883; required when external. */
    url: z
      .string()
      .regex(/^mqtts?:\/\/[^/\s]+\/?$/, 'must be mqtt://host:port or mqtts://host:port')
      .optional(),
    /** The hub's own user on that broker; it may read and write all of loa/#. */
    username: z
      .string()
      .min(1)
      .regex(/^[^:\s]+$/, 'may not contain ":" or spaces')
      .default('loa-hub'),
    password: z.string().min(1).optional(),
    /** A file holding the password (first line), instead of `password`. */
    passwordFile: z.string().min(1).optional(),
    /** PEM file of the CA that signed the broker's certificate, for mqtts://. */
    ca: z.string().optional(),
    /** The URL boxes connect to (`loa clusters add` gives it them); default mqtts://<first of tls.names>:8883. */
    boxUrl: z
      .string()
      .regex(/^mqtts?:\/\/[^/\s]+\/?$/, 'must be mqtts://host:port')
      .optional(),
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
    if (!b.password && !b.passwordFile)
      ctx.addIssue({
        code: 'custom',
        path: ['password'],
        message: "broker.mode external needs broker.password or broker.passwordFile (the hub's own login on the broker)",
      });
    if (b.password && b.passwordFile)
      ctx.addIssue({ code: 'custom', path: ['passwordFile'], message: 'give broker.password or broker.passwordFile, not both' });
  })
  .prefault({});

export type MqttSettings = z.output<typeof mqttSettingsSchema>;
export type BrokerSettings = z.output<typeof brokerSettingsSchema>;

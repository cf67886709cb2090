// Payload schemas of protocol v1, shared by hub, daemon and simulator. Every payload is JSON;
// times are integer milliseconds since the Unix epoch (UTC). Unknown fields are ignored so a
// newer peer can add fields without breaking an older one; `v` changes only on breaking changes.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { PROTOCOL_VERSION } from './topics.js';

/** Largest payload any party accepts on any topic, in bytes (the broker enforces its own packet cap). */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

const version = z.literal(PROTOCOL_VERSION);
const epochMs = z.number().int().nonnegative().max(8.64e15);
const shortText = (max: number) => z.string().max(max);
const id = z.string().min(1).max(64).regex(/^[A-Za-z0-9._:-]+$/, 'only letters, digits and . _ : - are allowed');
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');
const volume = z.number().int().min(0).max(100);

// ---- presence (retained; the device's last will publishes the offline form) ----
export const presenceSchema = z.object({
  v: version,
  status: z.enum(['online', 'offline']),
  /** When the device says it came online; absent in a last will (the broker sends it later). */
  at: epochMs.optional(),
  /** Firmware or agent name and version, e.g. "loa-edge/0.1.0". */
  agent: shortText(64).optional(),
  /** Why it went offline: "shutdown" for a clean goodbye, "lost" for the last will. */
  reason: z.enum(['shutdown', 'lost']).optional(),
});
export type Presence = z.infer<typeof presenceSchema>;

// ---- commands (hub to device) ----
const commandBase = {
  v: version,
  /** Unique id; acknowledgements carry it back (MQTT 3.1.1 has no correlation data). */
  id,
  /** Per-cluster sequence number, strictly increasing; a device refuses one it has seen. */
  seq: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  issuedAt: epochMs,
  /** A device refuses a command once its clock passes this time. */
  expiresAt: epochMs,
};

export const mediaRefSchema = z.object({
  /** The media id is the SHA-256 of the delivered file; the device checks it after download. */
  id: sha256,
  /** Where to fetch it: absolute, or a path relative to the device's configured hub HTTP URL. */
  url: shortText(512),
  bytes: z.number().int().positive(),
  durationMs: z.number().int().nonnegative(),
  /** Container/codec of the delivered file, e.g. "ogg/opus". */
  format: shortText(32),
});
export type MediaRef = z.infer<typeof mediaRefSchema>;

/** A live stream the hub serves (docs/live.md): endless, so it has no length or checksum. */
export const streamRefSchema = z.object({
  /** Where to read it: absolute, or a path relative to the device's configured hub HTTP URL. */
  url: shortText(512),
  /** Delivery format, e.g. "mp3" or "aac" (ADTS). */
  format: shortText(32),
});
export type StreamRef = z.infer<typeof streamRefSchema>;

/** What a device reports as `playing.mediaId` while it plays a stream (the state schema wants a
 *  SHA-256): the hash of "stream:" + the stream's URL, so the hub can tell which stream it is. */
export function streamMediaId(stream: StreamRef): string {
  return createHash('sha256').update(`stream:${stream.url}`).digest('hex');
}

/** The media id a play command names in reports: its media's, or its stream's stand-in. */
export function playMediaId(cmd: { media?: MediaRef | undefined; stream?: StreamRef | undefined }): string {
  return cmd.media ? cmd.media.id : streamMediaId(cmd.stream!);
}

/** How long a play command's item lasts, ms; Infinity for a stream (it ends at stopAt or a stop). */
export function playDurationMs(cmd: { media?: MediaRef | undefined }): number {
  return cmd.media ? cmd.media.durationMs : Infinity;
}

export const playCommandSchema = z
  .object({
    ...commandBase,
    type: z.literal('play'),
    broadcastId: id,
    /** What to play: a media file (`media`) or, added in v1, a live stream (`stream`); exactly one. */
    media: mediaRefSchema.optional(),
    stream: streamRefSchema.optional(),
    /** Hub time at which the first sample is to be heard, so every cluster starts together. It is
     *  also when this item replaces the one playing: a play may arrive while the previous item
     *  still plays, and that one keeps playing until this startAt. */
    startAt: epochMs,
    /** Hub time at which the item ends even if the media is longer (end of a slot or programme);
     *  ending here is a normal end, acked `finished`. Added in v1 as an optional field. */
    stopAt: epochMs.optional(),
    /** Position in the media to start from, for joining an item already under way. */
    offsetMs: z.number().int().nonnegative().default(0),
    volume: volume.optional(),
  })
  .refine((c) => c.stopAt === undefined || c.stopAt > c.startAt, { message: 'must be after startAt', path: ['stopAt'] })
  .refine((c) => (c.media === undefined) !== (c.stream === undefined), { message: 'give exactly one of media or stream', path: ['media'] });
export type PlayCommand = z.infer<typeof playCommandSchema>;

export const stopCommandSchema = z.object({
  ...commandBase,
  type: z.literal('stop'),
  /** Stop only this broadcast; absent means stop whatever is playing. */
  broadcastId: id.optional(),
});
export type StopCommand = z.infer<typeof stopCommandSchema>;

export const volumeCommandSchema = z.object({
  ...commandBase,
  type: z.literal('volume'),
  volume,
});
export type VolumeCommand = z.infer<typeof volumeCommandSchema>;

export const commandSchema = z.discriminatedUnion('type', [playCommandSchema, stopCommandSchema, volumeCommandSchema]);
export type Command = z.infer<typeof commandSchema>;
export type CommandType = Command['type'];

// ---- acknowledgements (device to hub) ----
export const ACK_STATUSES = ['accepted', 'started', 'finished', 'stopped', 'failed', 'refused'] as const;
export type AckStatus = (typeof ACK_STATUSES)[number];

/** Reasons a device gives with `refused`, `failed` and `stopped` acks. */
export const ACK_REASONS = [
  // refused: the command was not acted on
  'expired',
  'replay',
  'invalid',
  // refused: not signed by a hub key the box trusts (protocol/signature.ts)
  'unsigned',
  'bad-signature',
  // failed: it was acted on but could not be done
  'media-fetch-failed',
  'media-corrupt',
  'player-error',
  'no-audio-device',
  // stopped: playback ended early
  'stop-command',
  'replaced',
  'shutdown',
] as const;
export type AckReason = (typeof ACK_REASONS)[number];

export const ackSchema = z.object({
  v: version,
  /** The command's id and sequence number this acknowledges. */
  cmdId: id,
  seq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  status: z.enum(ACK_STATUSES),
  reason: z.enum(ACK_REASONS).optional(),
  /** Free text for people, e.g. the player's last error line. */
  detail: shortText(300).optional(),
  at: epochMs,
  broadcastId: id.optional(),
  /** With started/stopped/finished: position in the media, ms. */
  positionMs: z.number().int().nonnegative().optional(),
  /** With started: the box's estimate of how far its first sample was from startAt (hub time), ms. */
  startErrorMs: z.number().min(-3_600_000).max(3_600_000).optional(),
});
export type Ack = z.infer<typeof ackSchema>;

// ---- reported state (retained, device to hub) ----
export const stateSchema = z.object({
  v: version,
  at: epochMs,
  playing: z
    .object({
      broadcastId: id,
      mediaId: sha256,
      startedAt: epochMs,
      offsetMs: z.number().int().nonnegative(),
    })
    .nullable(),
  volume: volume,
  /** Highest command sequence number the device has accepted. */
  lastSeq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
});
export type ReportedState = z.infer<typeof stateSchema>;

// ---- health telemetry (device to hub) ----
export const healthSchema = z.object({
  v: version,
  at: epochMs,
  uptimeS: z.number().nonnegative(),
  /** null where the device has no thermal sensor. */
  cpuTempC: z.number().min(-50).max(150).nullable(),
  load1: z.number().nonnegative(),
  memFreeMb: z.number().nonnegative(),
  memTotalMb: z.number().nonnegative(),
  diskFreeMb: z.number().nonnegative().nullable(),
  player: z.enum(['idle', 'playing', 'error']),
  lastError: shortText(300).nullable(),
  agent: shortText(64),
  // Optional parts: a box reports what it can measure.
  /** The media cache: bytes used of the cap, files, and bytes the plan needs that are not there yet. */
  cache: z
    .object({ usedBytes: z.number().int().nonnegative(), capacityBytes: z.number().int().nonnegative(), files: z.number().int().nonnegative(), planMissingBytes: z.number().int().nonnegative() })
    .optional(),
  /** The box's clock against the hub's: offset (hub − box), the round trip of the best sample. */
  clock: z.object({ offsetMs: z.number(), rttMs: z.number().nonnegative(), samples: z.number().int().nonnegative() }).optional(),
  /** Raspberry Pi `vcgencmd get_throttled`: throttled (or under-voltage) now, and since boot. */
  throttled: z.object({ now: z.boolean(), sinceBoot: z.boolean(), raw: shortText(16) }).optional(),
  /** Link quality: Wi-Fi or modem signal in dBm. */
  signal: z.object({ kind: z.enum(['wifi', 'cellular']), dbm: z.number().min(-150).max(0) }).optional(),
  /** The amplifier's power relay, where the box switches it. */
  relay: z.enum(['on', 'off']).optional(),
});
export type Health = z.infer<typeof healthSchema>;

// ---- clock sync (NTP-style over MQTT: the box asks, the hub answers at once) ----
export const timeRequestSchema = z.object({
  v: version,
  id,
  /** The box's clock when it sent the request. */
  t0: epochMs,
});
export type TimeRequest = z.infer<typeof timeRequestSchema>;

export const timeResponseSchema = z.object({
  v: version,
  id,
  t0: epochMs,
  /** The hub's clock when the request arrived, and when the answer left. */
  t1: epochMs,
  t2: epochMs,
});
export type TimeResponse = z.infer<typeof timeResponseSchema>;

// ---- the plan (retained): what a cluster plays in the next 48 hours, also when offline ----
export const planItemSchema = z.object({
  /** Unique per item occurrence; the same as the broadcast id the hub logs it under. */
  broadcastId: id,
  startAt: epochMs,
  /** Position in the media at startAt (an item split by a higher-priority one resumes inside it). */
  offsetMs: z.number().int().nonnegative().default(0),
  /** The item ends here even if the media is longer. */
  stopAt: epochMs.optional(),
  media: mediaRefSchema,
  volume: volume.optional(),
  priority: z.enum(['filler', 'normal', 'priority', 'live', 'emergency']),
});
export type PlanItem = z.infer<typeof planItemSchema>;

export const MAX_PLAN_ITEMS = 400;

export const planSchema = z.object({
  v: version,
  /** Increases with every new plan; a box keeps the highest it has seen. */
  version: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  generatedAt: epochMs,
  /** The plan covers [from, until). */
  from: epochMs,
  until: epochMs,
  items: z.array(planItemSchema).max(MAX_PLAN_ITEMS),
});
export type Plan = z.infer<typeof planSchema>;

// ---- what a box played on its own (sent once it reaches the hub again) ----
export const playLogEntrySchema = z.object({
  broadcastId: id,
  /** Box clock converted to hub time with its last known offset. */
  startedAt: epochMs,
  endedAt: epochMs,
  /** Where in the media it started and ended. */
  startOffsetMs: z.number().int().nonnegative(),
  positionMs: z.number().int().nonnegative(),
  outcome: z.enum(['finished', 'stopped', 'failed']),
  reason: z.enum(ACK_REASONS).optional(),
});
export type PlayLogEntry = z.infer<typeof playLogEntrySchema>;

export const playLogSchema = z.object({
  v: version,
  entries: z.array(playLogEntrySchema).min(1).max(200),
});
export type PlayLog = z.infer<typeof playLogSchema>;

export const schemasByChannel = {
  presence: presenceSchema,
  cmd: commandSchema,
  ack: ackSchema,
  state: stateSchema,
  health: healthSchema,
  timereq: timeRequestSchema,
  time: timeResponseSchema,
  plan: planSchema,
  playlog: playLogSchema,
} as const;

export interface PayloadByChannel {
  presence: Presence;
  cmd: Command;
  ack: Ack;
  state: ReportedState;
  health: Health;
  timereq: TimeRequest;
  time: TimeResponse;
  plan: Plan;
  playlog: PlayLog;
}

// Payload schemas of protocol v1, shared by hub, daemon and simulator. Every payload is JSON;
// times are integer milliseconds since the Unix epoch (UTC). Unknown fields are ignored so a
// newer peer can add fields without breaking an older one; `v` changes only on breaking changes.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { PROTOCOL_VERSION } from './topics.js';

/** Largest payload any party accepts on any topic, in bytes (the broker enforces its own packet cap). */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

const version = z.literal(PROTOCOL_VERSION).describe('protocol version');
const epochMs = z.number().int().nonnegative().max(8.64e15);
const shortText = (max: number) => z.string().max(max);
const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._:-]+$/, 'only letters, digits and . _ : - are allowed');
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');
const volume = z.number().int().min(0).max(100);

// ---- presence (retained; the device's last will publishes the offline form) ----
export const presenceSchema = z
  .object({
    v: version,
    status: z.enum(['online', 'offline']).describe('online on every connect; offline in the last will and the goodbye'),
    at: epochMs.optional().describe('box clock when it sent this; absent in a last will (the broker sends that later)'),
    agent: shortText(64).optional().describe('firmware name and version, e.g. "acme-box/2.1"'),
    reason: z.enum(['shutdown', 'lost']).optional().describe('with offline: "shutdown" for a clean goodbye, "lost" in the last will'),
  })
  .describe('Is the box connected? Retained; the last will is the offline form.');
export type Presence = z.infer<typeof presenceSchema>;

// ---- commands (hub to device) ----
const commandBase = {
  v: version,
  // Acks carry the id back: MQTT 3.1.1 has no correlation data.
  id: id.describe('unique command id; every ack of it carries it back as cmdId'),
  seq: z
    .number()
    .int()
    .positive()
    .max(Number.MAX_SAFE_INTEGER)
    .describe('per-cluster sequence number, strictly increasing but by jumps; refuse one not above the highest accepted'),
  issuedAt: epochMs.describe('hub time when the hub sent it'),
  expiresAt: epochMs.describe('refuse it once hub time (box clock + clock-sync offset) is past this'),
};

export const mediaRefSchema = z.object({
  id: sha256.describe('SHA-256 of the delivered file; check it after download'),
  url: shortText(512).describe("absolute URL, or a path relative to the hub's HTTP address; fetch with HTTP Basic auth (cluster id, secret)"),
  bytes: z.number().int().positive().describe('size of the file in bytes'),
  durationMs: z.number().int().nonnegative().describe('length of the audio, ms'),
  format: shortText(32).describe('container/codec of the file, e.g. "ogg/opus" (Opus mono 48 kHz, what the hub delivers)'),
});
export type MediaRef = z.infer<typeof mediaRefSchema>;

/** A live stream the hub serves (docs/live.md): endless, so it has no length or checksum. */
export const streamRefSchema = z.object({
  url: shortText(512).describe("absolute URL on the hub's own origin, or a path relative to the hub's HTTP address; HTTP Basic auth"),
  format: shortText(32).describe('delivery format: "mp3" or "aac" (ADTS)'),
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
    broadcastId: id.describe('the broadcast this item belongs to; echoed in every ack of this play'),
    // A media file or (added in v1) a live stream: exactly one, checked by the refine below.
    media: mediaRefSchema.optional().describe('the audio file to play; exactly one of media and stream'),
    stream: streamRefSchema.optional().describe('a live stream to play instead of media (endless, no checksum)'),
    // Also when this item replaces the one playing: a play may arrive while the previous item
    // still plays, and that one keeps playing until this startAt.
    startAt: epochMs.describe('hub time at which the first sample is heard; also when this item replaces the one playing'),
    // Added in v1 as an optional field: a box that predates it plays to the media's end.
    stopAt: epochMs.optional().describe('hub time at which the item ends even if the media is longer (a normal end, acked finished); after startAt'),
    offsetMs: z.number().int().nonnegative().default(0).describe('position in the media at startAt, ms (joining an item under way); not used for a stream'),
    volume: volume.optional().describe('volume for this item only, 0–100'),
  })
  .refine((c) => c.stopAt === undefined || c.stopAt > c.startAt, { message: 'must be after startAt', path: ['stopAt'] })
  .refine((c) => (c.media === undefined) !== (c.stream === undefined), { message: 'give exactly one of media or stream', path: ['media'] })
  .describe('Play one item at startAt (hub time).');
export type PlayCommand = z.infer<typeof playCommandSchema>;

export const stopCommandSchema = z
  .object({
    ...commandBase,
    type: z.literal('stop'),
    broadcastId: id.optional().describe('stop only this broadcast (playing or waiting); absent: stop whatever plays or waits'),
  })
  .describe('Stop at once.');
export type StopCommand = z.infer<typeof stopCommandSchema>;

export const volumeCommandSchema = z
  .object({
    ...commandBase,
    type: z.literal('volume'),
    volume: volume.describe('standing volume 0–100, kept across reboots'),
  })
  .describe('Set the standing volume.');
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

export const ackSchema = z
  .object({
    v: version,
    cmdId: id.describe("the command's id"),
    seq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).describe("the command's seq; 0 when it could not be read"),
    status: z.enum(ACK_STATUSES).describe('the step reached'),
    reason: z.enum(ACK_REASONS).optional().describe('why, with refused, failed and stopped'),
    detail: shortText(300).optional().describe("free text for people, e.g. the player's last error line"),
    at: epochMs.describe("the box's own clock (not corrected by clock sync)"),
    broadcastId: id.optional().describe("with a play's acks: the play's broadcastId"),
    positionMs: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('with started, stopped, finished: position in the media, ms (0 for an item stopped before it started)'),
    startErrorMs: z.number().min(-3_600_000).max(3_600_000).optional().describe('with started: how late (+) or early (−) the first sample was, ms of hub time'),
  })
  .describe('One step of one command.');
export type Ack = z.infer<typeof ackSchema>;

// ---- reported state (retained, device to hub) ----
export const stateSchema = z
  .object({
    v: version,
    at: epochMs.describe("the box's own clock"),
    playing: z
      .object({
        broadcastId: id.describe("the playing item's broadcastId"),
        mediaId: sha256.describe('its media id; for a stream, SHA-256 of "stream:" + the stream URL'),
        startedAt: epochMs.describe('hub time (as the box estimates it) when it started'),
        offsetMs: z.number().int().nonnegative().describe('position in the media it started from, ms'),
      })
      .nullable()
      .describe('what is playing; null when idle'),
    volume: volume.describe('standing volume 0–100'),
    lastSeq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).describe('highest command seq the box has accepted (0 before any)'),
  })
  .describe("The box's state. Retained; after every change and on connect.");
export type ReportedState = z.infer<typeof stateSchema>;

// ---- health telemetry (device to hub) ----
export const healthSchema = z
  .object({
    v: version,
    at: epochMs.describe("the box's own clock"),
    uptimeS: z.number().nonnegative().describe('seconds since the box booted'),
    cpuTempC: z.number().min(-50).max(150).nullable().describe('CPU temperature, °C; null where the box has no sensor'),
    load1: z.number().nonnegative().describe('1-minute load average'),
    memFreeMb: z.number().nonnegative().describe('available memory, MB'),
    memTotalMb: z.number().nonnegative().describe('total memory, MB'),
    diskFreeMb: z.number().nonnegative().nullable().describe('free space where the media cache lives, MB; null where unknown'),
    player: z.enum(['idle', 'playing', 'error']).describe('error after a failed item, until the next one starts'),
    lastError: shortText(300).nullable().describe('the last error, for people; null when none'),
    agent: shortText(64).describe('firmware name and version'),
    // Optional parts: a box reports what it can measure.
    cache: z
      .object({
        usedBytes: z.number().int().nonnegative().describe('bytes the cache holds, partial downloads included'),
        capacityBytes: z.number().int().nonnegative().describe('the cache cap, bytes'),
        files: z.number().int().nonnegative().describe('complete files in the cache'),
        planMissingBytes: z.number().int().nonnegative().describe('bytes of media the plan needs that are not in the cache yet'),
      })
      .optional()
      .describe('the media cache'),
    clock: z
      .object({
        offsetMs: z.number().describe('hub clock − box clock, ms'),
        rttMs: z.number().nonnegative().describe('round trip of the sample in use, ms'),
        samples: z.number().int().nonnegative().describe('clock-sync samples kept'),
      })
      .optional()
      .describe('clock sync, once the box has an answer'),
    throttled: z
      .object({
        now: z.boolean().describe('under-voltage or throttled now (bits 0, 2)'),
        sinceBoot: z.boolean().describe('either since boot (bits 16, 18)'),
        raw: shortText(16).describe('the raw value, e.g. "0x50005"'),
      })
      .optional()
      .describe('Raspberry Pi `vcgencmd get_throttled`'),
    signal: z
      .object({ kind: z.enum(['wifi', 'cellular']).describe('which link'), dbm: z.number().min(-150).max(0).describe('signal level, dBm') })
      .optional()
      .describe('link quality'),
    relay: z.enum(['on', 'off']).optional().describe("the amplifier's power relay, where the box has one"),
  })
  .describe('Health telemetry, every 30 s.');
export type Health = z.infer<typeof healthSchema>;

// ---- clock sync (NTP-style over MQTT: the box asks, the hub answers at once) ----
export const timeRequestSchema = z
  .object({
    v: version,
    id: id.describe('chosen by the box, unique among its open requests'),
    t0: epochMs.describe("the box's clock when it sent the request"),
  })
  .describe('A clock-sync request.');
export type TimeRequest = z.infer<typeof timeRequestSchema>;

export const timeResponseSchema = z
  .object({
    v: version,
    id: id.describe("the request's id"),
    t0: epochMs.describe("the request's t0, copied"),
    t1: epochMs.describe("the hub's clock when the request arrived"),
    t2: epochMs.describe("the hub's clock when the answer left"),
  })
  .describe("The hub's answer to a clock-sync request. Signed.");
export type TimeResponse = z.infer<typeof timeResponseSchema>;

// ---- the plan (retained): what a cluster plays in the next 48 hours, also when offline ----
export const planItemSchema = z.object({
  broadcastId: id.describe('the broadcast id the hub logs it under; an item cut by a higher one comes again after it, same id, later offsetMs'),
  startAt: epochMs.describe('hub time of the first sample'),
  offsetMs: z.number().int().nonnegative().default(0).describe('position in the media at startAt, ms (an item cut by a higher one resumes inside it)'),
  stopAt: epochMs.optional().describe('hub time at which the item ends even if the media is longer; after startAt'),
  media: mediaRefSchema.describe('the audio file, as in a play command'),
  volume: volume.optional().describe("volume for this item only, 0–100; absent: the box's standing volume"),
  priority: z.enum(['filler', 'normal', 'priority', 'live', 'emergency']).describe('for people and logs; the plan is already resolved by priority'),
});
export type PlanItem = z.infer<typeof planItemSchema>;

export const MAX_PLAN_ITEMS = 400;

export const planSchema = z
  .object({
    v: version,
    version: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).describe('increases with every new plan; keep only a plan above the one held'),
    generatedAt: epochMs.describe('hub time when it was made'),
    from: epochMs.describe('start of the window covered, hub time'),
    until: epochMs.describe('end of the window covered (exclusive), hub time'),
    items: z.array(planItemSchema).max(MAX_PLAN_ITEMS).describe('the items, in startAt order'),
  })
  .describe('What the cluster plays in the next 48 hours, to follow while offline. Retained, signed.');
export type Plan = z.infer<typeof planSchema>;

// ---- what a box played on its own (sent once it reaches the hub again) ----
export const playLogEntrySchema = z.object({
  broadcastId: id.describe("the plan item's broadcastId"),
  startedAt: epochMs.describe('when it started: box clock + last known offset (hub time)'),
  endedAt: epochMs.describe('when it ended, hub time'),
  startOffsetMs: z.number().int().nonnegative().describe('position in the media it started from, ms'),
  positionMs: z.number().int().nonnegative().describe('position in the media it ended at, ms'),
  outcome: z.enum(['finished', 'stopped', 'failed']).describe('finished (also at its stopAt), stopped or failed'),
  reason: z.enum(ACK_REASONS).optional().describe('with stopped and failed, as in an ack'),
});
export type PlayLogEntry = z.infer<typeof playLogEntrySchema>;

export const playLogSchema = z
  .object({
    v: version,
    entries: z.array(playLogEntrySchema).min(1).max(200).describe('oldest first'),
  })
  .describe('What the box played on its own while it could not reach the hub.');
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

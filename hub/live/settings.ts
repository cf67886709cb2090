// The `live:` section of the hub config (docs/live.md): delivery format and bitrate of live
// streams, and how the hub rides out an upstream that stalls or dies.
import { z } from 'zod';

export const liveSettingsSchema = z.strictObject({
  /** mp3 (any frame is a valid start; every box decodes it) or aac (ADTS, better at low bitrates). */
  format: z.enum(['mp3', 'aac']).default('mp3'),
  /** Encoded bitrate; 24 kbit/s mono is clear speech and about 10.8 MB per cluster per hour. */
  bitrateKbps: z.number().int().min(8).max(320).default(24),
  /** Sample rate of the delivery encoding. */
  sampleRate: z.union([z.literal(16000), z.literal(22050), z.literal(24000), z.literal(32000), z.literal(44100), z.literal(48000)]).default(22050),
  /** No bytes from the source for this long: clients get encoded silence until it is back. */
  silenceAfterMs: z.number().int().min(100).max(60_000).default(1000),
  /** No bytes for this long: the source's ffmpeg is killed and started again. */
  stallMs: z.number().int().min(200).max(300_000).default(5000),
  /** Restart delays after a failure: from min, doubling up to max. */
  backoffMinMs: z.number().int().min(50).default(500),
  backoffMaxMs: z.number().int().min(100).default(15_000),
  /** Audio the hub keeps for the stream's status and joiners, ms (a few seconds). */
  bufferMs: z.number().int().min(500).max(60_000).default(4000),
  /** A listener joining late gets this much of the newest audio first (0: it starts at the live point). */
  joinBackMs: z.number().int().min(0).max(10_000).default(0),
  /** Frames go to listeners in batches this far apart: each write costs a chunk header and a TCP/IP
   *  packet (~60 bytes), so one per 26 ms frame would add ~70 % on the radio link; 250 ms adds ~8 %. */
  flushMs: z.number().int().min(0).max(2000).default(250),
  /** A pushed source (POST /api/v1/live/push) that sends no bytes for this long ends its stream. */
  pushStallMs: z.number().int().min(500).max(300_000).default(10_000),
  /** A station relay or a push started without an end time ends after this many hours (the boxes
   *  get it as stopAt, the log plans it): nothing stays on air forever by mistake. */
  maxOpenHours: z
    .number()
    .positive()
    .max(24 * 7)
    .default(24),
  /** Plays go out this long before the boxes are to start, time for the command to reach them. */
  leadMs: z.number().int().min(0).max(10_000).default(300),
});

export type LiveSettings = z.infer<typeof liveSettingsSchema>;

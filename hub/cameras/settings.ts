// `cameras:` in the hub config: the cameras file, polling, alarms and the snapshot cache (docs/cameras.md).
import { z } from 'zod';

export const cameraSettingsSchema = z.strictObject({
  /** A YAML list of cameras (id, host, port, user, password or passwordFile, …), applied at each start. */
  file: z.string().optional(),
  /** How often each camera is checked. */
  pollIntervalSec: z.number().positive().max(3600).default(15),
  /** Longest wait for any one request to a camera. */
  timeoutMs: z.number().int().min(100).max(60_000).default(3000),
  /** Cameras checked at the same time; a dead one holds one slot for at most timeoutMs. */
  concurrency: z.number().int().min(1).max(1024).default(32),
  /** A camera offline for longer than this raises `camera-offline`; a shorter blip raises nothing. */
  offlineAlarmAfterSec: z
    .number()
    .min(0)
    .max(24 * 3600)
    .default(60),
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
  /** Live view (hub/video/, docs/cameras.md): one pull per camera and profile shared by its viewers. */
  live: z
    .strictObject({
      /** The pull stays open this long after its last viewer leaves (a reload finds it running). */
      lingerSec: z.number().min(0).max(600).default(5),
      /** No video within this long of starting (or for this long while live): the pull is lost and retried. */
      connectTimeoutSec: z.number().positive().max(120).default(10),
      /** Retries of a lost pull wait 0.5 s, doubling up to this. */
      retryMaxSec: z.number().positive().max(600).default(10),
      /** Unsent bytes a viewer may have queued before it misses fragments. */
      viewerBufferBytes: z
        .number()
        .int()
        .min(64 * 1024)
        .max(256 * 1024 * 1024)
        .default(4 * 1024 * 1024),
      /** A viewer that stays behind that long is closed (code 4008). */
      slowViewerCloseSec: z.number().positive().max(3600).default(20),
      /** Pulls open at once (each is an ffmpeg); a viewer of one more camera is refused (503) until one closes. */
      maxPulls: z.number().int().min(1).max(1000).default(32),
    })
    .prefault({}),
});

export type CameraSettings = z.output<typeof cameraSettingsSchema>;

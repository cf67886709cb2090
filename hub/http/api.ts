// The HTTP API's response bodies, declared once as zod schemas (docs/api.md documents them, and
// tests/docs-api.test.ts keeps its field tables equal to these). Routes return these types, so a
// body that drifts from its declaration fails to compile; the `loa` CLI reads them from here.
// This file imports nothing of the hub (only zod and common/), so the CLI can load it without the hub.
import { z } from 'zod';
import { BROADCAST_STATUSES, TARGET_STATUSES, type BroadcastStatus, type TargetStatus } from '../../common/broadcast-statuses.js';

const ms = z.number();
const msOrNull = ms.nullable();
const text = z.string();
const textOrNull = text.nullable();
/** A coded sentence's parameters (common/i18n/catalogue.ts Params). */
const params = z.record(z.string(), z.union([z.string(), z.number()]));

// ---- clusters and status --------------------------------------------------------------------

export const cluster = z.object({
  id: text,
  name: text,
  village: text,
  volume: z.number(),
  createdAt: ms,
  online: z.boolean(),
  /** Null if never seen. */
  lastSeenAt: msOrNull,
});

export const clusterHealth = z.object({
  at: ms,
  uptimeS: z.number(),
  cpuTempC: z.number().nullable(),
  load1: z.number().nullable(),
  memFreeMb: z.number().nullable(),
  memTotalMb: z.number().nullable(),
  diskFreeMb: z.number().nullable(),
  player: textOrNull,
  lastError: textOrNull,
  agent: textOrNull,
});

export const clusterPlaying = z.object({
  broadcastId: text,
  mediaId: text,
  /** Null when the box names a media the library does not have (any more). */
  mediaName: textOrNull,
  startedAt: msOrNull,
});

export const clusterStatus = cluster.extend({
  playing: clusterPlaying.nullable(),
  health: clusterHealth.nullable(),
});

// ---- alarms and the events feed -------------------------------------------------------------

export const ALARM_SEVERITIES = ['warning', 'critical'] as const;
const subjectType = z.enum(['cluster', 'camera']);

export const alarm = z.object({
  id: z.number(),
  kind: text,
  severity: z.enum(ALARM_SEVERITIES),
  subjectType,
  subjectId: text,
  detail: text,
  detailCode: textOrNull,
  detailParams: params,
  /** Operators only: the police get alarms without it (policeAlarm). */
  detailExtra: textOrNull.optional(),
  raisedAt: ms,
  clearedAt: msOrNull,
  clearDetail: textOrNull,
  clearCode: textOrNull,
  clearParams: params,
  clearExtra: textOrNull.optional(),
});

export const feedEvent = z.object({
  id: z.number(),
  at: ms,
  type: z.enum(['alarm-raised', 'alarm-cleared']),
  alarmId: z.number().nullable(),
  kind: text,
  subjectType,
  subjectId: text,
  severity: z.enum(ALARM_SEVERITIES),
  detail: text,
  detailCode: textOrNull,
  detailParams: params,
  /** Operators only, as on the alarm. */
  detailExtra: textOrNull.optional(),
});

/** What a new box needs besides its secret: the hub's addresses for boxes, CA and signing keys. */
export const provisioning = z.object({
  /** mqtts://host:port the box connects to. */
  mqttUrl: text,
  /** https://host:port the box fetches media and streams from. */
  httpUrl: text,
  /** The hub's CA certificate (PEM). */
  caPem: text,
  /** The hub's command-signing public keys: the box obeys only what they verify. */
  hubKeys: z.array(text).optional(),
});

/** `POST /api/v1/clusters` (the secret is shown only here) and, without the rest, rotate-secret. */
export const clusterAdded = z.object({ cluster, secret: text, hubKeys: z.array(text), provisioning: provisioning.optional() });
export const secretRotated = z.object({ cluster, secret: text });

export const hubStatus = z.object({
  hub: z.object({
    version: text,
    startedAt: ms,
    ffmpeg: z.object({ path: text, source: text, warning: text.optional() }).optional(),
  }),
  clusters: z.array(clusterStatus),
  alarms: z.array(alarm),
});

export const alarmList = z.object({ alarms: z.array(alarm), cursor: z.number() });
export const eventList = z.object({ events: z.array(feedEvent), cursor: z.number() });

// ---- media ----------------------------------------------------------------------------------

export const media = z.object({
  /** sha256 of the delivery file. */
  id: text,
  name: text,
  originalName: text,
  durationMs: z.number(),
  bytes: z.number(),
  format: text,
  createdAt: ms,
  /** Null in every answer but an older hub's, which left it out. */
  removedAt: msOrNull.optional(),
});

export const mediaUsage = z.object({
  programmes: z.array(z.object({ id: text, name: text })),
  broadcasts: z.array(z.object({ id: text, kind: text, programmeName: textOrNull, startAt: ms, plannedEnd: msOrNull })),
  emergencies: z.array(z.object({ id: text, startedAt: ms })),
});

/** An upload's answer (application/json), or the last NDJSON line's fields. */
export const mediaAdded = z.object({ media, replaced: media.nullable(), unchanged: z.boolean(), oldOnAir: mediaUsage.shape.broadcasts });
export const mediaOne = z.object({ media, usage: mediaUsage });
export const mediaRemoved = z.object({
  removed: text,
  name: text,
  /** Removed although in use (force=1). */
  forced: z.boolean(),
  usage: mediaUsage,
  stopped: z.array(z.object({ broadcastId: text, clusterId: text })),
});

/** One line of an NDJSON media upload answer. */
export const uploadEvent = z.discriminatedUnion('event', [
  z.object({ event: z.literal('progress'), phase: text, percent: z.number() }),
  z.object({
    event: z.literal('done'),
    media,
    replaced: media.nullable().optional(),
    unchanged: z.boolean().optional(),
    oldOnAir: mediaUsage.shape.broadcasts.optional(),
  }),
  z.object({ event: z.literal('error'), error: z.object({ code: text, message: text, details: z.unknown().optional() }) }),
]);

// ---- broadcasts and the log -----------------------------------------------------------------

export { BROADCAST_STATUSES, TARGET_STATUSES };
export const BROADCAST_KINDS = ['adhoc', 'schedule', 'emergency'] as const;
export const OUTCOMES = ['played', 'partial', 'preempted', 'missed-offline', 'missed', 'failed', 'stopped', 'pending'] as const;

export const target = z.object({
  clusterId: text,
  status: z.enum(TARGET_STATUSES),
  reason: textOrNull,
  detail: textOrNull,
  sentAt: msOrNull,
  acceptedAt: msOrNull,
  startedAt: msOrNull,
  finishedAt: msOrNull,
  /** The box's own estimate of how far from startAt its first sample was. */
  startErrorMs: z.number().nullable(),
});

export const broadcast = z.object({
  id: text,
  /** '' for a live stream. */
  mediaId: text,
  mediaName: text,
  /** A live stream's station address or `live:<operator>`; null for a media broadcast. */
  streamUrl: textOrNull,
  durationMs: z.number(),
  createdAt: ms,
  createdBy: text,
  startAt: ms,
  volume: z.number().nullable(),
  stoppedAt: msOrNull,
  kind: z.enum(BROADCAST_KINDS),
  priority: text,
  programmeId: textOrNull,
  programmeName: textOrNull,
  plannedEnd: msOrNull,
  status: z.enum(BROADCAST_STATUSES),
  targets: z.array(target),
});

export const logEntry = z.object({
  broadcastId: text,
  clusterId: text,
  mediaId: text,
  mediaName: text,
  streamUrl: textOrNull,
  kind: text,
  priority: text,
  programmeId: textOrNull,
  programmeName: textOrNull,
  plannedStart: ms,
  plannedEnd: msOrNull,
  outcome: z.enum(OUTCOMES),
  status: z.enum(TARGET_STATUSES),
  reason: textOrNull,
  detail: textOrNull,
  acceptedAt: msOrNull,
  startedAt: msOrNull,
  finishedAt: msOrNull,
  playedMs: z.number().nullable(),
  startErrorMs: z.number().nullable(),
});

const stoppedTarget = z.object({ broadcastId: text, clusterId: text });
export const playAnswer = z.object({ broadcast, queuedAfter: z.array(text), replaces: z.array(text) });
export const broadcastList = z.object({ broadcasts: z.array(broadcast) });
export const broadcastOne = z.object({ broadcast });
export const stopAnswer = z.object({ stopped: z.array(stoppedTarget) });
export const logList = z.object({ entries: z.array(logEntry) });

// ---- live streams (docs/live.md) ------------------------------------------------------------

export const liveInfo = z.object({
  id: text,
  broadcastId: text,
  /** A station's address, a media item played as live, or who pushed it. */
  source: z.union([z.object({ url: text }), z.object({ mediaId: text }), z.object({ push: text })]),
  format: text,
  bitrateKbps: z.number(),
  state: z.enum(['connecting', 'live', 'gap', 'ended']),
  startedAt: ms,
  endedAt: msOrNull,
  until: msOrNull,
  createdBy: text,
  /** Boxes connected to the stream now. */
  listeners: z.number(),
  restarts: z.number(),
  audioMs: z.number(),
  bytesEncoded: z.number(),
  gaps: z.array(z.object({ startAt: ms, endAt: msOrNull, lengthMs: z.number() })),
  clusters: z.array(z.object({ clusterId: text, cmdId: textOrNull, status: text, detail: text.optional() })),
  priority: z.enum(['live', 'emergency']),
  chime: z.boolean(),
});
export const liveOne = z.object({ stream: liveInfo });
export const liveList = z.object({ streams: z.array(liveInfo) });
/** A pushed stream's answer, when it is over. */
export const pushAnswer = z.object({ stream: liveInfo, end: z.enum(['ended', 'stalled', 'aborted', 'stopped', 'failed']), durationMs: z.number() });

// ---- tokens ---------------------------------------------------------------------------------

export const ROLES = ['operator', 'police', 'viewer'] as const;
export const token = z.object({ id: text, name: text, role: z.enum(ROLES), createdAt: ms });

// ---- external broker ------------------------------------------------------------------------

export const brokerFiles = z.object({
  passwordFile: text,
  aclFile: text,
  /** Clusters written to both files. */
  clusters: z.number(),
  /** Left out: their secret predates external mode (rotate them). */
  needsRotation: z.array(text),
  /** Left out: the id is the hub's own broker username. */
  conflicts: z.array(text),
  reload: z.enum(['signal', 'command', 'none']),
});

// ---- schedules, plan, emergencies, report ---------------------------------------------------

export const PRIORITIES = ['filler', 'normal', 'priority', 'live', 'emergency'] as const;

/** One finding of the schedule validator (codes in docs/schedules.md). */
export const scheduleProblem = z.object({
  severity: z.enum(['error', 'warning']),
  code: text,
  file: text,
  line: z.number(),
  col: z.number(),
  message: text,
});

export const validateAnswer = z.object({ ok: z.boolean(), problems: z.array(scheduleProblem), programmes: z.number() });
export const scheduleChanges = z.object({ added: z.array(text), removed: z.array(text), changed: z.array(text), unchanged: z.array(text) });
export const applyAnswer = z.object({ version: z.number().nullable(), dryRun: z.boolean(), problems: z.array(scheduleProblem), changes: scheduleChanges });

export const scheduleVersion = z.object({ version: z.number(), file: text, appliedBy: text, appliedAt: ms });

export const programmeSummary = z.object({
  id: text,
  name: text,
  oneOff: z.boolean(),
  priority: z.enum(PRIORITIES),
  /** How many clusters and items. */
  clusters: z.number(),
  items: z.number(),
  /** "05:00" or "slot sang". */
  when: text,
});

export const currentSchedule = scheduleVersion.extend({
  text,
  /** The hub's site (its config's, else this schedule's): files for another site are refused. */
  site: textOrNull,
  timezone: text,
  programmes: z.array(programmeSummary),
});

const pos = z.object({ line: z.number(), col: z.number() });
/** A schedule item as planned: media by name, silence, a station relayed, or speech. */
export const planItem = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('media'), media: text, pos }),
  z.object({ kind: z.literal('silence'), durationMs: z.number(), pos }),
  z.object({ kind: z.literal('relay'), url: text, durationMs: z.number(), pos }),
  z.object({ kind: z.literal('tts'), text, voice: textOrNull, mediaId: text, durationMs: z.number(), pos }),
]);

export const timelineEntry = z.object({
  key: text,
  programmeId: text,
  programmeName: text,
  clusterId: text,
  priority: z.enum(PRIORITIES),
  startAt: ms,
  endAt: ms,
  item: planItem,
  mediaId: textOrNull,
  volume: z.number().nullable(),
  localDate: text,
});

export const planAnswer = z.object({ date: text, timezone: text, entries: z.array(timelineEntry) });

export const emergency = z.object({
  id: text,
  mediaId: text,
  clusters: z.array(text),
  zones: z.array(text),
  repeat: z.boolean(),
  volume: z.number().nullable(),
  startedAt: ms,
  startedBy: text,
  stoppedAt: msOrNull,
  stoppedBy: textOrNull,
});

export const reportRow = z.object({
  clusterId: text,
  hoursOnAir: z.number(),
  played: z.number(),
  partial: z.number(),
  preempted: z.number(),
  missed: z.number(),
  failed: z.number(),
  /** Share (0–1) of the counted time the cluster was online; null for a cluster added after it. */
  availability: z.number().nullable(),
  /** Where availability starts counting (the month's start or when the cluster was added). */
  availabilityFrom: msOrNull,
});

export const reportAnswer = z.object({ month: text, timezone: text, from: ms, to: ms, clusters: z.array(reportRow), total: reportRow });

// ---- announcements (docs/announce.md) ------------------------------------------------------

/** The speech or recording made into a media item, and the broadcast (or emergency) playing it.
 *  The broadcast's targets are sent as the ledger holds them, with more fields than `target`. */
export const announceAnswer = z.object({ mediaId: text, media, broadcast: broadcast.optional(), emergency: emergency.optional() });

// ---- cameras --------------------------------------------------------------------------------

export const CAMERA_STATUSES = ['unknown', 'online', 'degraded', 'unauthorised', 'offline'] as const;
const reason = z.object({ code: text, params });

export const cameraDevice = z.object({ manufacturer: text, model: text, firmwareVersion: text, serialNumber: text, hardwareId: text });
export const cameraProfile = z.object({ token: text, name: text, encoding: textOrNull, width: z.number().nullable(), height: z.number().nullable() });

/** What a viewer token (a public screen) gets: which cameras work, nothing of where or what. */
export const cameraStatusView = z.object({
  id: text,
  name: text,
  village: textOrNull,
  status: z.enum(CAMERA_STATUSES),
  reasons: z.array(reason),
  reason: textOrNull,
  statusSince: msOrNull,
  lastSeenAt: msOrNull,
});

/** A camera as operators and the police see it: never its credentials. */
export const cameraView = cameraStatusView.extend({
  host: text,
  port: z.number(),
  path: text,
  source: z.enum(['config', 'operator']),
  createdAt: ms,
  lastCheckedAt: msOrNull,
  clockSkewMs: z.number().nullable(),
  latencyMs: z.number().nullable(),
  device: cameraDevice.nullable(),
  profiles: z.array(cameraProfile),
  streamUri: textOrNull,
  snapshotUrl: text,
  openAlarms: z.array(text),
});

export const discoveredCamera = z.object({
  xaddr: text,
  host: text,
  port: z.number(),
  path: text,
  endpoint: textOrNull,
  name: textOrNull,
  location: textOrNull,
  hardware: textOrNull,
  knownAs: textOrNull,
});

/** Live view (GET /api/v1/cameras/{id}/live, WebSocket): the text messages' status. */
export const liveViewStatus = z.object({
  state: z.enum(['connecting', 'live', 'lost']),
  camera: text,
  profile: z.enum(['main', 'sub']),
  codec: textOrNull,
  width: z.number().nullable(),
  height: z.number().nullable(),
  reasons: z.array(reason),
  reason: textOrNull,
});

/** The same route without an Upgrade: how to watch, and the pulls open for the camera now. */
export const liveViewInfo = z.object({
  camera: text,
  protocol: text,
  profiles: z.array(
    z.object({ profile: z.enum(['main', 'sub']), pulling: z.boolean(), state: z.enum(['connecting', 'live', 'lost']).nullable(), viewers: z.number() }),
  ),
});

// ---- the types, inferred ---------------------------------------------------------------------

export type Cluster = z.infer<typeof cluster>;
export type ClusterHealth = z.infer<typeof clusterHealth>;
export type ClusterStatus = z.infer<typeof clusterStatus>;
export type HubStatus = z.infer<typeof hubStatus>;
export type Provisioning = z.infer<typeof provisioning>;
export type ClusterAdded = z.infer<typeof clusterAdded>;
export type SecretRotated = z.infer<typeof secretRotated>;
export type Alarm = z.infer<typeof alarm>;
export type FeedEvent = z.infer<typeof feedEvent>;
export type AlarmList = z.infer<typeof alarmList>;
export type EventList = z.infer<typeof eventList>;
export type Media = z.infer<typeof media>;
export type MediaUsage = z.infer<typeof mediaUsage>;
export type UploadEvent = z.infer<typeof uploadEvent>;
export type MediaAdded = z.infer<typeof mediaAdded>;
export type MediaOne = z.infer<typeof mediaOne>;
export type MediaRemoved = z.infer<typeof mediaRemoved>;
export type { BroadcastStatus, TargetStatus };
export type Outcome = (typeof OUTCOMES)[number];
export type Target = z.infer<typeof target>;
export type Broadcast = z.infer<typeof broadcast>;
export type LogEntry = z.infer<typeof logEntry>;
export type PlayAnswer = z.infer<typeof playAnswer>;
export type BroadcastList = z.infer<typeof broadcastList>;
export type BroadcastOne = z.infer<typeof broadcastOne>;
export type StopAnswer = z.infer<typeof stopAnswer>;
export type LogList = z.infer<typeof logList>;
export type LiveInfo = z.infer<typeof liveInfo>;
export type LiveViewStatus = z.infer<typeof liveViewStatus>;
export type LiveViewInfo = z.infer<typeof liveViewInfo>;
export type LiveOne = z.infer<typeof liveOne>;
export type LiveList = z.infer<typeof liveList>;
export type PushAnswer = z.infer<typeof pushAnswer>;
export type AnnounceAnswer = z.infer<typeof announceAnswer>;
export type Role = (typeof ROLES)[number];
export type Token = z.infer<typeof token>;
export type BrokerFiles = z.infer<typeof brokerFiles>;
export type Priority = (typeof PRIORITIES)[number];
export type ScheduleProblem = z.infer<typeof scheduleProblem>;
export type ValidateAnswer = z.infer<typeof validateAnswer>;
export type ScheduleChanges = z.infer<typeof scheduleChanges>;
export type ApplyAnswer = z.infer<typeof applyAnswer>;
export type ScheduleVersion = z.infer<typeof scheduleVersion>;
export type ProgrammeSummary = z.infer<typeof programmeSummary>;
export type CurrentSchedule = z.infer<typeof currentSchedule>;
export type PlanItem = z.infer<typeof planItem>;
export type TimelineEntry = z.infer<typeof timelineEntry>;
export type PlanAnswer = z.infer<typeof planAnswer>;
export type Emergency = z.infer<typeof emergency>;
export type ReportRow = z.infer<typeof reportRow>;
export type ReportAnswer = z.infer<typeof reportAnswer>;
export type CameraStatusView = z.infer<typeof cameraStatusView>;
export type Camera = z.infer<typeof cameraView>;
export type DiscoveredCamera = z.infer<typeof discoveredCamera>;

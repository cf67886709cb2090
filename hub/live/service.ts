// Live broadcasts (docs/live.md): starts a LiveStream for a source, sends the clusters a play of
// the hub's live URL, follows their acks, stops it all on request or at `until`.
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Clock, TimerHandle } from '../../common/clock.js';
import { errorMessage } from '../../common/errors.js';
import { clusterErrors } from '../clusters/errors.js';
import { broadcastErrors } from '../dispatcher/errors.js';
import { mediaErrors } from '../media/errors.js';
import { announceErrors } from '../announce/errors.js';
import { liveErrors } from './errors.js';
import type { Logger } from '../../common/logger.js';
import type { LostRelay, StreamDispatch } from '../dispatcher/streams.js';
import type { EventBus } from '../events.js';
import type { LiveSettings } from './settings.js';
import { encodeFileFrames, encodeSilence, LiveStream, type LiveEndReason, type LiveGap, type LiveSource, type LiveState } from './stream.js';
import type { Frame } from './frames.js';

export interface LiveServiceDeps {
  /** The streams' plays and their broadcast rows (through the broadcast ledger). */
  streams: Pick<StreamDispatch, 'play' | 'stop' | 'end'>;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  settings: LiveSettings;
  ffmpegPath: string;
  /** Absolute path of a library media file, undefined when the id is not in the library. */
  mediaPath: (mediaId: string) => string | undefined;
  /** Every cluster id, for `all`. */
  allClusterIds: () => string[];
  /** Path of the announcement chime (hub/announce/audio.ts ensureChime), for a pushed announcement's `chime`. */
  chimePath?: () => Promise<string>;
}

export interface LiveStartRequest {
  source: { url: string } | { mediaId: string };
  clusterIds: string[] | 'all';
  /** Epoch ms at which the relay ends by itself. */
  until?: number;
  createdBy: string;
}

export interface LiveClusterStatus {
  clusterId: string;
  cmdId: string | null;
  /** sent, offline, failed, then the box's acks: accepted, started, finished, stopped, refused. */
  status: string;
  detail?: string;
}

/** A pushed announcement's options: a chime before and after, and emergency priority (over
 *  everything on its clusters while it lasts, docs/live.md). */
export interface PushOptions {
  chime?: boolean;
  emergency?: boolean;
}

/** What GET /api/v1/live shows as the source; `push` names the operator who pushes the audio. */
export type LiveSourceInfo = { url: string } | { mediaId: string } | { push: string };

export interface LiveInfo {
  id: string;
  broadcastId: string;
  source: LiveSourceInfo;
  format: string;
  bitrateKbps: number;
  state: LiveState;
  startedAt: number;
  endedAt: number | null;
  until: number | null;
  createdBy: string;
  /** Boxes connected to the stream now. */
  listeners: number;
  restarts: number;
  audioMs: number;
  bytesEncoded: number;
  gaps: LiveGap[];
  clusters: LiveClusterStatus[];
  /** The broadcast's priority: `live`, or `emergency` for a pushed emergency. */
  priority: 'live' | 'emergency';
  chime: boolean;
}

type LaunchRequest = Omit<LiveStartRequest, 'source'> & { source: LiveSourceInfo; priority?: 'live' | 'emergency'; chime?: boolean };

interface Entry {
  id: string;
  stream: LiveStream;
  req: LaunchRequest;
  clusters: Map<string, LiveClusterStatus>;
  untilTimer: TimerHandle | null;
  /** Has a broadcast row (hand-started or pushed; a schedule's relay is the scheduler's to log). */
  logged: boolean;
  /** The row was closed (StreamDispatch.end): once only. */
  logClosed: boolean;
}

/** Ended streams kept for `GET /api/v1/live`. */
const KEEP_ENDED = 20;
/** After a file played as live reaches its end, the boxes get this long to ack finished before the
 *  row is closed. */
const SOURCE_END_GRACE_MS = 3000;
/** After `until`, the stream stays this long so the boxes end at their stopAt, not at its EOF. */
const UNTIL_GRACE_MS = 1000;

export class LiveService {
  private readonly entries = new Map<string, Entry>();
  private silence: Promise<Frame[]> | null = null;
  private chime: Promise<Frame[]> | null = null;
  private readonly log: Logger;
  /** Why each stream ended, and who waits to know (whenEnded: a pushed stream's request). */
  private readonly endWhy = new Map<string, LiveEndReason>();
  private readonly endWaiters = new Map<string, ((why: LiveEndReason) => void)[]>();

  constructor(private readonly deps: LiveServiceDeps) {
    this.log = deps.logger;
    // `loa broadcast stop` on a stream's row: the boxes were told; the stream itself ends here.
    deps.bus.on(this, 'broadcastStopped', ({ broadcastId: id }) => {
      if (id.startsWith('live-') && this.stream(id))
        void this.stop(id, { sendStops: false, reason: 'stop-command' }).catch((e: unknown) =>
          this.log.error({ err: errorMessage(e) }, "ending a stopped broadcast's stream failed"),
        );
    });
    // A box that was offline (or could not be sent the play) when the stream started joins it at
    // the live point as soon as it is back.
    deps.bus.on(this, 'presenceChanged', ({ clusterId, online }) => {
      if (online) void this.join(clusterId).catch((e: unknown) => this.log.error({ err: errorMessage(e), clusterId }, 'joining a live stream failed'));
    });
    deps.bus.on(this, 'ack', ({ clusterId, ack }) => {
      for (const e of this.entries.values()) {
        const c = e.clusters.get(clusterId);
        if (c && c.cmdId === ack.cmdId && ack.status !== 'accepted') {
          c.status = ack.status;
          if (ack.reason || ack.detail) c.detail = [ack.reason, ack.detail].filter(Boolean).join(': ');
        } else if (c && c.cmdId === ack.cmdId && c.status === 'sent') c.status = 'accepted';
      }
    });
  }

  /** The stream a box asks for with GET /api/v1/live/{id}; undefined when unknown or ended. */
  stream(id: string): LiveStream | undefined {
    const e = this.entries.get(id);
    return e && e.stream.state !== 'ended' ? e.stream : undefined;
  }

  async start(req: LiveStartRequest): Promise<LiveInfo> {
    return this.launch(req, this.resolveSource(req.source));
  }

  /** A stream whose source is audio pushed by the operator (hub/live/push.ts runs it to its end). */
  async startPush(req: { input: Readable; clusterIds: string[] | 'all'; createdBy: string } & PushOptions): Promise<LiveInfo> {
    return this.launch(
      {
        source: { push: req.createdBy },
        clusterIds: req.clusterIds,
        createdBy: req.createdBy,
        priority: req.emergency ? 'emergency' : 'live',
        chime: req.chime === true,
      },
      { kind: 'push', input: req.input },
    );
  }

  /** The chime in the delivery format, encoded once per hub (a failed attempt is tried again next time). */
  private chimeFrames(): Promise<Frame[]> {
    const { chimePath, ffmpegPath, settings } = this.deps;
    if (!chimePath) return Promise.reject(announceErrors.noChime());
    this.chime ??= chimePath().then((path) => encodeFileFrames(ffmpegPath, settings, path));
    this.chime.catch(() => (this.chime = null));
    return this.chime;
  }

  /** Why the stream ended, once it has (a stream that is not known resolves as stopped). */
  whenEnded(id: string): Promise<LiveEndReason> {
    const why = this.endWhy.get(id) ?? (this.entries.has(id) ? undefined : 'stopped');
    if (why) return Promise.resolve(why);
    return new Promise((resolve) => this.endWaiters.set(id, [...(this.endWaiters.get(id) ?? []), resolve]));
  }

  /** One stream's status, undefined when unknown. */
  get(id: string): LiveInfo | undefined {
    const e = this.entries.get(id);
    return e && this.info(e);
  }

  private async launch(req: LaunchRequest, source: LiveSource): Promise<LiveInfo> {
    const { clock, settings } = this.deps;
    const now = clock.now();
    if (req.until !== undefined && req.until <= now) throw broadcastErrors.endPast(req.until);
    // Without an end time a station or a push ends after live.maxOpenHours (a file, at its end).
    if (req.until === undefined && source.kind !== 'file') req = { ...req, until: now + Math.round(settings.maxOpenHours * 3600_000) };
    const clusterIds = req.clusterIds === 'all' ? this.deps.allClusterIds() : req.clusterIds;
    if (clusterIds.length === 0) throw clusterErrors.none();
    const entry = await this.open(source, { ...req, clusterIds }, { logged: true, chime: req.chime === true });
    const { id, stream } = entry;
    try {
      await this.sendPlays(entry, clusterIds, now + settings.leadMs);
    } catch (err) {
      await stream.stop();
      this.entries.delete(id);
      entry.logClosed = true;
      this.deps.streams.end(id, { status: 'stopped', reason: 'start-failed' });
      throw err;
    }
    // At `until` the boxes end by themselves (stopAt, acked finished); the stream goes a moment
    // later, without stop commands that would race their stopAt.
    if (req.until !== undefined) this.endAfter(entry, req.until - now + UNTIL_GRACE_MS);
    this.log.info(
      { streamId: id, source: req.source, clusters: clusterIds.length, until: req.until, priority: req.priority ?? 'live', chime: req.chime === true },
      'live stream started',
    );
    return this.info(entry);
  }

  /** Sends a logged stream's play to clusters (logged in its row through the ledger) and keeps their status. */
  private async sendPlays(e: Entry, clusterIds: string[], startAt: number): ReturnType<LiveServiceDeps['streams']['play']> {
    const { settings } = this.deps;
    const sent = await this.deps.streams.play({
      broadcastId: e.id,
      stream: { url: `/api/v1/live/${e.id}`, format: settings.format },
      clusterIds,
      startAt,
      ...(e.req.until === undefined ? {} : { stopAt: e.req.until }),
      log: { createdBy: e.req.createdBy, priority: e.req.priority ?? 'live', ...logSource(e.req.source) },
    });
    for (const s of sent) e.clusters.set(s.clusterId, { clusterId: s.clusterId, cmdId: s.cmdId, status: s.status, ...(s.detail ? { detail: s.detail } : {}) });
    return sent;
  }

  /** Sends the play of every running logged stream this cluster missed (offline, or the send failed). */
  private async join(clusterId: string): Promise<void> {
    const { clock, settings } = this.deps;
    for (const e of this.entries.values()) {
      const c = e.clusters.get(clusterId);
      if (!e.logged || e.logClosed || e.stream.state === 'ended' || !c || (c.status !== 'offline' && c.status !== 'failed')) continue;
      const now = clock.now();
      if (e.req.until !== undefined && e.req.until <= now + settings.leadMs) continue;
      const [sent] = await this.sendPlays(e, [clusterId], now + settings.leadMs);
      if (sent) this.log.info({ streamId: e.id, clusterId, status: sent.status }, 'cluster back online: joined the live stream');
    }
  }

  /** Starts again, under a new id, the station relays started by hand that a hub restart ended
   *  (StreamDispatch.closeAfterRestart) and whose end time is still ahead. Their clusters join as they come back. */
  async resumeLost(relays: readonly LostRelay[]): Promise<LiveInfo[]> {
    const out: LiveInfo[] = [];
    for (const r of relays) {
      if (r.until <= this.deps.clock.now() + 10_000) continue;
      try {
        const info = await this.start({ source: { url: r.url }, clusterIds: r.clusterIds, until: r.until, createdBy: r.createdBy });
        this.log.info({ was: r.id, streamId: info.id, url: r.url, until: r.until }, 'relay started again after a hub restart');
        out.push(info);
      } catch (err) {
        this.log.error({ was: r.id, url: r.url, err: errorMessage(err) }, 'a relay ended by the hub restart could not be started again');
      }
    }
    return out;
  }

  /** A stream under a new id, kept among the entries, its encoder started (for a launch: by the
   *  time the boxes connect, audio is flowing). */
  private async open(source: LiveSource, req: LaunchRequest, opts: { logged: boolean; chime: boolean }): Promise<Entry> {
    const { clock, settings } = this.deps;
    this.silence ??= encodeSilence(this.deps.ffmpegPath, settings);
    const silence = await this.silence;
    const chime = opts.chime ? await this.chimeFrames() : undefined;
    const id = `live-${randomBytes(5).toString('hex')}`;
    const stream = new LiveStream({
      id,
      source,
      ffmpegPath: this.deps.ffmpegPath,
      settings,
      silence,
      clock,
      logger: this.log,
      onEnd: (why) => void this.ended(id, why),
      ...(chime ? { intro: chime, outro: chime } : {}),
    });
    const entry: Entry = { id, stream, req, clusters: new Map(), untilTimer: null, logged: opts.logged, logClosed: false };
    this.entries.set(id, entry);
    this.prune();
    stream.start();
    return entry;
  }

  /** Ends the stream after `delayMs` without stop commands (the boxes end by themselves at stopAt). */
  private endAfter(entry: Entry, delayMs: number): void {
    const end = () =>
      void this.stop(entry.id, { sendStops: false }).catch((e: unknown) => this.log.error({ err: errorMessage(e) }, 'ending a relay at its end time failed'));
    entry.untilTimer = this.deps.clock.setTimeout(end, delayMs);
  }

  /** Starts a station's stream without sending plays: the scheduler sends its own, per cluster, for
   *  a schedule `relay:` item (docs/schedules.md). The stream ends by itself a moment after `until`. */
  async openRelay(req: { url: string; until: number; createdBy: string }): Promise<{ id: string; stream: { url: string; format: LiveSettings['format'] } }> {
    const { clock, settings } = this.deps;
    const source = this.resolveSource({ url: req.url });
    const entry = await this.open(
      source,
      { source: { url: req.url }, clusterIds: [], until: req.until, createdBy: req.createdBy },
      { logged: false, chime: false },
    );
    const { id } = entry;
    this.endAfter(entry, Math.max(0, req.until - clock.now()) + UNTIL_GRACE_MS);
    this.log.info({ streamId: id, source: req.url, until: req.until, by: req.createdBy }, 'scheduled relay started');
    return { id, stream: { url: `/api/v1/live/${id}`, format: settings.format } };
  }

  /** Stops a stream: stop commands to its clusters, then its ffmpeg ends and listeners are closed. */
  async stop(id: string, opts: { sendStops?: boolean; reason?: string } = {}): Promise<LiveInfo> {
    const e = this.entries.get(id);
    if (!e) throw liveErrors.notFound(id);
    e.untilTimer?.cancel();
    if (e.stream.state !== 'ended') {
      if (opts.sendStops !== false)
        await this.deps.streams.stop(
          e.id,
          [...e.clusters.values()].filter((c) => c.cmdId !== null).map((c) => c.clusterId),
        );
      await e.stream.stop();
    }
    // Without stops and a reason (at `until`) the boxes ended at their stopAt: what is open finished.
    this.closeLog(id, opts.sendStops === false && !opts.reason ? { status: 'finished' } : { status: 'stopped', reason: opts.reason ?? 'stop-command' });
    return this.info(e);
  }

  /** Closes a stream's broadcast row (once): open targets end as `end` says, and the time the
   *  source was lost goes into the detail ("relay lost N s", as for a schedule's relay). */
  closeLog(id: string, end: { status: 'finished' | 'stopped'; reason?: string }): void {
    const e = this.entries.get(id);
    if (!e?.logged || e.logClosed) return;
    e.logClosed = true;
    const s = e.stream;
    const lostMs = [...s.gaps.filter((g) => g.endAt !== null), ...(s.currentGap ? [s.currentGap] : [])].reduce((sum, g) => sum + g.lengthMs, 0);
    const note = lostMs >= 500 ? `relay lost ${Math.round(lostMs / 1000)} s` : undefined;
    try {
      this.deps.streams.end(id, { ...end, ...(note ? { note } : {}) });
    } catch (err) {
      this.log.error({ err: errorMessage(err), streamId: id }, "closing a live stream's log row failed");
    }
    if (note) this.log.info({ streamId: id, lostMs }, note);
  }

  /** Stop commands for an ended stream's clusters that have not finished it by themselves. */
  async stopPlays(id: string): Promise<void> {
    const e = this.entries.get(id);
    if (!e) return;
    const playing = [...e.clusters.values()].filter((c) => c.cmdId !== null && ['sent', 'accepted', 'started'].includes(c.status));
    if (playing.length > 0)
      await this.deps.streams.stop(
        e.id,
        playing.map((c) => c.clusterId),
      );
  }

  list(): LiveInfo[] {
    return [...this.entries.values()].map((e) => this.info(e));
  }

  async stopAll(): Promise<void> {
    this.deps.bus.removeListeners(this);
    await Promise.all(
      [...this.entries.values()].map((e) => {
        e.untilTimer?.cancel();
        return e.stream.stop();
      }),
    );
  }

  private async ended(id: string, why: LiveEndReason): Promise<void> {
    this.endWhy.set(id, why);
    for (const w of this.endWaiters.get(id) ?? []) w(why);
    this.endWaiters.delete(id);
    const e = this.entries.get(id);
    if (!e) return;
    e.untilTimer?.cancel();
    // A file played as live reached its end: the boxes see the end of the stream and finish.
    if (why === 'source-ended') this.log.info({ streamId: id }, 'live source ended');
    // A pushed stream's end is logged by hub/live/push.ts after its drain; a stop by stop().
    if (why !== 'stopped' && !('push' in e.req.source)) {
      const end = why === 'source-ended' ? ({ status: 'finished' } as const) : ({ status: 'stopped', reason: 'source-failed' } as const);
      this.deps.clock.setTimeout(() => this.closeLog(id, end), SOURCE_END_GRACE_MS);
    }
  }

  private resolveSource(s: LiveStartRequest['source']): LiveSource {
    if ('url' in s) {
      if (!/^(https?):\/\//i.test(s.url)) throw liveErrors.sourceInvalid(s.url);
      return { kind: 'url', url: s.url };
    }
    const path = this.deps.mediaPath(s.mediaId);
    if (!path) throw mediaErrors.notFound(s.mediaId);
    return { kind: 'file', path, mediaId: s.mediaId };
  }

  private prune(): void {
    const ended = [...this.entries.values()].filter((e) => e.stream.state === 'ended');
    for (const e of ended.slice(0, Math.max(0, ended.length - KEEP_ENDED))) {
      this.entries.delete(e.id);
      this.endWhy.delete(e.id);
    }
  }

  private info(e: Entry): LiveInfo {
    const s = e.stream;
    const gaps = [...s.gaps.filter((g) => g.endAt !== null), ...(s.currentGap ? [s.currentGap] : [])];
    return {
      id: e.id,
      broadcastId: e.id,
      source: e.req.source,
      format: this.deps.settings.format,
      bitrateKbps: this.deps.settings.bitrateKbps,
      state: s.state,
      startedAt: s.startedAt,
      endedAt: s.endedAt,
      until: e.req.until ?? null,
      createdBy: e.req.createdBy,
      listeners: s.listenerCount,
      restarts: s.restarts,
      audioMs: Math.round(s.audioMs),
      bytesEncoded: s.bytesEncoded,
      gaps,
      clusters: [...e.clusters.values()],
      priority: e.req.priority ?? 'live',
      chime: e.req.chime === true,
    };
  }
}

/** What a stream's log row names: a library file, a station's address, or `live:OPERATOR` for a push. */
function logSource(source: LiveSourceInfo): { mediaId: string } | { streamUrl: string } {
  if ('mediaId' in source) return { mediaId: source.mediaId };
  if ('url' in source) return { streamUrl: source.url };
  return { streamUrl: `live:${source.push || 'operator'}` };
}

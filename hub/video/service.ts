// Live view of cameras: one upstream pull per camera and profile, shared by all its viewers,
// started by the first viewer and stopped `lingerSec` after the last one leaves (a viewer who
// reloads the page finds it still running). Viewers get the pull's status, the init segment, then
// fragments; a pull that is lost tells them so and comes back by itself while anyone watches.
import type { Clock, TimerHandle } from '../../common/clock.js';
import { english, reason as coded, type Reason } from '../../common/i18n/reasons.js';
import type { Logger } from '../../common/logger.js';
import type { CameraConnection, Store } from '../store/index.js';
import type { StreamInfo } from './fmp4.js';
import { LivePull, type LiveState, type PullSettings } from './pull.js';
import { streamSource, type LiveProfile } from './source.js';
import type { ViewerSink } from './viewer.js';

export type { LiveProfile, LiveState };

/** What a viewer's text messages say (docs/api.md, LiveViewStatus). */
export interface LiveStatus {
  state: LiveState;
  camera: string;
  profile: LiveProfile;
  /** RFC 6381 codec string for MediaSource.addSourceBuffer, e.g. avc1.64001f; null until live. */
  codec: string | null;
  width: number | null;
  height: number | null;
  /** Why it is lost, coded for readers to translate (common/i18n/reasons.ts, `live.*`); empty otherwise. */
  reasons: Reason[];
  /** The same in English; null when not lost. */
  reason: string | null;
}

export interface LiveVideoSettings extends PullSettings {
  lingerSec: number;
  maxPulls: number;
}

export interface LiveVideoDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  ffmpegPath: string;
  settings: LiveVideoSettings;
  /** ONVIF request timeout, for asking a camera its sub stream's address. */
  onvifTimeoutMs: number;
}

interface Channel {
  camera: string;
  profile: LiveProfile;
  pull: LivePull;
  viewers: Set<ViewerSink>;
  status: LiveStatus;
  init: Buffer | null;
  linger: TimerHandle | null;
  /** The camera's address and credentials when the pull was opened. */
  connection: string;
}

export interface ChannelInfo {
  camera: string;
  profile: LiveProfile;
  state: LiveState;
  viewers: number;
}

export class LiveVideo {
  private readonly channels = new Map<string, Channel>();
  /** Counters for /metrics (hub/video/metrics.ts). */
  readonly counts = { pullsStarted: 0, bytes: new Map<string, number>(), dropped: 0 };

  constructor(private readonly deps: LiveVideoDeps) {}

  /** Whether a viewer of this camera and profile can be served: its pull runs, or one more may open. */
  canWatch(camera: string, profile: LiveProfile): boolean {
    return this.channels.has(`${camera}|${profile}`) || this.channels.size < this.deps.settings.maxPulls;
  }

  /** Adds a viewer; returns the function that removes it, or null when `maxPulls` are open already. */
  watch(camera: string, profile: LiveProfile, sink: ViewerSink): (() => void) | null {
    const key = `${camera}|${profile}`;
    let ch = this.channels.get(key);
    if (!ch && this.channels.size >= this.deps.settings.maxPulls) return null;
    if (!ch) ch = this.open(camera, profile, key);
    ch.linger?.cancel();
    ch.linger = null;
    ch.viewers.add(sink);
    sink.status(ch.status);
    if (ch.status.state === 'live' && ch.init) sink.init(ch.init);
    const channel = ch;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      channel.viewers.delete(sink);
      if (channel.viewers.size === 0 && this.channels.get(key) === channel) {
        channel.linger = this.deps.clock.setTimeout(() => this.close(key), this.deps.settings.lingerSec * 1000);
      }
    };
  }

  list(): ChannelInfo[] {
    return [...this.channels.values()].map((c) => ({ camera: c.camera, profile: c.profile, state: c.status.state, viewers: c.viewers.size }));
  }

  /** A removed camera's viewers are told and its pulls end at once. */
  forget(camera: string): void {
    const why = coded('live.removed');
    for (const [key, ch] of this.channels) {
      if (ch.camera !== camera) continue;
      this.tell(ch, { state: 'lost', reasons: [why], reason: english(why), codec: null, width: null, height: null });
      for (const v of ch.viewers) v.end(english(why));
      this.close(key);
    }
  }

  stop(): void {
    for (const key of [...this.channels.keys()]) this.close(key);
  }

  private open(camera: string, profile: LiveProfile, key: string): Channel {
    const { store, clock, ffmpegPath, settings, onvifTimeoutMs } = this.deps;
    const logger = this.deps.logger.child({ cameraId: camera, profile });
    const status: LiveStatus = { state: 'connecting', camera, profile, codec: null, width: null, height: null, reasons: [], reason: null };
    let connection = '';
    try {
      const conn = store.cameras.connection(camera);
      if (conn) connection = connectionKey(conn);
    } catch {
      // undecryptable: the pull's source says so, and current() is false
    }
    const ch: Channel = { camera, profile, viewers: new Set(), status, init: null, linger: null, connection, pull: undefined as unknown as LivePull };
    const bytesKey = key;
    ch.pull = new LivePull(
      { ffmpegPath, clock, logger, settings, source: () => streamSource({ store, clock, timeoutMs: onvifTimeoutMs }, camera, profile) },
      {
        state: (state, reason) => {
          if (state === 'lost') ch.init = null;
          const why = { reasons: reason ? [reason] : [], reason: reason ? english(reason) : null };
          this.tell(ch, { state, ...why, ...(state === 'live' ? {} : { codec: null, width: null, height: null }) });
          if (state === 'live') logger.info({ codec: ch.status.codec, width: ch.status.width, height: ch.status.height }, 'live pull is live');
        },
        init: (data: Buffer, info: StreamInfo) => {
          ch.init = data;
          ch.status = { ...ch.status, codec: info.codec, width: info.width, height: info.height };
          this.addBytes(bytesKey, data.length);
        },
        fragment: (data) => {
          // A camera removed (or its password changed) while watched: its viewers must not go on
          // seeing it through a pull made with what was configured before.
          if (!this.current(ch)) return this.forget(camera);
          this.addBytes(bytesKey, data.length);
          for (const v of ch.viewers) v.fragment(data);
        },
      },
    );
    this.channels.set(key, ch);
    this.counts.pullsStarted++;
    logger.info('live pull opened');
    ch.pull.start();
    return ch;
  }

  /** A new status to every viewer; on "live" the init segment follows it. */
  private tell(ch: Channel, change: Partial<LiveStatus>): void {
    ch.status = { ...ch.status, ...change };
    for (const v of ch.viewers) {
      v.status(ch.status);
      if (ch.status.state === 'live' && ch.init) v.init(ch.init);
    }
  }

  /** The camera is still configured as when the pull started (same address and credentials). */
  private current(ch: Channel): boolean {
    try {
      const conn = this.deps.store.cameras.connection(ch.camera);
      return conn !== undefined && connectionKey(conn) === ch.connection;
    } catch {
      return false; // its password can no longer be read
    }
  }

  private addBytes(key: string, n: number): void {
    this.counts.bytes.set(key, (this.counts.bytes.get(key) ?? 0) + n);
  }

  private close(key: string): void {
    const ch = this.channels.get(key);
    if (!ch) return;
    ch.linger?.cancel();
    ch.pull.stop();
    this.channels.delete(key);
    this.deps.logger.info({ cameraId: ch.camera, profile: ch.profile }, 'live pull closed');
  }
}

const connectionKey = (c: CameraConnection): string => JSON.stringify([c.host, c.port, c.path, c.user, c.password]);

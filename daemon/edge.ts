// EdgeDaemon: the whole loa-edge process as one object, wired top to bottom like the box itself:
// state file → command gate → media cache → player → playback → commands → offline operation
// (plan, prefetch, playing the plan while the hub is unreachable, play log) → MQTT link → clock
// sync → health. Playback and the command gate go by hub time (box clock + the offset ClockSync
// measures), so items start together and expiry means the same on every box.
// main.ts runs it as a process; tests and the demo can run it in-process with their own clock,
// logger, hardware probe and randomness.
import type { Clock } from '../common/clock.js';
import { systemClock } from '../common/clock.js';
import { locateFfmpeg } from '../common/ffmpeg.js';
import type { Logger } from '../common/logger.js';
import { CommandGate, HubMessageCheck, PROTOCOL_VERSION, type ReportedState } from '../protocol/index.js';
import { AckSender } from './ack-sender.js';
import { ClockSync } from './clock/sync.js';
import { CommandHandler } from './commands.js';
import { readCa, readSecret, type EdgeConfig } from './config.js';
import { DeviceStateFile } from './device-state.js';
import { mixerFromConfig, type Mixer } from './hardware/index.js';
import { HealthReporter, systemProbe, type HardwareProbe } from './hardware/health.js';
import { EdgeLink } from './link.js';
import { MediaCache } from './cache/media-cache.js';
import { OfflineOperation } from './offline/mode.js';
import { PlayingFile } from './playback/resume.js';
import { Playback } from './playback/playback.js';
import { FfmpegPlayer, type Player } from './playback/player.js';
import { PlayerPids } from './playback/leftovers.js';
import { measureStartupLatency, StartMeter } from './clock/start-error.js';
import { LinkWatch, type Liveness } from './systemd.js';
import { EDGE_AGENT } from './version.js';

export interface EdgeDaemonOptions {
  config: EdgeConfig;
  logger: Logger;
  /** The box's own clock (not necessarily right: hub time comes from clock sync). */
  clock?: Clock;
  hardware?: HardwareProbe;
  /** Uniform in [0, 1), for reconnect jitter. */
  random?: () => number;
  /** Replaces the ffmpeg player (the simulator, or a test of the wiring). */
  player?: Player;
  /** Replaces the mixer the config describes (tests: a fake); null for none. */
  mixer?: Mixer | null;
  agent?: string;
}

export class EdgeDaemon {
  private readonly config: EdgeConfig;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly agent: string;
  private stateFile: DeviceStateFile | null = null;
  private gate: CommandGate | null = null;
  private playback: Playback | null = null;
  private commands: CommandHandler | null = null;
  private link: EdgeLink | null = null;
  private health: HealthReporter | null = null;
  private sync: ClockSync | null = null;
  private linkWatch: LinkWatch | null = null;
  private media: MediaCache | null = null;
  private offlineOp: OfflineOperation | null = null;
  private playing: PlayingFile | null = null;
  private stopped: Promise<void> | null = null;

  constructor(private readonly opts: EdgeDaemonOptions) {
    this.config = opts.config;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger;
    this.agent = opts.agent ?? EDGE_AGENT;
  }

  /** The box's idea of hub time (offset, round trip, samples), e.g. for the health report. */
  get clockSync(): ClockSync | null {
    return this.sync;
  }

  /** The plan, the play log and the offline player (tests look inside). */
  get offline(): OfflineOperation | null {
    return this.offlineOp;
  }

  /** The media cache (its state() is the health report's `cache` part). */
  get cache(): MediaCache | null {
    return this.media;
  }

  async start(): Promise<void> {
    const { config, clock, log } = this;
    const secret = readSecret(config);
    const check = new HubMessageCheck(config.hubKeys, config.insecureAcceptUnsigned);
    if (check.acceptUnsigned) {
      log.warn(
        'insecureAcceptUnsigned is set: this box obeys commands from anyone who can reach its MQTT topics, not only the hub. Set hubKeys instead ' +
          '(docs/install.md).',
      );
    }
    const ca = config.hub.caFile ? readCa(config.hub.caFile) : undefined;
    if (config.hub.allowPlaintext && (/^mqtt:/.test(config.hub.mqttUrl) || /^http:/.test(config.hub.httpUrl))) {
      log.warn(
        { mqttUrl: config.hub.mqttUrl, httpUrl: config.hub.httpUrl },
        'plain text to the hub (hub.allowPlaintext): the cluster secret and commands cross the network readable',
      );
    }
    const stateFile = new DeviceStateFile(config.dataDir, log.child({ module: 'state' }));
    this.stateFile = stateFile;
    this.gate = new CommandGate(stateFile.value.lastSeq);
    const sync = new ClockSync({
      clock,
      logger: log.child({ module: 'clock' }),
      send: (req) => this.link?.publish('timereq', req, { qos: 0 }),
      random: this.opts.random ?? Math.random,
    });
    this.sync = sync;
    const hubClock = sync.hubClock;
    const ffmpegPath = this.opts.player ? null : locateFfmpeg({ configPath: config.ffmpeg.path });
    // An ffmpeg a killed daemon left playing goes before anything else plays.
    const pids = ffmpegPath ? new PlayerPids(config.dataDir, log.child({ module: 'player' })) : undefined;
    await pids?.killLeftovers();
    const player = this.opts.player ?? (await this.ffmpegPlayer(ffmpegPath!, pids));
    const playing = new PlayingFile(config.dataDir, log.child({ module: 'state' }));
    this.playing = playing;
    const link = new EdgeLink({
      clusterId: config.clusterId,
      secret,
      mqttUrl: config.hub.mqttUrl,
      caFile: config.hub.caFile,
      keepaliveSec: config.keepaliveSec,
      reconnect: config.reconnect,
      clock,
      logger: log.child({ module: 'link' }),
      random: this.opts.random ?? Math.random,
      agent: this.agent,
      check,
    });
    this.link = link;
    const starts = new StartMeter({ player, hubClock, boxClock: clock, logger: log.child({ module: 'playback' }) });
    const media = new MediaCache({
      dataDir: config.dataDir,
      hubHttpUrl: config.hub.httpUrl,
      clusterId: config.clusterId,
      secret,
      ca,
      logger: log.child({ module: 'media' }),
      maxBytes: config.cache.maxBytes,
      // Deadlines come from plays and plans, which are in hub time.
      clock: hubClock,
      random: this.opts.random ?? Math.random,
    });
    this.media = media;
    // Items the box plays from its plan while offline are not acked: they go to its play log.
    const ack = new AckSender({ link, clock, logger: log, starts, keepBack: (a) => this.offlineOp?.handleAck(a) === true }).send;
    let lastPlayerState = 'idle';
    const onChange = () => {
      this.publishState();
      // A failed item (e.g. no sound card) is a health error: tell the hub now, not in 30 s.
      const playerState = this.playback?.playerState ?? 'idle';
      if (playerState === 'error' && lastPlayerState !== 'error') void this.health?.report();
      lastPlayerState = playerState;
    };
    const mixer = this.opts.mixer !== undefined ? this.opts.mixer : mixerFromConfig(config, log.child({ module: 'mixer' }));
    this.playback = new Playback({
      player: starts.player,
      media,
      clock: hubClock,
      logger: log.child({ module: 'playback' }),
      ack,
      volume: () => stateFile.value.volume,
      onChange,
      mixer,
      maxFailures: config.player.maxFailures,
      stream: { hubHttpUrl: config.hub.httpUrl, clusterId: config.clusterId, secret, caFile: config.hub.caFile, ffmpegPath: ffmpegPath?.path },
      playing,
      startupLeadMs: () => starts.latencyMs,
    });
    await this.playback.init();
    this.commands = new CommandHandler({
      clock: hubClock,
      logger: log.child({ module: 'commands' }),
      gate: this.gate,
      check,
      stateFile,
      playback: this.playback,
      ack,
      onChange,
      hubHttpUrl: config.hub.httpUrl,
      startMeter: starts,
    });
    const playback = this.playback;
    const offline = new OfflineOperation({
      dataDir: config.dataDir,
      hubClock,
      boxClock: clock,
      logger: log,
      cache: media,
      playback,
      onHand: (item) => starts.noteOffset(item.broadcastId, item.offsetMs),
    });
    this.offlineOp = offline;
    this.health = new HealthReporter({
      probe: this.opts.hardware ?? systemProbe(),
      clock,
      logger: log.child({ module: 'health' }),
      intervalSec: config.healthIntervalSec,
      dataDir: config.dataDir,
      agent: this.agent,
      status: () => ({ player: playback.playerState, lastError: playback.lastError }),
      publish: (h) => {
        // The optional `clock` part: the box's offset to the hub, once it has one.
        const clockPart = sync.healthPart();
        this.link?.publish('health', { ...h, cache: media.state(), ...(clockPart ? { clock: clockPart } : {}) }, { qos: 0 });
      },
    });
    // Offline for a while is normal; silent for longer than a reconnect attempt can take is not.
    this.linkWatch = new LinkWatch(link, clock, config.reconnect.maxMs + 45_000);
    const commands = this.commands;
    link.on('command', (payload, topic) => commands.handle(payload, topic));
    // The first request leaves before presence says "online", so its answer is in before any
    // command the hub sends on seeing us: a box far off does not refuse it as expired.
    link.on('subscribed', () => sync.connected());
    link.on('time', (payload) => sync.handleResponse(payload));
    link.on('disconnected', () => sync.disconnected());
    // State after presence, as the protocol orders it: the hub takes the first state after a box's
    // presence says online for what the box has seen (lastSeq), and resends a play it lost.
    link.on('online', () => this.publishState());
    link.on('connected', () => void this.health?.report());
    offline.attach(link);
    // The hub's item a killed daemon was playing goes on where the broadcast is now.
    const left = playing.take();
    if (left) playback.resume(left);
    this.health.start();
    link.start();
    // In the background: it takes half a second, and right at start-up the box is busiest.
    if (ffmpegPath) void this.measureLatency(ffmpegPath.path, starts);
    log.info({ clusterId: config.clusterId, dataDir: config.dataDir, sink: config.sink.type, agent: this.agent }, 'loa-edge started');
  }

  /** For the systemd watchdog: is the daemon doing its job (see daemon/systemd.ts)? */
  liveness(): Liveness {
    return this.linkWatch?.check() ?? { ok: false, why: 'not started' };
  }

  /** Stops playback (ack stopped/shutdown), says goodbye to the hub and disconnects. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async shutdown(): Promise<void> {
    this.log.info('loa-edge stopping');
    this.health?.stop();
    this.sync?.stop();
    this.offlineOp?.stop();
    await this.commands?.close();
    await this.playback?.shutdown();
    // Stopped on purpose (acked stopped/shutdown): the next start must not join the item again.
    await this.playing?.flushed();
    // An item played offline and stopped just now is in the play log before the process goes.
    await this.offlineOp?.flushed();
    this.media?.close();
    await this.link?.stop({ goodbye: true });
    this.log.info('loa-edge stopped');
  }

  private async ffmpegPlayer(found: ReturnType<typeof locateFfmpeg>, pids: PlayerPids | undefined): Promise<FfmpegPlayer> {
    this.log.info({ path: found.path, source: found.source }, 'using ffmpeg');
    if (found.warning) this.log.warn({ path: found.path }, found.warning);
    const player = new FfmpegPlayer({
      ffmpegPath: found.path,
      sink: this.config.sink,
      logger: this.log.child({ module: 'player' }),
      stallMs: this.config.player.stallSec * 1000,
      ...(pids ? { pids } : {}),
    });
    await player.warmUp();
    return player;
  }

  /** Measured once: how long from spawning ffmpeg to its first sample. Items are started that
   *  much before their startAt (Playback's startup lead), and start errors count it. */
  private async measureLatency(ffmpegPath: string, starts: StartMeter): Promise<void> {
    try {
      starts.latencyMs = await measureStartupLatency(ffmpegPath);
      if (!this.stopped) this.log.info({ startupLatencyMs: starts.latencyMs }, 'ffmpeg startup latency');
    } catch (e) {
      this.log.warn({ err: String(e) }, 'could not measure ffmpeg startup latency; start errors leave it out');
    }
  }

  private publishState(): void {
    if (!this.stateFile || !this.gate || !this.playback) return;
    const state: ReportedState = {
      v: PROTOCOL_VERSION,
      at: this.clock.now(),
      playing: this.playback.playing,
      volume: this.stateFile.value.volume,
      lastSeq: this.gate.highestSeq,
    };
    this.link?.publish('state', state, { qos: 1, retain: true });
  }
}

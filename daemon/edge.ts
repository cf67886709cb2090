// EdgeDaemon: the whole loa-edge process as one object, wired top to bottom like the box itself:
// state file → command gate → media cache → player → playback → commands → MQTT link → health.
// main.ts runs it as a process; tests and the demo can run it in-process with their own clock,
// logger, hardware probe and randomness.
import type { Clock } from '../common/clock.js';
import { systemClock } from '../common/clock.js';
import { locateFfmpeg } from '../common/ffmpeg.js';
import type { Logger } from '../common/logger.js';
import { ackSchema, CommandGate, PROTOCOL_VERSION, type ReportedState } from '../protocol/index.js';
import { CommandHandler } from './commands.js';
import { readSecret, type EdgeConfig } from './config.js';
import { DeviceStateFile } from './device-state.js';
import { HealthReporter, systemProbe, type HardwareProbe } from './health.js';
import { EdgeLink } from './link.js';
import { MediaCache } from './media-cache.js';
import { Playback, type AckInput } from './playback.js';
import { FfmpegPlayer, type Player } from './player.js';
import { EDGE_AGENT } from './version.js';

export interface EdgeDaemonOptions {
  config: EdgeConfig;
  logger: Logger;
  clock?: Clock;
  hardware?: HardwareProbe;
  /** Uniform in [0, 1), for reconnect jitter. */
  random?: () => number;
  /** Replaces the ffmpeg player (the simulator, or a test of the wiring). */
  player?: Player;
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
  private stopped: Promise<void> | null = null;

  constructor(private readonly opts: EdgeDaemonOptions) {
    this.config = opts.config;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger;
    this.agent = opts.agent ?? EDGE_AGENT;
  }

  async start(): Promise<void> {
    const { config, clock, log } = this;
    const secret = readSecret(config);
    const stateFile = new DeviceStateFile(config.dataDir, log.child({ module: 'state' }));
    this.stateFile = stateFile;
    this.gate = new CommandGate(stateFile.value.lastSeq);
    const player = this.opts.player ?? (await this.ffmpegPlayer());
    const media = new MediaCache({
      dataDir: config.dataDir,
      hubHttpUrl: config.hub.httpUrl,
      clusterId: config.clusterId,
      secret,
      logger: log.child({ module: 'media' }),
    });
    const ack = (a: AckInput) => this.sendAck(a);
    const onChange = () => this.publishState();
    this.playback = new Playback({ player, media, clock, logger: log.child({ module: 'playback' }), ack, volume: () => stateFile.value.volume, onChange });
    this.commands = new CommandHandler({ clock, logger: log.child({ module: 'commands' }), gate: this.gate, stateFile, playback: this.playback, ack, onChange });
    const playback = this.playback;
    this.health = new HealthReporter({
      probe: this.opts.hardware ?? systemProbe(),
      clock,
      logger: log.child({ module: 'health' }),
      intervalSec: config.healthIntervalSec,
      dataDir: config.dataDir,
      agent: this.agent,
      status: () => ({ player: playback.playerState, lastError: playback.lastError }),
      publish: (h) => this.link?.publish('health', h, { qos: 0 }),
    });
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
    });
    this.link = link;
    const commands = this.commands;
    link.on('command', (payload, topic) => commands.handle(payload, topic));
    link.on('connected', () => {
      this.publishState();
      void this.health?.report();
    });
    this.health.start();
    link.start();
    log.info({ clusterId: config.clusterId, dataDir: config.dataDir, sink: config.sink.type, agent: this.agent }, 'loa-edge started');
  }

  /** Stops playback (ack stopped/shutdown), says goodbye to the hub and disconnects. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async shutdown(): Promise<void> {
    this.log.info('loa-edge stopping');
    this.health?.stop();
    await this.commands?.close();
    await this.playback?.shutdown();
    await this.link?.stop({ goodbye: true });
    this.log.info('loa-edge stopped');
  }

  private async ffmpegPlayer(): Promise<FfmpegPlayer> {
    const found = locateFfmpeg({ configPath: this.config.ffmpeg.path });
    this.log.info({ path: found.path, source: found.source }, 'using ffmpeg');
    const player = new FfmpegPlayer({ ffmpegPath: found.path, sink: this.config.sink, logger: this.log.child({ module: 'player' }) });
    await player.warmUp();
    return player;
  }

  private sendAck(a: AckInput): void {
    const ack = ackSchema.safeParse({ v: PROTOCOL_VERSION, at: this.clock.now(), ...a });
    // Our own bug, not the hub's: log it rather than send something the hub must drop.
    if (!ack.success) {
      this.log.error({ ack: a, issues: ack.error.issues.slice(0, 3) }, 'built an invalid ack; not sent');
      return;
    }
    this.log.debug({ ack: ack.data }, 'ack');
    this.link?.publish('ack', ack.data, { qos: 1 });
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

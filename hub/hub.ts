// The hub: a composition of modules wired top to bottom like the system diagram in README.md.
//   store ─ broker ─ device listener ─ broadcast ledger ─ scheduler ─ dispatcher ─ media ─ alarms ─ cameras ─ HTTP API
// Each has start()/stop(); they talk through the event bus or the narrow handles passed here.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { containedClock, systemClock, type Clock } from '../common/clock.js';
import { locateFfmpeg, type FfmpegLocation } from '../common/ffmpeg.js';
import { createLogger, type Logger } from '../common/logger.js';
import { AlarmService } from './alarms/service.js';
import { ensureChime } from './announce/audio.js';
import { AnnounceService } from './announce/service.js';
import { LiveService } from './live/service.js';
import { Broker, type HubMqtt } from './broker/broker.js';
import { ExternalBroker, hubBrokerPassword } from './broker/external.js';
import { MosquittoFiles } from './broker/mosquitto-files.js';
import { ClusterLogin } from './broker/cluster-login.js';
import { loadSecretKey } from './broker/secret-key.js';
import { SecretVerifier } from './broker/secrets.js';
import { loadSigningKey, nextPublicKey, type SigningKey } from './signing/key-file.js';
import { SignedMqtt } from './signing/signed-mqtt.js';
import { loadCamerasFile } from './cameras/file.js';
import { CameraModule } from './cameras/service.js';
import { ClusterService } from './clusters/service.js';
import { hubConfigSchema, type HubConfig, type HubConfigInput } from './config.js';
import { DeviceListener } from './devices/listener.js';
import { DeviceLogLimit } from './broker/log-limit.js';
import { BroadcastLedger } from './broadcasts/ledger.js';
import { Returns } from './broadcasts/returns.js';
import { Dispatcher } from './dispatcher/dispatcher.js';
import { StreamDispatch } from './dispatcher/streams.js';
import { TimeService } from './devices/time-service.js';
import { PlanPublisher } from './scheduler/box-plans/publisher.js';
import { PlayLogMerger } from './scheduler/box-plans/playlog.js';
import { SchedulerCron } from './scheduler/cron.js';
import { Scheduler } from './scheduler/scheduler.js';
import { broadcastIdFor } from './scheduler/wanted.js';
import { ScheduleService } from './scheduler/service.js';
import { EventBus } from './events.js';
import { buildApp } from './http/app.js';
import { newTokenSecret } from './http/routes/tokens.js';
import type { MediaService } from './media/types.js';
import { createMediaService } from './media/service.js';
import { createMetrics } from './metrics.js';
import { registerLiveMetrics } from './video/metrics.js';
import { LiveVideo } from './video/service.js';
import { createTtsProvider, type TtsProvider } from './tts/index.js';
import { openStore, type Store } from './store/index.js';
import { loadHubTls, type HubTls } from './tls/pki.js';
import { provisioningFor } from './tls/provisioning.js';
import { CertificateRenewal } from './tls/renewal.js';
import type { Server as TlsServer } from 'node:tls';
import { VERSION } from '../common/version.js';
import { asPriority, priorityRank } from './schedule/model.js';

export interface HubOptions {
  config?: HubConfig | HubConfigInput;
  clock?: Clock;
  logger?: Logger;
  /** node-cron's once-a-minute safety net; tests that drive a simulated clock turn it off. */
  cron?: boolean;
  /** Listening sockets handed over by systemd (hub/broker/socket-activation.ts); loa-hub passes its own. */
  listeners?: ReadonlyMap<string, number>;
}

export interface HubAddresses {
  /** Plain MQTT, null unless mqtt.plain. */
  mqttPort: number | null;
  mqttsPort: number | null;
  httpPort: number;
  httpUrl: string;
  /** Where boxes connect: mqtts:// (or the external broker's URL). */
  mqttUrl: string;
  /** The CA certificate (PEM file) that boxes pin and the CLI trusts. */
  caFile: string;
}

/** The broker module: embedded aedes or a client of an external broker (broker.mode). */
export type HubBroker = HubMqtt & {
  start(): Promise<void>;
  stop(opts?: { exiting?: boolean }): Promise<void>;
  readonly ports: { mqtt: number | null; mqtts: number | null };
};

export const OPERATOR_TOKEN_FILE = 'operator.token';
export const HUB_INFO_FILE = 'hub.json';

export class Hub {
  readonly config: HubConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly bus: EventBus;
  store!: Store;
  broker!: HubBroker;
  /** The broker as the modules publish through it: hub-to-box messages leave signed. */
  signedMqtt!: HubMqtt;
  /** The key the hub signs with (its public half is what boxes list in `hubKeys`). */
  signingKey!: SigningKey;
  /** The Mosquitto files the hub keeps (external mode with broker.mosquitto), else null. */
  brokerFiles: MosquittoFiles | null = null;
  devices!: DeviceListener;
  /** The broadcast ledger (the one place a play is sent) and its producers. */
  ledger!: BroadcastLedger;
  returns!: Returns;
  streams!: StreamDispatch;
  dispatcher!: Dispatcher;
  clusters!: ClusterService;
  app!: FastifyInstance;
  /** Boxes' logins (MQTT and HTTP Basic); stopped first so held refusals do not delay the stop. */
  private clusterLogin!: ClusterLogin;
  ffmpeg!: FfmpegLocation;
  addresses!: HubAddresses;
  schedules!: ScheduleService;
  time!: TimeService;
  plans!: PlanPublisher;
  playlog!: PlayLogMerger;
  scheduler!: Scheduler;
  alarms!: AlarmService;
  cameras!: CameraModule;
  cameraLive!: LiveVideo;
  announce!: AnnounceService;
  live!: LiveService;
  media!: MediaService;
  /** The certificate MQTT over TLS and HTTPS serve, and the CA boxes pin (hub/tls/pki.ts). */
  tls!: HubTls;
  private renewal: CertificateRenewal | null = null;
  private cron: SchedulerCron | null = null;
  private readonly useCron: boolean;
  private readonly listeners: ReadonlyMap<string, number>;
  private started = false;

  constructor(opts: HubOptions = {}) {
    this.useCron = opts.cron ?? true;
    this.listeners = opts.listeners ?? new Map();
    this.config = hubConfigSchema.parse(opts.config ?? {});
    this.logger = opts.logger ?? createLogger({ name: 'loa-hub', level: this.config.log.level });
    // Nothing a timer or a listener throws may stop the hub (issue 14, item 1): logged instead.
    this.clock = containedClock(opts.clock ?? systemClock, (err) => this.logger.error({ err }, 'a timer failed; the hub goes on'));
    this.bus = new EventBus(this.logger.child({ module: 'events' }));
  }

  get dataDir(): string {
    return resolve(this.config.dataDir);
  }

  /** What a box is to list in `hubKeys`: the signing key, and the next one during a rotation. */
  hubKeys(): string[] {
    let next: string | null = null;
    try {
      next = nextPublicKey(this.dataDir, this.logger);
    } catch (err) {
      this.logger.warn({ err }, 'the next signing key cannot be read; showing only the current one');
    }
    return [this.signingKey.publicKey, ...(next && next !== this.signingKey.publicKey ? [next] : [])];
  }

  async start(): Promise<HubAddresses> {
    const { config, clock, logger, bus } = this;
    const startedAt = clock.now();
    // Read before anything starts, so a bad line stops the hub with file:line and nothing to undo.
    const fileCameras = config.cameras.file ? loadCamerasFile(resolve(config.cameras.file)) : null;
    mkdirSync(this.dataDir, { recursive: true });
    this.ffmpeg = locateFfmpeg({ configPath: config.ffmpeg.path });
    logger.info({ ffmpeg: this.ffmpeg.path, source: this.ffmpeg.source }, `using ffmpeg from ${this.ffmpeg.source}`);
    if (this.ffmpeg.warning) logger.warn({ ffmpeg: this.ffmpeg.path }, this.ffmpeg.warning);

    // External broker: the hub's own password is read now, so a missing file stops the hub before anything opens.
    const external = config.broker.mode === 'external';
    const brokerPassword = external ? hubBrokerPassword(config.broker) : '';
    // Before the store opens: a damaged key stops the hub with nothing to undo.
    this.signingKey = loadSigningKey(this.dataDir, logger.child({ module: 'signing' }));
    // Before the store opens: no openssl (or an unreadable tls.cert) stops the hub with nothing to undo.
    this.tls = await loadHubTls({ dataDir: this.dataDir, settings: config.tls, clock, logger: logger.child({ module: 'tls' }) });
    this.store = openStore(this.dataDir, clock, { health: config.health });
    const verifier = new SecretVerifier({
      key: loadSecretKey(this.dataDir, logger),
      lookup: (id) => this.store.clusters.secretHash(id),
      restore: (id, from, to) => this.store.clusters.replaceSecretHash(id, from, to),
      logger: logger.child({ module: 'secrets' }),
    });
    // What one box's messages may write to the log, per cluster (issue 14, item 11).
    const deviceLog = new DeviceLogLimit({ clock, bus });
    // Shared by the broker and the HTTP Basic routes: one count of failures per address and id.
    const clusterLogin = new ClusterLogin({ verifier, clock, logger: logger.child({ module: 'login' }), auth: config.mqtt.auth });
    this.clusterLogin = clusterLogin;
    this.broker = external
      ? new ExternalBroker({
          config: config.broker,
          logger: logger.child({ module: 'broker' }),
          clock,
          // Mosquitto re-reads its files a moment after the signal: the hub's first login may race it.
          ...(config.broker.mosquitto?.reload ? { retryForMs: 3000 } : {}),
        })
      : new Broker({
          config: config.mqtt,
          tls: this.tls,
          login: clusterLogin,
          clock,
          logger: logger.child({ module: 'broker' }),
          deviceLog,
          onDeviceConnection: (id, up, reason) => this.devices.onConnection(id, up, reason),
          listeners: this.listeners,
        });
    if (external && config.broker.mosquitto) {
      this.brokerFiles = new MosquittoFiles({
        settings: config.broker.mosquitto,
        hubUser: config.broker.username,
        hubPassword: brokerPassword,
        clusters: () => this.store.clusters.mosquittoHashes(),
        logger: logger.child({ module: 'broker-files' }),
      });
    }
    const signed = new SignedMqtt(this.broker, this.signingKey.privateKey);
    this.signedMqtt = signed;
    this.devices = new DeviceListener({ mqtt: this.broker, store: this.store, bus, clock, logger: logger.child({ module: 'devices' }), deviceLog });
    // The URL (relative to the hub's HTTP root) a box fetches a media file from: plays and plans.
    const mediaUrl = (id: string): string => `/api/v1/media/${id}/content`;
    // The one place a play is sent; ad-hoc dispatch, the scheduler and live streams produce on it.
    const ledger = new BroadcastLedger({
      store: this.store,
      mqtt: signed,
      bus,
      clock,
      logger: logger.child({ module: 'broadcasts' }),
      deviceLog,
      config: config.dispatch,
      mediaUrl,
    });
    this.ledger = ledger;
    this.streams = new StreamDispatch({
      store: this.store,
      ledger,
      mqtt: signed,
      bus,
      clock,
      logger: logger.child({ module: 'dispatcher' }),
      config: config.dispatch,
    });
    this.clusters = new ClusterService({
      store: this.store,
      mqtt: this.broker,
      verifier,
      bus,
      clock,
      logger: logger.child({ module: 'clusters' }),
      ...(this.brokerFiles ? { brokerFiles: this.brokerFiles } : {}),
    });
    // Media, announcements and live streams come before the schedule service and the scheduler,
    // which use them from the start (`tts:` items, `relay:` items); what they call back into is
    // reached through closures, used only once the hub runs.
    const media = createMediaService({
      dataDir: this.dataDir,
      store: this.store,
      ffmpegPath: this.ffmpeg.path,
      settings: config.media,
      clock,
      logger: logger.child({ module: 'media' }),
      programmesUsing: (m) => schedules.programmesUsing(m),
      stopBroadcasts: async (ids) => (await Promise.all(ids.map((broadcastId) => dispatcher.stopBroadcasts({ broadcastId })))).flat(),
      onChange: (mediaId, removed) => bus.emit('mediaChanged', { mediaId, removed }),
    });
    this.media = media;
    // A replaced item's file is kept while a broadcast plays it: look again when broadcasts change.
    bus.on(media, 'broadcastChanged', () => void media.releaseHeld());
    let tts: TtsProvider | undefined;
    this.announce = new AnnounceService({
      dataDir: this.dataDir,
      ffmpegPath: this.ffmpeg.path,
      mediaSettings: config.media,
      media,
      tts: () => (tts ??= createTtsProvider(config.tts)),
      defaultVoice: config.tts.voice,
      timezone: config.timezone,
      mediaRow: (id) => this.store.media.get(id),
      clusterIds: () => this.store.clusters.list().map((c) => c.id),
      play: (r) => dispatcher.play(r),
      leadMs: config.dispatch.announceLeadMs,
      startEmergency: (r) => schedules.startEmergency(r),
      clock,
      logger: logger.child({ module: 'announce' }),
    });
    this.live = new LiveService({
      streams: this.streams,
      bus,
      clock,
      logger: logger.child({ module: 'live' }),
      settings: config.live,
      ffmpegPath: this.ffmpeg.path,
      mediaPath: (id) => media.filePath(id),
      allClusterIds: () => this.store.clusters.list().map((c) => c.id),
      chimePath: () => ensureChime(this.ffmpeg.path, join(this.dataDir, 'announce')),
    });
    const schedules = new ScheduleService({
      store: this.store,
      bus,
      clock,
      logger: logger.child({ module: 'schedules' }),
      timezone: config.timezone,
      site: config.site,
      // Schedule `tts:` items are made into speech by the announce service (docs/schedules.md).
      speech: this.announce,
    });
    this.schedules = schedules;
    const scheduler = new Scheduler({
      store: this.store,
      ledger,
      bus,
      clock,
      logger: logger.child({ module: 'scheduler' }),
      devices: this.devices,
      config: {
        leadMs: config.dispatch.leadMs,
        joinLeadMs: config.dispatch.joinLeadMs,
        emergencyLeadMs: config.dispatch.emergencyLeadMs,
        commandTtlMs: config.dispatch.commandTtlMs,
      },
      load: () => schedules.load(),
      relays: this.live,
    });
    this.scheduler = scheduler;
    this.returns = new Returns({
      store: this.store,
      mqtt: signed,
      bus,
      clock,
      logger: logger.child({ module: 'broadcasts' }),
      ledger,
      // A box back online is not sent an ad-hoc broadcast it missed while an emergency (or anything
      // else above it) should be on air there.
      outranked: (clusterId, priority, at) => {
        const w = scheduler.wantedAt(clusterId, at);
        return w !== null && priorityRank(w.priority) > priorityRank(asPriority(priority));
      },
    });
    const dispatcher = new Dispatcher({
      store: this.store,
      ledger,
      returns: this.returns,
      mqtt: signed,
      bus,
      clock,
      logger: logger.child({ module: 'dispatcher' }),
      config: config.dispatch,
    });
    this.dispatcher = dispatcher;
    this.plans = new PlanPublisher({
      store: this.store,
      mqtt: signed,
      bus,
      clock,
      logger: logger.child({ module: 'plans' }),
      timeline: () => this.scheduler.timeline,
      mediaUrl,
    });
    this.playlog = new PlayLogMerger({
      store: this.store,
      mqtt: this.broker,
      bus,
      clock,
      logger: logger.child({ module: 'playlog' }),
      deviceLog,
      // A scheduled item is the cluster's when the plan sent to it held it (its timeline).
      planned: (clusterId, broadcastId, from, until) =>
        this.scheduler.timeline.between(clusterId, from, until).some((e) => broadcastIdFor(e.key) === broadcastId),
    });

    // External mode: the broker learns of every cluster (and the hub's own login) before the hub logs in.
    try {
      if (this.brokerFiles) await this.brokerFiles.update();
      await this.broker.start();
    } catch (err) {
      this.store.close();
      throw err;
    }
    this.time = new TimeService({ mqtt: signed, clock, logger: logger.child({ module: 'time' }), deviceLog });
    await this.time.start();
    await this.devices.start();
    // After the listener: it has marked every cluster offline, and alarms time offline from there.
    this.alarms = new AlarmService({ store: this.store, bus, clock, logger: logger.child({ module: 'alarms' }), config: config.alarms });
    this.alarms.start();
    // After alarms: the cameras raise and clear theirs through it.
    this.cameras = new CameraModule({
      store: this.store,
      alarms: this.alarms,
      bus,
      clock,
      logger: logger.child({ module: 'cameras' }),
      config: config.cameras,
      fileCameras,
    });
    this.cameras.start();
    // Live view pulls a camera only while someone watches; nothing runs until then.
    this.cameraLive = new LiveVideo({
      store: this.store,
      clock,
      logger: logger.child({ module: 'camera-live' }),
      ffmpegPath: this.ffmpeg.path,
      settings: config.cameras.live,
      onvifTimeoutMs: config.cameras.timeoutMs,
    });
    // Live streams live in memory: their rows close before the ledger picks up what the last run left.
    const lost = this.streams.closeAfterRestart();
    this.ledger.start();
    this.returns.start();
    this.dispatcher.start();
    this.scheduler.start();
    this.plans.start();
    await this.playlog.start();
    if (this.useCron) {
      this.cron = new SchedulerCron(config.timezone, () => this.scheduler.reconcile());
      this.cron.start();
    }
    // Relays started by hand that the restart ended go on (their clusters join as they reconnect).
    if (lost.length > 0) void this.live.resumeLost(lost);
    this.app = buildApp(
      {
        config,
        clock,
        store: this.store,
        clusters: this.clusters,
        dispatcher: this.dispatcher,
        devices: this.devices,
        media,
        schedules: this.schedules,
        alarms: this.alarms,
        cameras: this.cameras,
        cameraLive: this.cameraLive,
        clusterLogin,
        hubKeys: () => this.hubKeys(),
        metrics: registerLiveMetrics(createMetrics(this.store, bus, this), this.cameraLive),
        ffmpeg: this.ffmpeg,
        version: VERSION,
        startedAt,
        announce: this.announce,
        live: this.live,
        provisioning: () => provisioningFor(config, { mqtts: this.broker.ports.mqtts, http: this.addresses.httpPort }, this.tls.ca.toString('utf8')),
      },
      logger.child({ module: 'http' }),
      { maxUploadBytes: config.media.maxInputBytes, brokerFiles: this.brokerFiles, ...(config.http.plain ? {} : { https: this.tls }) },
    );
    if (config.http.plain) logger.warn({ port: config.http.port }, 'plain HTTP (http.plain): box secrets, tokens and video cross the network unencrypted');
    await this.app.listen({ port: config.http.port, host: config.http.host });
    const httpPort = (this.app.server.address() as { port: number }).port;
    const local = config.http.host === '0.0.0.0' || config.http.host === '::' ? '127.0.0.1' : config.http.host;
    const mqttHost = config.mqtt.host === '0.0.0.0' || config.mqtt.host === '::' ? '127.0.0.1' : config.mqtt.host;
    // External mode: devices connect to the broker's own address.
    const mqttUrl = external ? config.broker.url!.replace(/\/$/, '') : `mqtts://${mqttHost}:${this.broker.ports.mqtts}`;
    this.addresses = {
      mqttPort: this.broker.ports.mqtt,
      mqttsPort: this.broker.ports.mqtts,
      httpPort,
      httpUrl: config.http.publicUrl ?? `${config.http.plain ? 'http' : 'https'}://${local}:${httpPort}`,
      mqttUrl,
      caFile: this.tls.caFile,
    };
    this.writeLocalAccess();
    this.renewal = new CertificateRenewal({
      dataDir: this.dataDir,
      settings: config.tls,
      clock,
      logger: logger.child({ module: 'tls' }),
      current: () => this.tls,
      install: (tls) => {
        this.tls = tls;
        if (this.broker instanceof Broker) this.broker.useCertificate(tls);
        if (!config.http.plain) (this.app.server as unknown as TlsServer).setSecureContext({ cert: tls.cert, key: tls.key });
      },
    });
    this.renewal.start();
    this.started = true;
    logger.info({ ...this.addresses, dataDir: this.dataDir }, 'hub started');
    return this.addresses;
  }

  /** The CLI on this machine finds the hub and an operator token in the data directory. */
  private writeLocalAccess(): void {
    const tokenFile = join(this.dataDir, OPERATOR_TOKEN_FILE);
    const existing = existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : '';
    if (!existing || !this.store.tokens.findByToken(existing)) {
      const secret = newTokenSecret();
      this.store.tokens.add({
        id: `t-${randomBytes(5).toString('hex')}`,
        name: 'local operator',
        role: 'operator',
        createdAt: this.clock.now(),
        token: secret,
      });
      writeFileSync(tokenFile, `${secret}\n`, { mode: 0o600 });
      chmodSync(tokenFile, 0o600);
      this.logger.info({ file: tokenFile }, 'created an operator token for the local CLI');
    }
    writeFileSync(
      join(this.dataDir, HUB_INFO_FILE),
      `${JSON.stringify({ httpUrl: this.addresses.httpUrl, mqttUrl: this.addresses.mqttUrl, caFile: this.addresses.caFile, pid: process.pid }, null, 2)}\n`,
    );
  }

  /** The operator token the hub wrote for the local CLI. */
  operatorToken(): string {
    return readFileSync(join(this.dataDir, OPERATOR_TOKEN_FILE), 'utf8').trim();
  }

  /** `exiting`: the process ends right after (loa-hub on a signal): device sessions are left for
   *  the kernel to close (Broker.stop). */
  async stop(opts: { exiting?: boolean } = {}): Promise<void> {
    if (!this.started) return;
    this.started = false;
    // How long each part took, in the last line: a slow stop keeps the boxes waiting to reconnect.
    const took: Record<string, number> = {};
    let mark = Date.now();
    const step = async (name: string, work: () => unknown): Promise<void> => {
      await work();
      const now = Date.now();
      took[name] = now - mark;
      mark = now;
    };
    this.renewal?.stop();
    await step('cron', () => this.cron?.stop());
    this.plans.stop();
    this.scheduler.stop();
    this.dispatcher.stop();
    this.returns.stop();
    this.ledger.stop();
    this.devices.stop();
    // Live view's ffmpeg pulls end first; their viewers' sockets close with the HTTP app.
    this.cameraLive?.stop();
    // Before alarms stop (camera alarms go through it) and the store closes; cuts held camera requests.
    await step('cameras', () => this.cameras.stop());
    // Before the HTTP app closes: it releases long-polls waiting for the events feed.
    this.alarms.stop();
    this.bus.removeListeners(this);
    this.bus.removeListeners(this.media);
    // Before the HTTP app closes: live listeners' endless responses end with their streams.
    await step('live', () => this.live.stopAll());
    await step('announce', () => this.announce.stop());
    // Refusals held back (up to 10 s each) are answered now: the HTTP app and broker wait on them.
    this.clusterLogin.stop();
    await step('http', () => this.app.close());
    await step('broker', () => this.broker.stop(opts));
    this.store.close();
    this.logger.info({ tookMs: took }, 'hub stopped');
  }
}

// loa-sim: the simulator's command line. Starts a fleet of virtual speaker clusters from a fleet
// file and/or simulated ONVIF cameras, prints a status line to stderr every few seconds, and stops
// cleanly on SIGTERM/SIGINT.
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { errorMessage } from '../common/errors.js';
import { createLogger } from '../common/logger.js';
import { parseHubKey } from '../protocol/index.js';
import {
  DEFAULT_CAMERA_PASSWORD,
  DEFAULT_CAMERA_PORT,
  DEFAULT_CAMERA_USER,
  DEFAULT_RTSP_PORT,
  defaultVideoCacheDir,
  parseFaultSpec,
  startCameras,
  startControlServer,
  type CameraFarm,
  type CameraFaults,
  type ControlServer,
} from './cameras/index.js';
import { createFleet, DEFAULT_CONNECT_RATE, DEFAULT_KEEPALIVE_S, type Fleet } from './fleet.js';
import { loadFleetFile } from './fleet-file.js';
import { DEFAULT_SETTINGS, parseDelay, type DelaySpec } from './settings.js';

interface SimCliOptions {
  fleet?: string;
  cameras: number;
  cameraPort: number;
  cameraUser: string;
  cameraPassword: string;
  cameraVideo: boolean;
  cameraRtspAuth?: boolean;
  cameraRtspPort: number;
  videoCache: string;
  /** 0-based camera index → faults it starts with. */
  cameraFaults?: Map<number, Partial<CameraFaults>>;
  controlPort?: number;
  mqtt: string;
  hubKey: string[];
  insecureAcceptUnsigned?: boolean;
  ca?: string;
  delay: DelaySpec;
  fetchDelay: DelaySpec;
  clockOffset: number;
  clockSync: boolean;
  failureRate: number;
  healthInterval: number;
  connectRate: number;
  keepalive: number;
  summaryInterval: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

function number(what: string, check: (n: number) => boolean, rule: string) {
  return (text: string): number => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || !check(n)) throw new InvalidArgumentError(`${what} must be ${rule}.`);
    return n;
  };
}

function delay(what: string) {
  return (text: string): DelaySpec => {
    try {
      return parseDelay(text, what);
    } catch (e) {
      throw new InvalidArgumentError(errorMessage(e));
    }
  };
}

function faultSpec(text: string): Map<number, Partial<CameraFaults>> {
  try {
    return parseFaultSpec(text);
  } catch (e) {
    throw new InvalidArgumentError(errorMessage(e));
  }
}

function hubKeyArg(text: string, keys: string[]): string[] {
  try {
    parseHubKey(text);
  } catch (e) {
    throw new InvalidArgumentError(errorMessage(e));
  }
  return [...keys, text];
}

const port = (what: string) => number(what, (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'an integer from 0 to 65535');

const fmtDelay = (d: DelaySpec) => (typeof d === 'number' ? String(d) : `${d.min}-${d.max}`);

function buildProgram(): Command {
  return (
    new Command('loa-sim')
      .description('Simulated Loa speaker clusters: many virtual boxes in one process, each with its own MQTT connection, speaking protocol v1 (no audio).')
      .option(
        '--fleet <file>',
        'YAML, JSON or JSON-lines file listing the clusters as {id, secret} (see docs/simulator.md); required unless --cameras is given',
      )
      .option('--mqtt <url>', "URL of the hub's MQTT broker (mqtt:// is plain text, for a hub with mqtt.plain)", 'mqtts://127.0.0.1:8883')
      .option('--ca <file>', "the hub's CA certificate (its data dir's tls/ca.pem), the only CA trusted for mqtts://; required with mqtts://")
      .option(
        '--hub-key <key>',
        "the hub's public key (ed25519:…, as loa clusters add prints it); the clusters obey only commands it signed; repeat it during a key rotation; " +
          'default: the hubKeys in the fleet file',
        hubKeyArg,
        [],
      )
      .option('--insecure-accept-unsigned', "obey commands without checking the hub's signature (a hub too old to sign)")
      .option('--delay <ms|min-max>', 'simulated network delay per message, fixed or a random range', delay('delay'), DEFAULT_SETTINGS.delayMs)
      .addOption(
        new Option('--fetch-delay <ms|min-max>', 'simulated media download time (first play of a media item)')
          .argParser(delay('fetch delay'))
          .default(DEFAULT_SETTINGS.fetchDelayMs, fmtDelay(DEFAULT_SETTINGS.fetchDelayMs)),
      )
      .option(
        '--clock-offset <ms>',
        "how far each cluster's clock is ahead of the hub (negative: behind)",
        number('clock offset', () => true, 'a number of ms'),
        0,
      )
      .option('--no-clock-sync', 'clusters go by their own clock instead of syncing with the hub (firmware without clock sync)')
      .option(
        '--failure-rate <r>',
        'probability (0..1) that a play fails with player-error',
        number('failure rate', (n) => n >= 0 && n <= 1, 'between 0 and 1'),
        0,
      )
      .option(
        '--health-interval <s>',
        'seconds between health reports of a cluster',
        number('health interval', (n) => n > 0, 'a positive number of seconds'),
        DEFAULT_SETTINGS.healthIntervalMs / 1000,
      )
      .option(
        '--connect-rate <n>',
        'clusters connected per second at start; 0 connects all at once',
        number('connect rate', (n) => n >= 0, 'zero or more'),
        DEFAULT_CONNECT_RATE,
      )
      .option(
        '--keepalive <s>',
        'MQTT keep-alive in seconds',
        number('keepalive', (n) => Number.isInteger(n) && n >= 1 && n <= 65535, 'an integer from 1 to 65535'),
        DEFAULT_KEEPALIVE_S,
      )
      .option(
        '--summary-interval <s>',
        'seconds between status lines on stderr; 0 for none',
        number('summary interval', (n) => n >= 0, 'zero or more'),
        5,
      )
      .addOption(
        new Option('--log-level <level>', 'log level (logs go to stdout as JSON)')
          .choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
          .default('info'),
      )
      // Simulated ONVIF cameras (docs/simulator.md): started beside the fleet, stopped with it.
      .option(
        '--cameras <n>',
        'simulated ONVIF cameras on 127.0.1.1, 127.0.1.2, …',
        number('cameras', (n) => Number.isInteger(n) && n >= 0 && n <= 60_000, 'an integer from 0 to 60000'),
        0,
      )
      .option(
        '--camera-port <port>',
        "HTTP port of every camera (SOAP services and snapshots); 80 is ONVIF's standard and needs root or CAP_NET_BIND_SERVICE; 0 gives each camera a free " +
          'port',
        port('camera port'),
        DEFAULT_CAMERA_PORT,
      )
      .option('--camera-user <user>', 'user name the cameras accept', DEFAULT_CAMERA_USER)
      .option('--camera-password <password>', 'password the cameras accept', DEFAULT_CAMERA_PASSWORD)
      .option('--no-camera-video', "no RTSP video: GetStreamUri names port 554 where nothing listens (a machine without GStreamer's RTSP server)")
      .option(
        '--camera-rtsp-port <port>',
        "RTSP port of every camera (H.264 video, main and sub profile); 554 is RTSP's standard and needs root; 0 gives each camera a free port",
        port('camera RTSP port'),
        DEFAULT_RTSP_PORT,
      )
      .option('--camera-rtsp-auth', 'the RTSP streams ask for --camera-user and --camera-password (HTTP Digest), as real cameras do')
      .addOption(
        new Option('--video-cache <dir>', "where the cameras' pre-encoded video loops are kept and reused").default(
          defaultVideoCacheDir(),
          '$XDG_CACHE_HOME/loa-sim/video or ~/.cache/loa-sim/video',
        ),
      )
      .option(
        '--camera-faults <spec>',
        'faults at start, by camera number from 1: dead, slow=MS, skew=SECONDS, wrong-password (e.g. 2:dead,3:slow=2500,4:skew=90,5:wrong-password)',
        faultSpec,
      )
      .option(
        '--control-port <port>',
        'serve the camera control API (faults, motion, restart; docs/simulator.md) on 127.0.0.1:PORT; 0 picks a free port',
        port('control port'),
      )
      .addHelpText(
        'after',
        '\nExample:\n  loa-sim --fleet fleet.yaml --mqtt mqtts://hub.local:8883 --ca /var/lib/loa-hub/tls/ca.pem --delay 20-150 --failure-rate ' +
          '0.05\n\nSIGTERM or Ctrl-C disconnects every cluster cleanly (offline presence) and exits 0.',
      )
  );
}

function summary(fleet: Fleet | null, cameras: CameraFarm | null): string {
  const dead = cameras?.cameras.filter((c) => c.faults.dead).length ?? 0;
  const cams = cameras ? `, ${cameras.cameras.length} cameras${dead ? ` (${dead} dead)` : ''}` : '';
  if (!fleet) return `loa-sim: no clusters${cams}`;
  const c = fleet.counters;
  return (
    `loa-sim: ${c.connected}/${fleet.clusters.length} connected, ${fleet.playing} playing, ` +
    `${c.commandsReceived} commands, acks ${c.acks.accepted} accepted ${c.acks.started} started ${c.acks.finished} finished ` +
    `${c.acks.stopped} stopped ${c.failures} failed ${c.refused} refused${cams}`
  );
}

async function run(opts: SimCliOptions): Promise<void> {
  if (!opts.fleet && opts.cameras === 0) throw new Error('give --fleet <file>, --cameras <n>, or both.');
  if (opts.cameras === 0 && (opts.cameraFaults || opts.controlPort !== undefined)) throw new Error('--camera-faults and --control-port need --cameras <n>.');
  for (const i of opts.cameraFaults?.keys() ?? []) {
    if (i >= opts.cameras) throw new Error(`--camera-faults names camera ${i + 1}, but there are only ${opts.cameras} (numbered from 1).`);
  }
  if (opts.cameras > 0 && opts.cameraVideo && opts.cameraPort !== 0 && opts.cameraPort === opts.cameraRtspPort)
    throw new Error(`--camera-port and --camera-rtsp-port are both ${opts.cameraPort}: give the cameras' RTSP another port.`);
  const logger = createLogger({ name: 'loa-sim', level: opts.logLevel });
  let cameras: CameraFarm | null = null;
  let control: ControlServer | null = null;
  const clusters = opts.fleet ? loadFleetFile(opts.fleet) : [];
  if (opts.fleet && opts.mqtt.startsWith('mqtts:') && !opts.ca)
    throw new Error("--mqtt is mqtts://: give --ca <file>, the hub's CA certificate (e.g. /var/lib/loa-hub/tls/ca.pem).");
  const ca = opts.ca ? readFileSync(opts.ca) : undefined;
  // Without --hub-key, the keys `loa clusters add --json` put in the fleet file beside each secret.
  const hubKeys = opts.hubKey.length > 0 ? opts.hubKey : [...new Set(clusters.flatMap((c) => c.hubKeys ?? []))];
  const fleet = !opts.fleet
    ? null
    : createFleet({
        mqttUrl: opts.mqtt,
        ca,
        clusters,
        hubKeys,
        insecureAcceptUnsigned: opts.insecureAcceptUnsigned === true,
        logger,
        delayMs: opts.delay,
        fetchDelayMs: opts.fetchDelay,
        clockOffsetMs: opts.clockOffset,
        clockSync: opts.clockSync,
        failureRate: opts.failureRate,
        healthIntervalMs: opts.healthInterval * 1000,
        connectRatePerSec: opts.connectRate,
        keepaliveS: opts.keepalive,
      });

  // A referenced interval also keeps the process alive while every cluster is between retries.
  const ticker = setInterval(
    () => {
      if (opts.summaryInterval > 0) process.stderr.write(`${summary(fleet, cameras)}\n`);
    },
    (opts.summaryInterval || 60) * 1000,
  );

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    clearInterval(ticker);
    // A hub that no longer answers must not keep the process from exiting.
    const deadline = setTimeout(() => finish(1), 10_000);
    // The control server goes first, so nobody restarts a camera while the farm is stopping.
    const stopCameras = async () => {
      await control?.close();
      await cameras?.stop();
    };
    Promise.all([fleet?.stop(), stopCameras()]).then(
      () => {
        clearTimeout(deadline);
        finish(0);
      },
      (e: unknown) => {
        process.stderr.write(`loa-sim: stopping failed: ${errorMessage(e)}\n`);
        finish(1);
      },
    );
  };
  const finish = (code: number) => {
    process.stderr.write(`${summary(fleet, cameras)} (stopped)\n`);
    logger.flush(() => process.exit(code));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));

  if (opts.cameras > 0) {
    const camLogger = logger.child({ part: 'cameras' });
    const faults = Array.from({ length: opts.cameras }, (_, i) => opts.cameraFaults?.get(i));
    try {
      cameras = await startCameras({
        count: opts.cameras,
        port: opts.cameraPort,
        user: opts.cameraUser,
        password: opts.cameraPassword,
        faults,
        logger: camLogger,
        video: opts.cameraVideo ? { cacheDir: opts.videoCache, rtspPort: opts.cameraRtspPort, auth: opts.cameraRtspAuth === true } : undefined,
      });
    } catch (e) {
      throw cameraListenError(e, opts.cameraPort);
    }
    if (opts.controlPort !== undefined)
      control = await startControlServer({ cameras: cameras.cameras, port: opts.controlPort, logger: camLogger.child({ part: 'control' }) });
    const first = cameras.cameras[0]!;
    const video = cameras.rtsp ? `; video at ${first.rtspUrl()} (RTSP server pid ${cameras.rtsp.pid})` : '';
    process.stderr.write(`loa-sim: ${opts.cameras} ONVIF cameras from ${first.deviceUrl}${video}${control ? `; control at ${control.url}/cameras` : ''}\n`);
  }
  await fleet?.start();
}

// Ports below 1024 (ONVIF's standard 80) need privileges most people run without: say so in one line.
function cameraListenError(e: unknown, port: number): unknown {
  const err = e as NodeJS.ErrnoException & { address?: string };
  if (err.code === 'EACCES') {
    return new Error(
      `cannot listen on port ${port} of ${err.address ?? 'the camera addresses'}: ports below 1024 need root or CAP_NET_BIND_SERVICE; run as root, or use ` +
        `--camera-port 8000.`,
    );
  }
  if (err.code === 'EADDRINUSE')
    return new Error(`port ${port} of ${err.address ?? 'a camera address'} is already in use (another loa-sim?); use another --camera-port.`);
  return e;
}

const program = buildProgram();
program.parse(process.argv);
run(program.opts<SimCliOptions>()).catch((e: unknown) => {
  process.stderr.write(`loa-sim: ${errorMessage(e)}\n`);
  process.exit(1);
});

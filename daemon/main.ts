// loa-edge: the edge daemon's command line. Reads the config, runs an EdgeDaemon until SIGTERM or
// SIGINT, then stops playback, says goodbye to the hub and exits 0. A bad config or a missing
// ffmpeg exits 1 with a one-line reason on stderr (systemd shows it in `systemctl status`).
// Under systemd (Type=notify) it says when it is ready and feeds the watchdog while healthy.
import { offsetClock, systemClock, type Clock } from '../common/clock.js';
import { errorMessage } from '../common/errors.js';
import { createLogger } from '../common/logger.js';
import { containUnhandledRejections } from '../common/process-guard.js';
import { loadEdgeConfig } from './config.js';
import { edgeProgram } from './program.js';
import { EdgeDaemon } from './edge.js';
import { relayFromConfig } from './hardware/index.js';
import { systemProbe } from './hardware/health.js';
import { SystemdNotifier } from './systemd.js';

function fail(e: unknown): never {
  // One line: a multi-problem config error is joined so the first screen line says it all.
  process.stderr.write(`loa-edge: ${errorMessage(e).split('\n').join('; ')}\n`);
  process.exit(1);
}

/**
 * LOA_EDGE_CLOCK_OFFSET_MS shifts the box clock the daemon sees (ms; + ahead of the real time).
 * A test and benchmark aid: several daemons on one machine can have clocks as wrong as real boxes.
 */
function boxClock(): { clock: Clock; shiftMs: number } {
  const raw = process.env.LOA_EDGE_CLOCK_OFFSET_MS;
  if (raw === undefined || raw.trim() === '') return { clock: systemClock, shiftMs: 0 };
  const shiftMs = Number(raw);
  if (!Number.isSafeInteger(shiftMs)) fail(new Error(`LOA_EDGE_CLOCK_OFFSET_MS must be a whole number of ms, not "${raw}"`));
  return { clock: offsetClock(systemClock, shiftMs), shiftMs };
}

async function run(opts: { config: string }): Promise<void> {
  let config: ReturnType<typeof loadEdgeConfig>;
  try {
    config = loadEdgeConfig(opts.config);
  } catch (e) {
    fail(e);
  }
  const { clock, shiftMs } = boxClock();
  const logger = createLogger({ name: 'loa-edge', level: config.log.level });
  containUnhandledRejections(process, logger);
  if (shiftMs !== 0) logger.warn({ shiftMs }, 'box clock shifted by LOA_EDGE_CLOCK_OFFSET_MS (a test aid)');
  const hardwareLog = logger.child({ module: 'hardware' });
  const hardware = systemProbe(undefined, { logger: hardwareLog, relay: relayFromConfig(config, hardwareLog) });
  const daemon = new EdgeDaemon({ config, logger, clock, hardware });
  const systemd = new SystemdNotifier({ logger: logger.child({ module: 'systemd' }), clock: systemClock });
  try {
    await daemon.start();
  } catch (e) {
    logger.flush();
    fail(e);
  }
  await systemd.ready(`running for cluster ${config.clusterId}`);
  systemd.startWatchdog(() => daemon.liveness());
  // The daemon's own timers are unref'd (so tests exit cleanly); while waiting to reconnect there
  // may be no socket at all, so this handle is what keeps the process alive.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal; exiting at once');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    void systemd.stopping();
    daemon
      .stop()
      .then(
        () => 0,
        (e: unknown) => {
          logger.error({ err: errorMessage(e) }, 'shutdown failed');
          return 1;
        },
      )
      .then((code) => {
        clearInterval(keepAlive);
        logger.flush(() => process.exit(code));
      });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

edgeProgram(run).parseAsync(process.argv).catch(fail);

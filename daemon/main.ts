// loa-edge: the edge daemon's command line. Reads the config, runs an EdgeDaemon until SIGTERM or
// SIGINT, then stops playback, says goodbye to the hub and exits 0. A bad config or a missing
// ffmpeg exits 1 with a one-line reason on stderr (systemd shows it in `systemctl status`).
import { Command } from 'commander';
import { systemClock } from '../common/clock.js';
import { errorMessage } from '../common/errors.js';
import { createLogger } from '../common/logger.js';
import { loadEdgeConfig } from './config.js';
import { EdgeDaemon } from './edge.js';
import { systemProbe } from './health.js';
import { EDGE_VERSION } from './version.js';

function fail(e: unknown): never {
  // One line: a multi-problem config error is joined so the first screen line says it all.
  process.stderr.write(`loa-edge: ${errorMessage(e).split('\n').join('; ')}\n`);
  process.exit(1);
}

async function run(opts: { config: string }): Promise<void> {
  let config;
  try {
    config = loadEdgeConfig(opts.config);
  } catch (e) {
    fail(e);
  }
  const logger = createLogger({ name: 'loa-edge', level: config.log.level });
  const daemon = new EdgeDaemon({ config, logger, clock: systemClock, hardware: systemProbe() });
  try {
    await daemon.start();
  } catch (e) {
    logger.flush();
    fail(e);
  }
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
    daemon
      .stop()
      .then(() => 0, (e: unknown) => {
        logger.error({ err: errorMessage(e) }, 'shutdown failed');
        return 1;
      })
      .then((code) => {
        clearInterval(keepAlive);
        logger.flush(() => process.exit(code));
      });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

const program = new Command('loa-edge')
  .description('Loa edge daemon: plays the hub\'s broadcasts on this loudspeaker cluster and reports its health.')
  .version(EDGE_VERSION)
  .option('-c, --config <file>', 'YAML config file (see config/edge.example.yaml)', '/etc/loa/edge.yaml')
  .action(run);

program.parseAsync(process.argv).catch(fail);

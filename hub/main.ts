// loa-hub: starts the hub (embedded broker, store, dispatcher, HTTP API) from a YAML config.
import { errorMessage, isLoaError } from '../common/errors.js';
import { containUnhandledRejections } from '../common/process-guard.js';
import { VERSION } from '../common/version.js';
import { resolve } from 'node:path';
import { inheritedListeners } from './broker/socket-activation.js';
import { loadCamerasFile } from './cameras/file.js';
import { loadHubConfig } from './config.js';
import { Hub } from './hub.js';
import { hubProgram, type HubOptions } from './program.js';
import { rotateSigningKey } from './signing/rotate.js';

async function main(): Promise<void> {
  const opts = hubProgram().parse().opts<HubOptions>();
  const config = loadHubConfig(opts.config);
  if (opts.dataDir) config.dataDir = opts.dataDir;
  if (opts.mqttPort !== undefined) config.mqtt.tls.port = opts.mqttPort;
  if (opts.httpPort !== undefined) config.http.port = opts.httpPort;
  if (opts.check) {
    // The cameras file is part of the config: a bad line there would stop the hub at start.
    const cameras = config.cameras.file ? loadCamerasFile(resolve(config.cameras.file)) : null;
    process.stdout.write(`${opts.config ?? '(defaults)'}: ok${cameras ? `; ${config.cameras.file}: ${cameras.length} cameras` : ''}\n`);
    return;
  }
  if (opts.newSigningKey || opts.switchSigningKey) {
    process.stdout.write(rotateSigningKey(resolve(config.dataDir), opts.switchSigningKey === true));
    return;
  }
  const hub = new Hub({ config, listeners: inheritedListeners() });
  containUnhandledRejections(process, hub.logger);
  const addresses = await hub.start();
  const plain = addresses.mqttPort === null ? '' : ` (plain text on ${addresses.mqttPort})`;
  process.stderr.write(`loa-hub ${VERSION}: MQTT ${addresses.mqttUrl}${plain}, HTTP ${addresses.httpUrl}, CA ${addresses.caFile}, data ${hub.dataDir}\n`);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    hub.logger.info({ signal }, 'stopping');
    hub.stop({ exiting: true }).then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`loa-hub: error while stopping: ${errorMessage(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  const code = isLoaError(err) ? `${err.code}: ` : '';
  const msg = errorMessage(err);
  // A config error lists one problem per line; the first line is the one-line reason.
  process.stderr.write(`loa-hub: ${code}${msg.split('\n').length > 1 ? msg.replace(/\n/g, '\n  ') : msg}\n`);
  process.exit(1);
});

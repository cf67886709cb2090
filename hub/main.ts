// loa-hub: starts the hub (embedded broker, store, dispatcher, HTTP API) from a YAML config.
import { Command } from 'commander';
import { errorMessage, isLoaError } from '../common/errors.js';
import { containUnhandledRejections } from '../common/process-guard.js';
import { VERSION } from '../common/version.js';
import { resolve } from 'node:path';
import { loadCamerasFile } from './cameras/file.js';
import { loadHubConfig } from './config.js';
import { Hub } from './hub.js';
import { rotateSigningKey } from './signing/rotate.js';

const program = new Command('loa-hub')
  .description('Loa hub: embedded MQTT broker, scheduler and HTTP API for the commune radio')
  .version(VERSION)
  .option('-c, --config <file>', 'YAML config file (defaults apply to anything it leaves out; no file: all defaults)')
  .option('--data-dir <dir>', 'override dataDir from the config')
  .option('--mqtt-port <port>', 'override mqtt.tls.port (MQTT over TLS)', (v) => Number.parseInt(v, 10))
  .option('--http-port <port>', 'override http.port', (v) => Number.parseInt(v, 10))
  .option('--check', 'validate the config and exit')
  .option('--new-signing-key', 'make the next signing key in the data dir (a key rotation, docs/install.md), print its public key and exit')
  .option('--switch-signing-key', 'sign with the next key from the next start on (the current one is kept as signing-key.old.pem), print both and exit')
  .showHelpAfterError();

async function main(): Promise<void> {
  program.parse();
  const opts = program.opts<{ config?: string; dataDir?: string; mqttPort?: number; httpPort?: number; check?: boolean; newSigningKey?: boolean; switchSigningKey?: boolean }>();
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
  const hub = new Hub({ config });
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

// `loa broker …`: registers the external broker commands (docs/external-broker.md).
import type { Command } from 'commander';
import type { CommandHost } from '../../host.js';
import { brokerFiles } from './files.js';

export function registerBroker(program: Command, host: CommandHost): void {
  const g = program.command('broker').description('the external MQTT broker (broker.mode: external)');
  g.command('files')
    .description("rewrite Mosquitto's password and ACL files from the clusters and reload it")
    .action((_o: unknown, cmd: Command) => host.run(cmd, (ctx) => brokerFiles({}, ctx)));
}

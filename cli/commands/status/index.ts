// `loa status`: registers the fleet status command.
import type { Command } from 'commander';
import type { CommandHost } from '../../host.js';
import { status } from './status.js';

export function registerStatus(program: Command, host: CommandHost): void {
  program
    .command('status')
    .description('clusters online/offline, what they play, their last health')
    .action((_o: unknown, cmd: Command) => host.run(cmd, (ctx) => status({}, ctx)));
}

// `loa tokens …`: registers the API token commands.
import { Option, type Command } from 'commander';
import { ROLES } from '../../../hub/http/api.js';
import type { CommandHost } from '../../host.js';
import { textParser } from '../../parse.js';
import { tokensAdd, type TokensAddOptions } from './add.js';
import { tokensList } from './list.js';
import { tokensRemove } from './remove.js';

export function registerTokens(program: Command, host: CommandHost): void {
  const g = program.command('tokens').description('API tokens with roles');
  g.command('list')
    .description('list tokens')
    .action((_o: unknown, cmd: Command) => host.run(cmd, (ctx) => tokensList({}, ctx)));
  g.command('add')
    .description('create a token and print it (shown only once)')
    .addOption(new Option('--role <role>', 'what it may do').choices(ROLES).makeOptionMandatory())
    .requiredOption('--name <name>', 'who or what uses it', textParser('--name', 100, host.t))
    .action((o: TokensAddOptions, cmd: Command) => host.run(cmd, (ctx) => tokensAdd(o, ctx)));
  g.command('remove')
    .description('revoke a token')
    .argument('<id>', 'token id', textParser(host.t.hId, 200, host.t))
    .action((id: string, _o: unknown, cmd: Command) => host.run(cmd, (ctx) => tokensRemove({ id }, ctx)));
}

// `loa clusters …`: registers the cluster commands.
import type { Command } from 'commander';
import type { CommandHost } from '../../host.js';
import { idParser, parseVolume, textParser } from '../../parse.js';
import { clustersAdd, type ClustersAddOptions } from './add.js';
import { clustersList } from './list.js';
import { clustersRemove } from './remove.js';
import { clustersRotateSecret } from './rotate-secret.js';
import { clustersShow } from './show.js';
import { clustersVolume } from './volume.js';

export function registerClusters(program: Command, host: CommandHost): void {
  const g = program.command('clusters').description('register and manage loudspeaker clusters');
  const id = idParser('cluster', host.t);
  g.command('add')
    .description('register a cluster and print its secret (shown only once)')
    .argument('<id>', 'cluster id, e.g. ban-hon', id)
    .option('--name <name>', 'display name', textParser('--name', 100, host.t))
    .option('--village <village>', 'village (thôn/bản) the cluster serves', textParser('--village', 100, host.t))
    .option('--bundle <dir>', "write the box's edge.yaml, edge.secret and hub-ca.pem into this folder instead of printing them")
    .action((id: string, o: Omit<ClustersAddOptions, 'id'>, cmd: Command) => host.run(cmd, (ctx) => clustersAdd({ id, ...o }, ctx)));
  g.command('list')
    .description('list clusters with their connection state')
    .action((_o: unknown, cmd: Command) => host.run(cmd, (ctx) => clustersList({}, ctx)));
  g.command('show')
    .description('show one cluster: what it plays, its last health report')
    .argument('<id>', 'cluster id', id)
    .action((id: string, _o: unknown, cmd: Command) => host.run(cmd, (ctx) => clustersShow({ id }, ctx)));
  g.command('remove')
    .description('remove a cluster (asks nothing)')
    .argument('<id>', 'cluster id', id)
    .action((id: string, _o: unknown, cmd: Command) => host.run(cmd, (ctx) => clustersRemove({ id }, ctx)));
  g.command('rotate-secret')
    .description('give a cluster a new secret (printed once); its box is disconnected')
    .argument('<id>', 'cluster id', id)
    .action((id: string, _o: unknown, cmd: Command) => host.run(cmd, (ctx) => clustersRotateSecret({ id }, ctx)));
  g.command('volume')
    .description("set a cluster's volume")
    .argument('<id>', 'cluster id', id)
    .argument('<level>', 'volume from 0 to 100', (v: string) => parseVolume(v, host.t))
    .action((id: string, volume: number, _o: unknown, cmd: Command) => host.run(cmd, (ctx) => clustersVolume({ id, volume }, ctx)));
}

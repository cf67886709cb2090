// `loa media …`: registers the media library commands.
import type { Command } from 'commander';
import type { CommandHost } from '../../host.js';
import { textParser } from '../../parse.js';
import { mediaAdd } from './add.js';
import { mediaList } from './list.js';
import { mediaRemove } from './remove.js';

export function registerMedia(program: Command, host: CommandHost): void {
  const g = program.command('media').description('import and manage audio');
  g.command('add')
    .description('import an audio file (any format ffmpeg reads); shows progress on stderr')
    .argument('<file>', 'local audio file')
    .option('--name <name>', 'name to show and to play it by (default: from the file name)', textParser('--name', 200, host.t))
    .option('--replace', 'put this audio in place of the item that has --name (schedules naming it play the new audio)')
    .action((file: string, o: { name?: string; replace?: boolean }, cmd: Command) => host.run(cmd, (ctx) => mediaAdd({ file, ...o }, ctx)));
  g.command('list')
    .description('list the media library')
    .action((_o: unknown, cmd: Command) => host.run(cmd, (ctx) => mediaList({}, ctx)));
  g.command('remove')
    .description('remove a media item')
    .argument('<id>', 'media id, unique start of the id, or exact name', textParser(host.t.hId, 200, host.t))
    .option('--force', 'remove it although the schedule in force or a broadcast uses it (not during an emergency)')
    .action((ref: string, o: { force?: boolean }, cmd: Command) => host.run(cmd, (ctx) => mediaRemove({ ref, ...o }, ctx)));
}

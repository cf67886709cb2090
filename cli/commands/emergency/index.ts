// `loa emergency …`: registers the emergency commands (start, stop, status).
import type { Command } from 'commander';
import type { CommandHost } from '../../host.js';
import { parseVolume, textParser, WHERE_HELP } from '../../parse.js';
import { emergencyStart, type EmergencyStartOptions } from './start.js';
import { emergencyStatus } from './status.js';
import { emergencyStop } from './stop.js';

export function registerEmergency(program: Command, host: CommandHost): void {
  const g = program.command('emergency').description('khẩn cấp: an announcement on air at once, over everything, until stopped');
  g.command('start')
    .description('start an emergency broadcast now on some zones or on all clusters')
    .requiredOption('--media <media>', 'media id, unique start of the id, or exact name', textParser('--media', 200, host.t))
    .option('--zones <names>', 'comma-separated zones of the schedule in force, villages or cluster ids')
    .option('--clusters <names>', 'the same as --zones')
    .option('--all', WHERE_HELP.all)
    .option('--repeat', 'loop the media until `loa emergency stop`')
    .option('--volume <level>', 'volume 0–100 for the emergency', (v: string) => parseVolume(v, host.t))
    .action((o: EmergencyStartOptions, cmd: Command) => host.run(cmd, (ctx) => emergencyStart(o, ctx)));
  g.command('stop')
    .description('stop the emergency (or, without --id, every one on air); the schedule resumes')
    .option('--id <id>', 'emergency id (from `loa emergency status`)', textParser('--id', 200, host.t))
    .action((o: { id?: string }, cmd: Command) => host.run(cmd, (ctx) => emergencyStop(o, ctx)));
  g.command('status')
    .description('the emergencies on air now')
    .action((_o: unknown, cmd: Command) => host.run(cmd, (ctx) => emergencyStatus({}, ctx)));
}

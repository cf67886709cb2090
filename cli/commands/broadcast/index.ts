// `loa broadcast …`: registers the broadcast commands.
import type { Command } from 'commander';
import type { CommandHost } from '../../host.js';
import { parseLimit, parseStreamUrl, parseVolume, textParser, WHERE_HELP } from '../../parse.js';
import { broadcastList, parseKinds, parseStatuses, type BroadcastListOptions } from './list.js';
import { broadcastPlay, type BroadcastPlayOptions } from './play.js';
import { broadcastRelay, type BroadcastRelayOptions } from './relay.js';
import { broadcastShow } from './show.js';
import { broadcastStop, type BroadcastStopOptions } from './stop.js';

export function registerBroadcast(program: Command, host: CommandHost): void {
  const g = program.command('broadcast').description('play media on clusters and follow what happened');
  const t = host.t;
  g.command('play')
    .description('play a media item on some clusters or all of them')
    .requiredOption('--media <media>', 'media id, unique start of the id, or exact name', textParser('--media', 200, t))
    .option('--clusters <names>', WHERE_HELP.clusters)
    .option('--zones <names>', WHERE_HELP.zones)
    .option('--all', WHERE_HELP.all)
    .option('--at <time>', 'start time: HH:MM (next one), YYYY-MM-DD HH:MM, or ISO; default now')
    .option('--volume <level>', 'volume 0–100 for this broadcast', (v: string) => parseVolume(v, host.t))
    .option('--now', 'replace what plays by hand on these clusters now, instead of waiting for it to end')
    .action((o: BroadcastPlayOptions, cmd: Command) => host.run(cmd, (ctx) => broadcastPlay(o, ctx)));
  g.command('stop')
    .description('stop a broadcast, what plays on some clusters, or (with nothing named) everything')
    .option('--broadcast <id>', 'broadcast id', textParser('--broadcast', 200, t))
    .option('--clusters <names>', WHERE_HELP.clusters)
    .option('--zones <names>', WHERE_HELP.zones)
    .option('--all', WHERE_HELP.all)
    .action((o: BroadcastStopOptions, cmd: Command) => host.run(cmd, (ctx) => broadcastStop(o, ctx)));
  g.command('relay')
    .description("relay a station's stream (or a library file, as live) through the hub to clusters; or list or stop relays")
    .argument('[url]', 'the stream address: Icecast/HTTP MP3 or AAC, or HLS (.m3u8)', (v: string) => parseStreamUrl(v, t))
    .option('--media <media>', 'a library media item played as live instead of a URL', textParser('--media', 200, t))
    .option('--clusters <names>', WHERE_HELP.clusters)
    .option('--zones <names>', WHERE_HELP.zones)
    .option('--all', WHERE_HELP.all)
    .option('--until <time>', 'end time: HH:MM (next one), YYYY-MM-DD HH:MM, or ISO; default until stopped')
    .option('--stop <id>', 'stop this relay', textParser('--stop', 200, t))
    .option('--list', 'the relays with their state, listeners and gaps')
    .action((url: string | undefined, o: BroadcastRelayOptions, cmd: Command) => host.run(cmd, (ctx) => broadcastRelay(url, o, ctx)));
  g.command('list')
    .description('what is on air, then the most recent broadcasts, newest first (--status scheduled: those to come)')
    .option('--limit <n>', 'how many (1–1000, default 50)', (v: string) => parseLimit(v, t))
    .option('--status <list>', 'scheduled, running, done, stopped or all, comma-separated (default running,done,stopped)', (v: string) => parseStatuses(v, t))
    .option('--since <time>', "started at or after: a day (YYYY-MM-DD) or a time (2026-11-23T05:00), in the hub's time zone")
    .option('--cluster <names>', 'only broadcasts to these clusters: ids, zones or villages, comma-separated', textParser('--cluster', 200, t))
    .option('--kind <list>', 'ad-hoc, schedule or emergency, comma-separated', (v: string) => parseKinds(v, t))
    .action((o: BroadcastListOptions, cmd: Command) => host.run(cmd, (ctx) => broadcastList(o, ctx)));
  g.command('show')
    .description('one broadcast with the outcome on each cluster')
    .argument('<id>', 'broadcast id', textParser(t.hId, 200, t))
    .action((id: string, _o: unknown, cmd: Command) => host.run(cmd, (ctx) => broadcastShow({ id }, ctx)));
}

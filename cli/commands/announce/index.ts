// `loa announce …`: registers the announcement command (text-to-speech or a file, now, on chosen clusters).
import type { Command } from 'commander';
import type { CommandHost } from '../../host.js';
import { textParser, WHERE_HELP } from '../../parse.js';
import { announce, type AnnounceOptions } from './announce.js';

export function registerAnnounce(program: Command, host: CommandHost): void {
  program
    .command('announce')
    .description('put an announcement on air now: text read out (text-to-speech) or an audio file; priority live, or --emergency')
    .option('--text <text>', 'the words to read out (Vietnamese by default)')
    .option('--file <file>', 'a local audio file to play (any format ffmpeg reads); shows upload progress on stderr')
    .option('--mic', 'speak live through the microphone (ALSA, captured by ffmpeg here); Ctrl-C ends it')
    .option('--mic-device <device>', 'ALSA capture device for --mic, e.g. hw:1,0 (default: default)')
    .option('--live', 'with --file: play the file as a live stream from this machine, in real time, instead of importing it')
    .option('--duration <seconds>', 'with --mic or --live: end after this many seconds')
    .option('--voice <voice>', 'voice of the text-to-speech provider (default: the hub config, vi)', textParser('--voice', 100, host.t))
    .option('--chime', 'a short chime before and after')
    .option('--emergency', 'start it as an emergency: over everything (an imported one until `loa emergency stop`; a live one while you speak)')
    .option('--clusters <names>', WHERE_HELP.clusters)
    .option('--zones <names>', WHERE_HELP.zones)
    .option('--all', WHERE_HELP.all)
    .action((o: AnnounceOptions, cmd: Command) => host.run(cmd, (ctx) => announce(o, ctx)));
}

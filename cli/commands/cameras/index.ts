// `loa cameras …`: registers the camera commands (the police post's cameras, issue 5).
import type { Command } from 'commander';
import { usageError } from '../../errors.js';
import type { CommandHost } from '../../host.js';
import { cameraParsers, idParser, textParser } from '../../parse.js';
import { camerasAdd, type CamerasAddOptions } from './add.js';
import { camerasDiscover, type CamerasDiscoverOptions } from './discover.js';
import { camerasList } from './list.js';
import { camerasRemove } from './remove.js';
import { camerasShow } from './show.js';
import { camerasSnapshot } from './snapshot.js';

function port(host: CommandHost) {
  return (v: string): number => {
    const n = /^\d+$/.test(v.trim()) ? Number(v) : NaN;
    if (!(n >= 1 && n <= 65_535)) throw usageError('LOA_CLI_BAD_PORT', host.t.badPort(v));
    return n;
  };
}

function seconds(host: CommandHost) {
  return (v: string): number => {
    const n = /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : NaN;
    if (!(n >= 0.1 && n <= 20)) throw usageError('LOA_CLI_BAD_TIMEOUT', host.t.badTimeout(v));
    return n;
  };
}

export function registerCameras(program: Command, host: CommandHost): void {
  const g = program.command('cameras').description('ONVIF cameras for the police post: add, list, show, snapshot, discover, remove');
  const id = idParser('camera', host.t);
  const check = cameraParsers(host.t);
  g.command('add')
    .description('register a camera (the hub checks it at once; its password is never shown again)')
    .argument('<id>', 'camera id, e.g. cam-cong-cho', id)
    .requiredOption('--host <host>', 'camera address (IP or host name)', check.host)
    .option('--port <port>', 'ONVIF HTTP port (default 80)', port(host))
    .option('--path <path>', 'device service path (default /onvif/device_service)', check.path)
    .requiredOption('--user <user>', 'camera user name', check.user)
    .option('--password <password>', 'camera password (visible in shell history: prefer --password-stdin)')
    .option('--password-stdin', 'read the password from standard input')
    .option('--name <name>', 'display name', textParser('--name', 200, host.t))
    .option('--village <village>', 'village (thôn/bản) where it is', textParser('--village', 200, host.t))
    .option('--replace', 'replace a camera of the same id (e.g. a new password)')
    .action((id: string, o: Omit<CamerasAddOptions, 'id'>, cmd: Command) => host.run(cmd, (ctx) => camerasAdd({ id, ...o }, ctx)));
  g.command('list')
    .description('list cameras: status, reason, last seen, clock skew')
    .action((_o: unknown, cmd: Command) => host.run(cmd, (ctx) => camerasList({}, ctx)));
  g.command('show')
    .description('show one camera: device, profiles, stream address, open alarms')
    .argument('<id>', 'camera id', id)
    .action((id: string, _o: unknown, cmd: Command) => host.run(cmd, (ctx) => camerasShow({ id }, ctx)));
  g.command('remove')
    .description('remove a camera (asks nothing)')
    .argument('<id>', 'camera id', id)
    .action((id: string, _o: unknown, cmd: Command) => host.run(cmd, (ctx) => camerasRemove({ id }, ctx)));
  g.command('snapshot')
    .description('save a fresh picture from a camera as a JPEG file')
    .argument('<id>', 'camera id', id)
    .option('-o, --output <file>', 'where to write it (default ID-<date>T<time>.jpg here)')
    .action((id: string, o: { output?: string }, cmd: Command) => host.run(cmd, (ctx) => camerasSnapshot({ id, ...o }, ctx)));
  g.command('discover')
    .description('find ONVIF cameras on the network (WS-Discovery) and offer to add the new ones')
    .option('--range <range>', 'also probe these addresses, e.g. 192.168.1.10-192.168.1.60 or 10.0.0.0/28 (repeatable)', check.range)
    .option('--timeout <seconds>', 'how long to listen for answers (default 3)', seconds(host))
    .option('--no-multicast', 'only probe the --range addresses')
    .option('--probe-port <port>', 'UDP port to probe (default 3702)', port(host))
    .option('--add', 'add the new cameras (ids from their names), with --user and --password-stdin/--password')
    .option('--user <user>', 'user name of the cameras to add', check.user)
    .option('--password <password>', 'their password (visible in shell history: prefer --password-stdin)')
    .option('--password-stdin', 'read their password from standard input')
    .action((o: CamerasDiscoverOptions, cmd: Command) => host.run(cmd, (ctx) => camerasDiscover(o, ctx)));
}

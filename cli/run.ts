// The `loa` program: global options, the command groups, and the one place where an error becomes
// a one-line reason on stderr and an exit status (2 for usage errors, 1 otherwise).
import { Command, CommanderError, Option } from 'commander';
import { systemClock, type Clock } from '../common/clock.js';
import { errorMessage, isLoaError } from '../common/errors.js';
import { errorText } from '../common/i18n/errors.js';
import { registerAlarms } from './commands/alarms/index.js';
import { registerAnnounce } from './commands/announce/index.js';
import { registerBroadcast } from './commands/broadcast/index.js';
import { registerBroker } from './commands/broker/index.js';
import { registerCameras } from './commands/cameras/index.js';
import { registerClusters } from './commands/clusters/index.js';
import { registerEmergency } from './commands/emergency/index.js';
import { registerLog } from './commands/log/index.js';
import { registerMedia } from './commands/media/index.js';
import { registerReport } from './commands/report/index.js';
import { registerSchedule } from './commands/schedule/index.js';
import { registerStatus } from './commands/status/index.js';
import { registerTokens } from './commands/tokens/index.js';
import type { CliIo } from './context.js';
import { CliError, ExitError } from './errors.js';
import { helpInVietnamese } from './help-vi.js';
import { createHost } from './host.js';
import { catalogue, chooseLang, type Catalogue } from './i18n.js';

export function buildProgram(io: CliIo, t: Catalogue, clock: Clock): Command {
  const program = new Command('loa')
    .description('Loa operator CLI: clusters, media, broadcasts, schedules, emergencies, log, report, status and cameras of a Loa hub')
    // Set before any sub-command is made: commander copies these settings to each of them.
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .configureHelp({ showGlobalOptions: true })
    .showSuggestionAfterError()
    .option('--hub <url>', 'hub HTTP address (else LOA_HUB, <data dir>/hub.json, https://127.0.0.1:8080)')
    .option('--ca <file>', "the hub's CA certificate, trusted for https:// (else LOA_HUB_CA, the caFile in <data dir>/hub.json)")
    .option('--token <token>', 'API token (else LOA_TOKEN, <data dir>/operator.token)')
    .option('--data-dir <dir>', "the hub's data directory (else LOA_DATA_DIR, ./data)")
    .option('--json', 'machine-readable output')
    .addOption(new Option('--lang <lang>', 'language of the output (else LOA_LANG, LANG)').choices(['vi', 'en']))
    .option('--tz <zone>', 'time zone for dates typed and shown (else LOA_TZ, Asia/Ho_Chi_Minh)');
  const host = createHost(io, t, clock);
  registerClusters(program, host);
  registerMedia(program, host);
  registerBroadcast(program, host);
  registerSchedule(program, host);
  registerEmergency(program, host);
  registerAnnounce(program, host);
  registerLog(program, host);
  registerReport(program, host);
  registerStatus(program, host);
  registerAlarms(program, host);
  registerCameras(program, host);
  registerTokens(program, host);
  registerBroker(program, host);
  return program;
}

/** --lang must be known before parsing, so option parsers can speak the chosen language. */
function langFlag(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a === '--lang') return argv[i + 1];
    if (a.startsWith('--lang=')) return a.slice('--lang='.length);
  }
  return undefined;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, '; ').trim();
}

function report(e: unknown, io: CliIo, t: Catalogue): number {
  if (e instanceof CommanderError) {
    // commander has already written its message or the help text.
    return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2;
  }
  // The command has printed its answer (which says what is wrong) already.
  if (e instanceof ExitError) return e.exitCode;
  const code = isLoaError(e) && !e.message.includes(e.code) ? ` [${e.code}]` : '';
  // The hub's sentence in the reader's language; its English message when the sentence is unknown.
  const message = isLoaError(e) && e.sentence ? errorText(t.lang, e.sentence, e.message) : errorMessage(e);
  io.stderr.write(`${t.errorPrefix}: ${oneLine(message)}${code}\n`);
  if (io.env.LOA_DEBUG && e instanceof Error && e.stack) io.stderr.write(`${e.stack}\n`);
  return e instanceof CliError && e.usage ? 2 : 1;
}

/** Runs one `loa` invocation and returns its exit status. */
export async function runCli(argv: string[], io: CliIo, clock: Clock = systemClock): Promise<number> {
  const t = catalogue(chooseLang(langFlag(argv), io.env));
  try {
    const program = buildProgram(io, t, clock);
    if (t.lang === 'vi') helpInVietnamese(program);
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    return report(e, io, t);
  }
}

// loa-edge's command line: its options and their help, in English and (LOA_LANG=vi, or a LANG that
// starts with "vi") in Vietnamese, for the person installing the box.
import { Command } from 'commander';
import { chooseLang } from '../common/i18n/catalogue.js';
import { translateHelp } from '../common/i18n/help.js';
import { EDGE_VERSION } from './version.js';

/** English help text → Vietnamese (tests/help-vi-programs.test.ts checks that none is missing);
 *  commander's own texts are in common/i18n/help.ts. */
export const EDGE_HELP_VI: ReadonlyMap<string, string> = new Map([
  [
    "Loa edge daemon: plays the hub's broadcasts on this loudspeaker cluster and reports its health.",
    'Chương trình chạy nền của hộp điều khiển Loa: phát các lượt phát của trạm trung tâm trên cụm loa này và báo cáo tình trạng của cụm.',
  ],
  ['YAML config file (see config/edge.example.yaml)', 'tệp cấu hình YAML (xem config/edge.example.yaml)'],
]);

export function edgeProgram(run: (opts: { config: string }) => Promise<void>, env: NodeJS.ProcessEnv = process.env): Command {
  const program = new Command('loa-edge')
    .description("Loa edge daemon: plays the hub's broadcasts on this loudspeaker cluster and reports its health.")
    .version(EDGE_VERSION)
    .option('-c, --config <file>', 'YAML config file (see config/edge.example.yaml)', '/etc/loa/edge.yaml')
    .action(run);
  if (chooseLang(undefined, env) === 'vi') translateHelp(program, EDGE_HELP_VI);
  return program;
}

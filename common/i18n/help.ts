// `--help` in Vietnamese for every Loa program (loa, loa-hub, loa-edge): the help texts stay
// written once, in English, where each option is registered (commander prints them); a table of
// English → Vietnamese puts each into Vietnamese, and commander's own words (Usage, Options, …) too.
// Each program's test walks its whole command tree with helpTexts so that no text is missing.
import { Help, type Command } from 'commander';

/** Commander's own option texts, the same in every program: the fallback under each program's table. */
export const COMMANDER_HELP_VI: ReadonlyMap<string, string> = new Map([
  ['output the version number', 'in số phiên bản'],
  ['display help for command', 'hiển thị trợ giúp của lệnh'],
]);

/** A program's table with commander's own texts beneath it (the program's own wins): what `--help` uses. */
export function withCommanderHelp(table: ReadonlyMap<string, string>): ReadonlyMap<string, string> {
  return new Map([...COMMANDER_HELP_VI, ...table]);
}

const TITLES: Readonly<Record<string, string>> = {
  'Usage:': 'Cách dùng:',
  'Arguments:': 'Tham số:',
  'Options:': 'Tuỳ chọn:',
  'Commands:': 'Lệnh:',
  'Global Options:': 'Tuỳ chọn chung:',
};

/** Every help text of the program, its commands' and their options' (the test's list). */
export function helpTexts(program: Command): string[] {
  const out: string[] = [];
  const walk = (c: Command): void => {
    if (c.description()) out.push(c.description());
    for (const o of c.options) if (o.description) out.push(o.description);
    for (const a of c.registeredArguments) if (a.description) out.push(a.description);
    c.commands.forEach(walk);
  };
  walk(program);
  return out;
}

/** Puts the whole command tree's help into Vietnamese: each text through `table` (one missing
 *  stays English), and commander's own words too (COMMANDER_HELP_VI where `table` has none). */
export function translateHelp(program: Command, table: ReadonlyMap<string, string>): void {
  const all = withCommanderHelp(table);
  const vi = (text: string): string => all.get(text) ?? text;
  const walk = (c: Command): void => {
    c.description(vi(c.description()));
    for (const o of c.options) o.description = vi(o.description);
    for (const a of c.registeredArguments) a.description = vi(a.description);
    c.helpOption('-h, --help', vi('display help for command'));
    if (c.commands.length > 0) c.helpCommand('help [command]', vi('display help for command'));
    c.configureHelp({
      showGlobalOptions: true,
      styleTitle: (title: string) => TITLES[title] ?? title,
      // "(choices: …)", "(default: …)" are commander's too.
      optionDescription: (option) =>
        Help.prototype.optionDescription.call(new Help(), option).replace('(choices: ', '(chọn: ').replace('(default: ', '(mặc định: '),
    });
    c.commands.forEach(walk);
  };
  walk(program);
}

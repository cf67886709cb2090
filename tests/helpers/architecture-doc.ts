// What keeps docs/architecture.md honest, as functions of the tree and the doc's text (so a test
// can also feed them a doc that is wrong): the folders and top files it must name, the repository
// paths it names that do not exist, links that lead nowhere, and file names a module's paragraph
// gives that are not in that module's folder.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository's top folders, as the doc names them in its table of folders. */
const TOP = ['common', 'protocol', 'hub', 'daemon', 'cli', 'demo', 'firmware-sim', 'bench', 'harness', 'tests', 'docs', 'systemd', 'config', 'bin'];
/** A backticked repository path: a top folder, then a path; placeholders (`<dataDir>`, NAME, …) are not paths. */
const PATH = new RegExp(`^(?:${TOP.join('|')})/[\\w./-]*$`);
const PLACEHOLDER = /[<>{}*…]|NAME/;

/** Every `backticked` token of a text. */
export const backticked = (text: string): string[] => [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);

function dirsUnder(root: string, dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((e) => [`${dir}/${e.name}`, ...dirsUnder(root, `${dir}/${e.name}`)]);
}

/** What the doc must name: every folder under each of `dirs` (as `dir/sub/`) and every .ts file at their top. */
export function mustName(root: string, dirs: readonly string[]): string[] {
  return dirs.flatMap((dir) => [
    ...dirsUnder(root, dir).map((d) => `${d}/`),
    ...readdirSync(join(root, dir), { withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts'))
      .map((e) => `${dir}/${e.name}`),
  ]);
}

/** The names in `names` the doc never writes in backticks. */
export function unnamed(doc: string, names: readonly string[]): string[] {
  const said = new Set(backticked(doc));
  return names.filter((n) => !said.has(n));
}

/**
 * Repository paths the doc names that do not exist. A node of the folder graph (`daemon/edge`)
 * stands for its file. Paths under a folder in `pending` (one that another branch brings) are
 * not checked while that folder does not exist.
 */
export function missingPaths(root: string, doc: string, pending: readonly string[] = []): string[] {
  return [
    ...new Set(
      backticked(doc)
        .map((t) => t.replace(/[.,:;]+$/, ''))
        .filter((t) => PATH.test(t) && !PLACEHOLDER.test(t)),
    ),
  ].filter((p) => {
    const comingWith = pending.find((dir) => p.startsWith(`${dir}/`));
    if (comingWith && !existsSync(join(root, comingWith))) return false;
    return !existsSync(join(root, p)) && !existsSync(join(root, `${p}.ts`));
  });
}

/** GitHub's anchor for a heading: lower case, punctuation out, spaces to hyphens. */
const anchorOf = (heading: string): string =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');

/** The anchors of a markdown text's headings. */
export const anchors = (doc: string): Set<string> => new Set([...doc.matchAll(/^#+ (.+)$/gm)].map((m) => anchorOf(m[1]!)));

/** Links of the doc (at `docPath`, relative to the root) whose file or heading does not exist. */
export function brokenLinks(root: string, docPath: string, doc: string): string[] {
  const headings = anchors(doc);
  return [...doc.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((link) => !/^[a-z]+:/.test(link))
    .filter((link) => {
      const [file, anchor] = link.split('#') as [string, string | undefined];
      if (file === '') return !headings.has(anchor ?? '');
      return !existsSync(join(root, dirname(docPath), file));
    });
}

/**
 * File names a module's paragraph (or a table row) gives bare (`ledger.ts`) that are not under the
 * folder it is about: the first backticked token of the paragraph or row, when that is a folder of
 * hub/ or daemon/ (`hub/broadcasts/`).
 */
export function strayFileNames(root: string, doc: string): string[] {
  const units = doc.split(/\n\s*\n/).flatMap((p) => (p.trimStart().startsWith('|') ? p.split('\n') : [p]));
  const stray: string[] = [];
  for (const unit of units) {
    const tokens = backticked(unit);
    const folder = tokens[0];
    if (!folder || !/^(?:hub|daemon)\/[\w/-]+\/$/.test(folder) || !existsSync(join(root, folder))) continue;
    const present = new Set(filesUnder(join(root, folder)));
    for (const t of tokens.slice(1)) if (/^[\w-]+\.ts$/.test(t) && !present.has(t)) stray.push(`${folder}: ${t}`);
  }
  return stray;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [e.name]));
}

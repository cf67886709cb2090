// The mechanism behind every coded sentence the hub sends (camera reasons, alarm details, later its
// error messages): a stable code with parameters, turned into text per language on the reader's
// side. No imports and no Node APIs: the hub serves this file, compiled, to the monitor page as an
// ES module, and the CLI imports it, so both read the same templates.

export type Lang = 'en' | 'vi';
export const LANGS: readonly Lang[] = ['en', 'vi'];

/** A --lang flag, else LOA_LANG, else a LANG that starts with "vi", else English (every program's rule). */
export function chooseLang(flag: string | undefined, env: NodeJS.ProcessEnv): Lang {
  for (const v of [flag, env.LOA_LANG]) {
    if (v === 'vi' || v === 'en') return v;
  }
  return env.LANG?.toLowerCase().startsWith('vi') ? 'vi' : 'en';
}

export type Params = Readonly<Record<string, string | number>>;

/** A sentence as the hub sends it: a code from a catalogue and the values its template names. */
export interface Coded {
  code: string;
  params?: Params;
}

/** One catalogue: for each language, code → template with {name} placeholders. */
export type Catalogue<Code extends string> = Readonly<Record<Lang, Readonly<Record<Code, string>>>>;

const hasOwn = (o: object, key: string): boolean => Object.hasOwn(o, key);

/** Puts the parameters into a template; a placeholder without a value stays as written. */
export function fill(template: string, params: Params = {}): string {
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, name: string) => (hasOwn(params, name) ? String(params[name]) : whole));
}

/** Whether the catalogue knows the code (own keys only: a code such as "constructor" is unknown). */
export function knows(catalogue: Catalogue<string>, code: unknown): code is string {
  return typeof code === 'string' && hasOwn(catalogue.en, code);
}

/**
 * The sentence in `lang`. A code this catalogue does not know (a newer hub) gives `fallback`, the
 * English text the hub sent beside the code, or else the code itself.
 */
export function say(catalogue: Catalogue<string>, lang: Lang, coded: Coded | null | undefined, fallback?: string | null): string {
  if (!coded || !knows(catalogue, coded.code)) return fallback ?? coded?.code ?? '';
  const table = hasOwn(catalogue, lang) ? catalogue[lang] : catalogue.en;
  const template = hasOwn(table, coded.code) ? table[coded.code]! : catalogue.en[coded.code]!;
  return fill(template, coded.params && typeof coded.params === 'object' ? coded.params : {});
}

/** The placeholders a template names, sorted (tests hold every language to the same set). */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!).sort();
}

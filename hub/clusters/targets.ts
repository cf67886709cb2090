// Which clusters a name from an operator means: a cluster id, a zone of the schedule in force, a
// village (the clusters' `village`, also typed without the Vietnamese marks), `all`, or one of
// them said outright (`cluster:`, `zone:`, `village:`). One place for every request that chooses
// clusters (broadcasts and their stop, relays and pushes, announcements, emergencies), so the CLI,
// the API and the web console mean the same by the same name.
import { LoaError, sentenceError } from '../../common/errors.js';
import { closest, slug } from '../schedule/yaml-reader.js';

export interface TargetWorld {
  clusters: readonly { id: string; village: string | null }[];
  /** The zones of the schedule in force (none without one). */
  zones: Readonly<Record<string, readonly string[]>>;
}

type Kind = 'all' | 'zone' | 'village' | 'cluster';

interface Meaning {
  kind: Kind;
  label: string;
  ids: readonly string[];
}

/** Longest list a message names in full. */
const SHOWN = 12;

const listed = (items: readonly string[]): string => (items.length > SHOWN ? `${items.slice(0, SHOWN).join(', ')}, …` : items.join(', '));

/** Every name of `world` by its slug (lower case, no marks: "Bản Nà Lóng" → ban-na-long), built once
 *  per request so a list of thousands of names costs one pass over the clusters. */
function indexOf(world: TargetWorld): Map<string, Meaning[]> {
  const index = new Map<string, Meaning[]>();
  const add = (key: string, m: Meaning) => index.set(key, [...(index.get(key) ?? []), m]);
  add('all', { kind: 'all', label: 'all', ids: world.clusters.map((c) => c.id) });
  for (const [zone, ids] of Object.entries(world.zones)) add(slug(zone), { kind: 'zone', label: zone, ids });
  const villages = new Map<string, { label: string; ids: string[] }>();
  for (const c of world.clusters) {
    if (!c.village) continue;
    const key = slug(c.village);
    const v = villages.get(key) ?? { label: c.village, ids: [] };
    v.ids.push(c.id);
    villages.set(key, v);
  }
  for (const [key, v] of villages) add(key, { kind: 'village', ...v });
  for (const c of world.clusters) add(slug(c.id), { kind: 'cluster', label: c.id, ids: [c.id] });
  return index;
}

function unknown(name: string, world: TargetWorld, only?: Kind): LoaError {
  const zones = Object.keys(world.zones);
  const villages = [...new Set(world.clusters.map((c) => c.village).filter((v): v is string => Boolean(v)))];
  const candidates = [
    ...(only === undefined || only === 'cluster' ? world.clusters.map((c) => c.id) : []),
    ...(only === undefined || only === 'zone' ? zones : []),
    ...(only === undefined || only === 'village' ? villages : []),
  ];
  const near = closest(name, candidates);
  const lists = { zones: listed(zones) || '(no schedule in force)', villages: listed(villages) || '(none)' };
  // Said in the reader's language (common/i18n/errors.ts); a name with a kind in front stays English.
  if (!only)
    return near
      ? sentenceError('LOA_UNKNOWN_TARGET', 'target.unknown-near', { name, near, ...lists }, { status: 404 })
      : sentenceError('LOA_UNKNOWN_TARGET', 'target.unknown', { name, ...lists }, { status: 404 });
  const what = `there is no ${only} "${name}"`;
  return new LoaError(
    'LOA_UNKNOWN_TARGET',
    `${what}.${near ? ` Did you mean "${near}"?` : ''} Zones: ${listed(zones) || '(no schedule in force)'}; villages: ${listed(villages) || '(none)'}; \`loa ` +
      `clusters list\` shows the cluster ids.`,
    { status: 404 },
  );
}

const sameClusters = (a: Meaning, b: Meaning): boolean => a.ids.length === b.ids.length && [...a.ids].sort().join() === [...b.ids].sort().join();

/** The cluster ids the names mean, each once, in the order named; throws LOA_UNKNOWN_TARGET, or
 *  LOA_AMBIGUOUS_TARGET for a name whose meanings are different sets of clusters (one whose
 *  meanings agree, like the zone, village and cluster ban-luot, is no question). */
export function resolveTargets(names: readonly string[], world: TargetWorld): string[] {
  const index = indexOf(world);
  const out = new Set<string>();
  for (const raw of names) {
    const text = raw.trim();
    const prefix = /^(cluster|zone|village):\s*(.+)$/i.exec(text);
    const only = prefix ? (prefix[1]!.toLowerCase() as Kind) : undefined;
    const name = prefix ? prefix[2]!.trim() : text;
    const found = (index.get(slug(name)) ?? []).filter((m) => only === undefined || m.kind === only);
    if (found.length === 0) throw unknown(name, world, only);
    const distinct = found.filter((m, i) => found.findIndex((o) => sameClusters(o, m)) === i);
    if (distinct.length > 1) {
      const said = distinct
        .map((m) => (m.kind === 'all' ? 'every cluster' : m.kind === 'cluster' ? `the cluster ${m.label}` : `the ${m.kind} ${m.label} (${listed(m.ids)})`))
        .join(' and ');
      const ways = distinct
        .filter((m) => m.kind !== 'all')
        .map((m) => `${m.kind}:${m.label}`)
        .join(' or ');
      throw new LoaError('LOA_AMBIGUOUS_TARGET', `"${name}" means ${said}; say which: ${ways}.`, { status: 409 });
    }
    for (const id of found[0]!.ids) out.add(id);
  }
  return [...out];
}

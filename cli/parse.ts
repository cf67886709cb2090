// Parsers for option values; a bad value is a usage error (exit 2) in the operator's language.
// Each rule the hub would refuse with a 400 is checked here first, so the exit status says "the
// command line is wrong" (2) rather than "the hub refused" (1), and nothing is sent.
import { CLUSTER_ID_PATTERN } from '../protocol/index.js';
import { expandRange, HOST_PATTERN, MAX_RANGE_ADDRESSES, USER_PATTERN } from '../common/camera-input.js';
import { usageError } from './errors.js';
import type { Catalogue } from './i18n.js';

/** "Cổng chợ Tà Lùng" → "cong-cho-ta-lung": the id rule is lowercase letters, digits and dashes. */
export function slug(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

/** A cluster or camera id (the same rule); a bad one is answered with an id made from it. */
export function idParser(kind: 'cluster' | 'camera', t: Catalogue): (v: string) => string {
  return (v) => {
    if (!CLUSTER_ID_PATTERN.test(v)) throw usageError('LOA_CLI_BAD_ID', t.badId(kind, v, slug(v) || (kind === 'cluster' ? 'ban-muong-1' : 'cam-cong-cho')));
    return v;
  };
}

/** Free text the hub stores (names, ids of records): 1 to `max` characters, no control characters. */
export function textParser(what: string, max: number, t: Catalogue): (v: string) => string {
  return (v) => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters in untrusted text is the point
    if (v.trim() === '' || v.length > max || /[\u0000-\u001f\u007f]/.test(v)) throw usageError('LOA_CLI_BAD_TEXT', t.badText(what, max));
    return v;
  };
}

/** A station's stream address for `broadcast relay`. */
export function parseStreamUrl(v: string, t: Catalogue): string {
  let ok = false;
  try {
    ok = ['http:', 'https:'].includes(new URL(v).protocol);
  } catch {
    // not a URL at all
  }
  if (!ok || v.length > 2000) throw usageError('LOA_CLI_BAD_URL', t.badUrl(v));
  return v;
}

/** The camera fields `loa cameras add` sends, by the hub's own patterns (common/camera-input.ts). */
export const cameraParsers = (t: Catalogue) => ({
  host: (v: string): string => {
    if (v.length > 253 || !HOST_PATTERN.test(v)) throw usageError('LOA_CLI_BAD_HOST', t.badHost(v));
    return v;
  },
  path: (v: string): string => {
    if (v.length > 256 || !v.startsWith('/') || /[\s?#]/.test(v)) throw usageError('LOA_CLI_BAD_PATH', t.badPath(v));
    return v;
  },
  user: (v: string): string => {
    if (v.length > 128 || !USER_PATTERN.test(v) || v.trim() === '') throw usageError('LOA_CLI_BAD_USER', t.badUser(v));
    return v;
  },
  /** Repeatable --range: each one is expanded here as the hub would, to refuse a bad one now. */
  range: (v: string, all: string[] = []): string[] => {
    try {
      expandRange(v);
    } catch {
      throw usageError('LOA_CLI_BAD_ADDRESS_RANGE', t.badAddressRange(v, MAX_RANGE_ADDRESSES));
    }
    return [...all, v];
  },
});

function wholeNumber(text: string, min: number, max: number): number | undefined {
  if (!/^\d+$/.test(text.trim())) return undefined;
  const n = Number(text);
  return n >= min && n <= max ? n : undefined;
}

export function parseVolume(text: string, t: Catalogue): number {
  const n = wholeNumber(text, 0, 100);
  if (n === undefined) throw usageError('LOA_CLI_BAD_VOLUME', t.badVolume(text));
  return n;
}

export function parseLimit(text: string, t: Catalogue): number {
  const n = wholeNumber(text, 1, 1000);
  if (n === undefined) throw usageError('LOA_CLI_BAD_LIMIT', t.badLimit(text));
  return n;
}

/** "a, b,a" → ["a", "b"]. */
export function parseIdList(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}

export type ClusterChoice = { clusters: string[] } | { all: true };

/** Where, as typed: --clusters and --zones take the same names (cluster ids, zones of the schedule
 *  in force, villages), which the hub resolves (hub/clusters/targets.ts); or --all. Exactly one
 *  of names and --all (or neither when `optional`). */
export interface WhereOptions {
  clusters?: string;
  zones?: string;
  all?: boolean;
}

export function clusterChoice(opts: WhereOptions, t: Catalogue, optional = false): ClusterChoice | undefined {
  const named = opts.clusters !== undefined || opts.zones !== undefined;
  if (named && opts.all) throw usageError('LOA_CLI_CLUSTERS_AND_ALL', t.clustersAndAll);
  if (opts.all) return { all: true };
  if (named) {
    const clusters = parseIdList([opts.clusters, opts.zones].filter((v) => v !== undefined).join(','));
    if (clusters.length === 0) throw usageError('LOA_CLI_NO_CLUSTERS', t.emptyClusters);
    return { clusters };
  }
  if (optional) return undefined;
  throw usageError('LOA_CLI_NO_CLUSTERS', t.clustersOrAll);
}

/** The options that choose clusters, the same on every command that does. */
export const WHERE_HELP = {
  clusters: 'comma-separated cluster ids, zones of the schedule in force or villages (e.g. na-long-1,na-long or "Bản Nà Lóng")',
  zones: 'the same as --clusters: zones, villages or cluster ids',
  all: 'every cluster',
};

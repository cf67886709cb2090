// Parsers for option values; a bad value is a usage error (exit 2) in the operator's language.
import { usageError } from './errors.js';
import type { Catalogue } from './i18n.js';

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
  return [...new Set(text.split(',').map((s) => s.trim()).filter(Boolean))];
}

export type ClusterChoice = { clusters: string[] } | { all: true };

/** --clusters A,B or --all, exactly one of them (or neither when `optional`). */
export function clusterChoice(opts: { clusters?: string; all?: boolean }, t: Catalogue, optional = false): ClusterChoice | undefined {
  if (opts.clusters !== undefined && opts.all) throw usageError('LOA_CLI_CLUSTERS_AND_ALL', t.clustersAndAll);
  if (opts.all) return { all: true };
  if (opts.clusters !== undefined) {
    const clusters = parseIdList(opts.clusters);
    if (clusters.length === 0) throw usageError('LOA_CLI_NO_CLUSTERS', t.emptyClusters);
    return { clusters };
  }
  if (optional) return undefined;
  throw usageError('LOA_CLI_NO_CLUSTERS', t.clustersOrAll);
}

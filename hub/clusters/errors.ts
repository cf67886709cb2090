// The errors about which clusters a request names, raised by every module that takes clusters
// (ad-hoc broadcasts, relays, announcements, emergencies, the cluster service), defined once with
// their stable code and HTTP status. Each is a sentence of common/i18n/errors.ts, so the CLI says
// it in the reader's language.
import { type LoaError, sentenceError } from '../../common/errors.js';

export const CLUSTER_ERROR_CODES = {
  LOA_CLUSTER_NOT_FOUND: 404,
  LOA_NO_CLUSTERS: 400,
} as const;

export const clusterErrors = {
  /** No cluster has this id (or these ids: the sentence for several names them all). */
  notFound: (ids: string | readonly string[]): LoaError => {
    const list = typeof ids === 'string' ? [ids] : ids;
    return list.length === 1
      ? sentenceError('LOA_CLUSTER_NOT_FOUND', 'cluster.not-found', { id: list[0]! }, { status: CLUSTER_ERROR_CODES.LOA_CLUSTER_NOT_FOUND })
      : sentenceError('LOA_CLUSTER_NOT_FOUND', 'cluster.unknown', { ids: list.join(', ') }, { status: CLUSTER_ERROR_CODES.LOA_CLUSTER_NOT_FOUND });
  },
  /** The request names no cluster at all (an empty list, or `all` with none registered). */
  none: (): LoaError => sentenceError('LOA_NO_CLUSTERS', 'clusters.none', {}, { status: CLUSTER_ERROR_CODES.LOA_NO_CLUSTERS }),
  /** An emergency's zones hold no cluster. */
  zonesEmpty: (): LoaError => sentenceError('LOA_NO_CLUSTERS', 'zones.empty', {}, { status: CLUSTER_ERROR_CODES.LOA_NO_CLUSTERS }),
};

/** Refuses a request that names no cluster, or names ids that are no cluster (all of them named). */
export function checkClusterIds(ids: readonly string[], exists: (id: string) => boolean): void {
  if (ids.length === 0) throw clusterErrors.none();
  const unknown = ids.filter((c) => !exists(c));
  if (unknown.length > 0) throw clusterErrors.notFound(unknown);
}

// `loa broadcast list`: what is on air, then the most recent broadcasts, newest first; with
// --status scheduled what is to come; filtered by start time, cluster (any name) and kind. The
// hub sorts and filters (GET /api/v1/broadcasts), so --limit counts what was asked for.
import type { BroadcastList } from '../../../hub/http/api.js';
import type { CommandContext } from '../../context.js';
import { cliErrors, usageError } from '../../errors.js';
import { when } from '../../format.js';
import type { Catalogue } from '../../i18n.js';
import type { CommandResult } from '../../output.js';
import { parseIdList } from '../../parse.js';
import { parseDateBound } from '../../time.js';
import { broadcastStatus, targetsSummary } from './view.js';

export interface BroadcastListOptions {
  limit?: number;
  status?: string[];
  since?: string;
  cluster?: string;
  kind?: string[];
}

const STATUSES = ['scheduled', 'running', 'done', 'stopped'];
/** What an operator may type for a kind, to the API's word (the log's `kind` column). */
const KINDS: Record<string, string> = {
  adhoc: 'adhoc',
  'ad-hoc': 'adhoc',
  'on-demand': 'adhoc',
  schedule: 'schedule',
  scheduled: 'schedule',
  emergency: 'emergency',
};

/** --status running,done (or all); a bad word is a usage error naming it. */
export function parseStatuses(text: string, t: Catalogue): string[] {
  const words = parseIdList(text.toLowerCase());
  if (words.length === 1 && words[0] === 'all') return STATUSES;
  const bad = words.find((w) => !STATUSES.includes(w));
  if (words.length === 0 || bad !== undefined) throw usageError('LOA_CLI_BAD_STATUS', t.badListStatus(bad ?? text, STATUSES.join(', ')));
  return words;
}

/** --kind ad-hoc,emergency; the log's words and a few a person types. */
export function parseKinds(text: string, t: Catalogue): string[] {
  const words = parseIdList(text.toLowerCase());
  const bad = words.find((w) => KINDS[w] === undefined);
  if (words.length === 0 || bad !== undefined) throw usageError('LOA_CLI_BAD_KIND', t.badListKind(bad ?? text));
  return [...new Set(words.map((w) => KINDS[w]!))];
}

export async function broadcastList(opts: BroadcastListOptions, ctx: CommandContext): Promise<CommandResult> {
  const { t, tz } = ctx;
  let since: number | undefined;
  if (opts.since !== undefined) {
    since = parseDateBound(opts.since, tz, 'from');
    if (since === undefined) throw cliErrors.badDate(t.badDate(opts.since));
  }
  const body = await ctx.api.get<BroadcastList>('/api/v1/broadcasts', {
    limit: opts.limit,
    status: opts.status?.join(','),
    since,
    cluster: opts.cluster,
    kind: opts.kind?.join(','),
  });
  const filtered = opts.status !== undefined || since !== undefined || opts.cluster !== undefined || opts.kind !== undefined;
  return {
    json: body,
    view: [
      {
        kind: 'table',
        head: [t.hId, t.hKind, t.hMedia, t.hStart, t.hStatus, t.hTargets],
        rows: body.broadcasts.map((b) => [
          b.id,
          b.kind ? (t.kind[b.kind] ?? b.kind) : t.none,
          b.mediaName,
          when(b.startAt, tz, t),
          broadcastStatus(b.status, t),
          targetsSummary(b, t),
        ]),
        empty: filtered ? t.noBroadcastsMatch : t.noBroadcasts,
      },
      // The default leaves out what is still to come: say how to see it.
      ...(opts.status === undefined ? [{ kind: 'line' as const, text: t.broadcastListNote }] : []),
    ],
  };
}

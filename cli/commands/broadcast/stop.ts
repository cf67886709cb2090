// `loa broadcast stop`: stops one broadcast, or what plays on some clusters, or everything.
import type { StopAnswer } from '../../../hub/http/api.js';
import type { CommandContext } from '../../context.js';
import type { CommandResult } from '../../output.js';
import { clusterChoice } from '../../parse.js';

export interface BroadcastStopOptions {
  broadcast?: string;
  clusters?: string;
  zones?: string;
  all?: boolean;
}

export async function broadcastStop(opts: BroadcastStopOptions, ctx: CommandContext): Promise<CommandResult> {
  const { t } = ctx;
  const choice = clusterChoice(opts, t, true);
  // With nothing named, stop means stop everything: what an operator wants in a hurry.
  const body = await ctx.api.post<StopAnswer>('/api/v1/broadcasts/stop', {
    ...(opts.broadcast === undefined ? {} : { broadcastId: opts.broadcast }),
    ...(choice ?? (opts.broadcast === undefined ? { all: true } : {})),
  });
  if (body.stopped.length === 0) return { json: body, view: [{ kind: 'line', text: t.nothingToStop }] };
  return {
    json: body,
    view: [
      { kind: 'line', text: t.stopped(body.stopped.length) },
      { kind: 'table', head: [t.hId, t.hCluster], rows: body.stopped.map((s) => [s.broadcastId, s.clusterId]) },
    ],
  };
}

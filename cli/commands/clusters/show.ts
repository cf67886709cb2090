// `loa clusters show ID`: one cluster with what it plays and its last health report.
import type { ClusterStatus } from '../../../hub/http/api.js';
import type { CommandContext } from '../../context.js';
import { ago, maybe, when } from '../../format.js';
import type { CommandResult } from '../../output.js';

export async function clustersShow(opts: { id: string }, ctx: CommandContext): Promise<CommandResult> {
  const body = await ctx.api.get<{ cluster: ClusterStatus; hubKeys?: string[] }>(`/api/v1/clusters/${encodeURIComponent(opts.id)}`);
  const c = body.cluster;
  const { t, tz } = ctx;
  const now = ctx.clock.now();
  const h = c.health;
  const rows: Array<[string, string]> = [
    [t.hId, c.id],
    [t.hName, c.name ?? ''],
    [t.hVillage, c.village ?? ''],
    [t.hState, c.online ? t.online : t.offline],
    [t.hLastSeen, ago(c.lastSeenAt, now, t)],
    [t.hVolume, String(c.volume)],
    [t.hPlaying, c.playing ? (c.playing.mediaName ?? c.playing.mediaId) : t.none],
    [t.hCreated, when(c.createdAt, tz, t)],
    // What its box lists in `hubKeys` to obey this hub's signed commands.
    ...(body.hubKeys ? [[t.hubKeysLabel, body.hubKeys.join(' ')] as [string, string]] : []),
  ];
  if (h) {
    rows.push(
      [t.hHealthAt, `${when(h.at, tz, t)} (${ago(h.at, now, t)})`],
      [t.hTemperature, maybe(h.cpuTempC, t, (v) => `${v.toFixed(1)} °C`)],
      [t.hLoad, maybe(h.load1, t, (v) => v.toFixed(2))],
      [t.hMemory, maybe(h.memFreeMb, t, (v) => `${Math.round(v)} MB${h.memTotalMb ? ` / ${Math.round(h.memTotalMb)} MB` : ''}`)],
      [t.hDisk, maybe(h.diskFreeMb, t, (v) => `${Math.round(v)} MB`)],
      [t.hUptime, maybe(h.uptimeS, t, (v) => t.uptime(Math.floor(v / 3600), Math.floor((v % 3600) / 60)))],
      [t.hPlayer, maybe(h.player, t)],
      [t.hLastError, maybe(h.lastError, t)],
      [t.hAgent, maybe(h.agent, t)],
    );
  }
  return { json: body, view: [{ kind: 'fields', rows }] };
}

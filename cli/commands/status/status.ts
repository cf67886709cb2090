// `loa status`: which clusters are up, what they play, their last health, as one table, and the
// open alarms below it.
import type { Alarm, HubStatus } from '../../../hub/http/api.js';
import type { CommandContext } from '../../context.js';
import { ago, maybe, short, when } from '../../format.js';
import type { Block, CommandResult } from '../../output.js';
import { alarmsTable } from '../alarms/view.js';

/** The open alarms below the table; none from a hub that predates alarms (no `alarms` in its answer). */
function alarmBlocks(alarms: Alarm[] | undefined, ctx: CommandContext): Block[] {
  if (alarms === undefined) return [];
  if (alarms.length === 0) return [{ kind: 'line', text: ctx.t.noOpenAlarms }];
  return [{ kind: 'line', text: ctx.t.openAlarmsTitle(alarms.length) }, alarmsTable(alarms, ctx, { cleared: false, empty: ctx.t.noOpenAlarms })];
}

export async function status(_opts: Record<string, never>, ctx: CommandContext): Promise<CommandResult> {
  const body = await ctx.api.get<HubStatus>('/api/v1/status');
  const { t, tz } = ctx;
  const now = ctx.clock.now();
  const online = body.clusters.filter((c) => c.online).length;
  return {
    json: body,
    view: [
      { kind: 'line', text: t.hubLine(body.hub.version, when(body.hub.startedAt, tz, t)) },
      {
        kind: 'table',
        head: [t.hCluster, t.hVillage, t.hState, t.hLastSeen, t.hPlaying, t.hVolume, t.hTemperature, t.hLoad, t.hLastError],
        rows: body.clusters.map((c) => [
          c.id,
          c.village ?? '',
          c.online ? t.online : t.offline,
          ago(c.lastSeenAt, now, t),
          c.playing ? short(c.playing.mediaName, 30) : t.none,
          String(c.volume),
          maybe(c.health?.cpuTempC, t, (v) => `${v.toFixed(1)} °C`),
          maybe(c.health?.load1, t, (v) => v.toFixed(2)),
          short(c.health?.lastError) || t.none,
        ]),
        empty: t.noClusters,
      },
      { kind: 'line', text: t.statusSummary(online, body.clusters.length) },
      ...alarmBlocks(body.alarms, ctx),
    ],
  };
}

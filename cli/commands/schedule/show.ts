// `loa schedule show [--versions | --text]`: the schedule in force (version, who applied it and
// when, its programmes), every version applied so far, or the stored file word for word.
import type { CurrentSchedule, ProgrammeSummary, ScheduleVersion } from '../../../hub/http/api.js';
import type { CommandContext } from '../../context.js';
import { when } from '../../format.js';
import type { Catalogue } from '../../i18n.js';
import type { CommandResult } from '../../output.js';

export interface ScheduleShowOptions {
  versions?: boolean;
  text?: boolean;
}

export function priorityText(p: string, t: Catalogue): string {
  return t.priority[p] ?? p;
}

/** The hub says "05:00" or "slot sang". */
function whenText(w: string, t: Catalogue): string {
  return w.startsWith('slot ') ? t.inSlot(w.slice('slot '.length)) : t.atTime(w);
}

function programmeRow(p: ProgrammeSummary, t: Catalogue): string[] {
  return [p.id, p.oneOff ? `${p.name} (${t.event})` : p.name, whenText(p.when, t), priorityText(p.priority, t), String(p.clusters), String(p.items)];
}

async function versions(ctx: CommandContext): Promise<CommandResult> {
  const body = await ctx.api.get<{ versions: ScheduleVersion[] }>('/api/v1/schedules');
  const { t, tz } = ctx;
  return {
    json: body,
    view: [
      {
        kind: 'table',
        head: [t.hVersion, t.hFile, t.hAppliedBy, t.hAppliedAt],
        rows: body.versions.map((v) => [String(v.version), v.file, v.appliedBy, when(v.appliedAt, tz, t)]),
        empty: t.noVersions,
      },
    ],
  };
}

export async function scheduleShow(opts: ScheduleShowOptions, ctx: CommandContext): Promise<CommandResult> {
  if (opts.versions) return versions(ctx);
  const body = await ctx.api.get<{ schedule: CurrentSchedule }>('/api/v1/schedules/current');
  const s = body.schedule;
  const { t, tz } = ctx;
  // Verbatim: what was applied, byte for byte, to diff against the file on disk.
  if (opts.text) return { json: body, view: [], raw: s.text };
  return {
    json: body,
    view: [
      {
        kind: 'fields',
        rows: [
          [t.hSite, s.site ?? '–'],
          [t.hVersion, String(s.version)],
          [t.hFile, s.file],
          [t.hAppliedBy, s.appliedBy],
          [t.hAppliedAt, when(s.appliedAt, tz, t)],
          [t.hTimezone, s.timezone],
        ],
      },
      {
        kind: 'table',
        head: [t.hId, t.hName, t.hWhen, t.hPriority, t.hTargets, t.hItems],
        rows: s.programmes.map((p) => programmeRow(p, t)),
        empty: t.noProgrammes,
      },
    ],
  };
}

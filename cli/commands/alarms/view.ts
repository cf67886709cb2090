// The alarms table, shared by `loa alarms` and the section of `loa status`: subject, kind,
// severity, since, detail (and when it cleared, for the history). Kinds, subjects and details are
// worded by the catalogue the monitor page shares (common/i18n/reasons.ts).
import { detailText, kindWord, subjectWord } from '../../../common/i18n/reasons.js';
import type { CommandContext } from '../../context.js';
import { ago, short, when } from '../../format.js';
import type { Block } from '../../output.js';
import type { Alarm } from '../../../hub/http/api.js';

export function alarmsTable(alarms: Alarm[], ctx: Pick<CommandContext, 't' | 'tz' | 'clock'>, opts: { cleared: boolean; empty: string }): Block {
  const { t, tz } = ctx;
  const now = ctx.clock.now();
  const head = [t.hAlarmSubject, t.hAlarmKind, t.hAlarmSeverity, t.hAlarmSince, t.hAlarmDetail];
  return {
    kind: 'table',
    head: opts.cleared ? [...head, t.hAlarmCleared] : head,
    rows: alarms.map((a) => {
      const row = [
        a.subjectType === 'cluster' ? a.subjectId : `${subjectWord(t.lang, a.subjectType)} ${a.subjectId}`,
        kindWord(t.lang, a.kind),
        t.alarmSeverity[a.severity] ?? a.severity,
        // Open ones say how long they have lasted; the date alone would need reading twice.
        a.clearedAt === null ? `${when(a.raisedAt, tz, t)} (${ago(a.raisedAt, now, t)})` : when(a.raisedAt, tz, t),
        // Translated from the hub's code; the operator's extra (broadcast, the box's words) after it.
        short(detailText(t.lang, a), 60),
      ];
      return opts.cleared ? [...row, a.clearedAt === null ? t.alarmStillOpen : when(a.clearedAt, tz, t)] : row;
    }),
    empty: opts.empty,
  };
}

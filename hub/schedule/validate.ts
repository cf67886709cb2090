// `loa schedule validate`: a schedule file's problems, each with file:line:col, a stable code and a
// sentence. Shape and references come from format.ts; here the timing is checked by planning
// every day from `today` for HORIZON_DAYS (plus every date the file names beyond that): a weekly
// pattern repeats within that window, so what is clean there is clean for good.
import { addDays, dayNumber, epochToZoned, formatDuration, formatTimeOfDay, weekdayOf } from './calendar.js';
import { parseSchedule, type ProgrammeSpots } from './format.js';
import { priorityRank, type Programme, type Schedule, type ScheduleContext, type ScheduleProblem } from './model.js';
import { planDay, type Run } from './day-plan.js';
import { Reporter } from './yaml-reader.js';

export const HORIZON_DAYS = 400;
/** When the context gives no `today` and the file names no date: any week will do for weekdays. */
const FALLBACK_START = '2026-01-05';

/** The local dates whose plans are checked. */
function daysToCheck(s: Schedule, today: string | undefined): string[] {
  const named: string[] = [];
  for (const p of s.programmes) {
    named.push(...p.days.dates);
    for (const r of p.days.ranges) {
      const n = Math.min(dayNumber(r.to) - dayNumber(r.from), HORIZON_DAYS - 1);
      for (let i = 0; i <= n; i++) named.push(addDays(r.from, i));
    }
    // After the last named date the pattern is weekly again: check a fortnight of it too, so a
    // long exception ending beyond the horizon cannot hide a clash that surfaces later.
    for (const r of [...p.days.ranges, ...p.days.except]) for (let i = 1; i <= 14; i++) named.push(addDays(r.to, i));
  }
  const start =
    today ?? [...s.programmes.flatMap((p) => [...p.days.dates, ...p.days.ranges.map((r) => r.from)])].reduce((min, d) => (d < min ? d : min), FALLBACK_START);
  const days = new Set<string>();
  for (let i = 0; i < HORIZON_DAYS; i++) days.add(addDays(start, i));
  for (const d of named) if (d >= start) days.add(d);
  return [...days].sort();
}

function clusterList(ids: string[]): string {
  return ids.length <= 3 ? ids.join(', ') : `${ids.slice(0, 3).join(', ')} (+${ids.length - 3})`;
}

/** Date, weekday and time of day of instant t, for messages. */
function when(s: Schedule, t: number): { date: string; weekday: number; time: string } {
  const z = epochToZoned(s.timezone, t);
  return { date: z.date, weekday: weekdayOf(z.date), time: formatTimeOfDay(z.seconds) };
}

/** True when [run.startAt, run.endAt) on cluster c is entirely covered by the given runs. */
function covered(run: Run, c: string, by: Run[]): boolean {
  const spans = by
    .filter((o) => o.programme.clusters.includes(c))
    .map((o) => [o.startAt, o.endAt] as const)
    .sort((a, b) => a[0] - b[0]);
  let t = run.startAt;
  for (const [a, b] of spans) {
    if (a > t) return false;
    t = Math.max(t, b);
    if (t >= run.endAt) return true;
  }
  return t >= run.endAt;
}

function checkTiming(s: Schedule, spots: Map<string, ProgrammeSpots>, ctx: ScheduleContext, rep: Reporter): void {
  const runs: Run[] = [];
  for (const d of daysToCheck(s, ctx.today)) runs.push(...planDay(s, ctx.media, d));
  const spot = (p: Programme) => spots.get(p.id)!;

  // Programmes longer than what their slot leaves them; one message each, for the first day.
  const tooLong = new Set<Programme>();
  for (const run of runs) {
    const p = run.programme;
    if (!run.slot || run.limitAt === null || tooLong.has(p)) continue;
    // A repeating programme fills what is left, but something must be left.
    if (p.repeat ? run.startAt < run.limitAt : run.startAt + run.needMs <= run.limitAt) continue;
    tooLong.add(p);
    rep.report('SCHEDULE_TOO_LONG', spot(p).items, {
      id: p.id,
      need: formatDuration(run.needMs),
      left: formatDuration(Math.max(0, run.limitAt - run.startAt)),
      slot: run.slot.name,
      date: run.localDate,
      weekday: weekdayOf(run.localDate),
      after: run.after.map((q) => q.id).join(', '),
    });
  }

  // Overlaps on shared clusters: a sweep over the runs in start order.
  const playing = runs.filter((r) => r.endAt > r.startAt).sort((a, b) => a.startAt - b.startAt);
  const reported = new Set<string>();
  const higherOver = new Map<Run, Run[]>();
  let active: Run[] = [];
  for (const b of playing) {
    active = active.filter((a) => a.endAt > b.startAt);
    for (const a of active) {
      if (a.programme === b.programme) continue;
      const shared = b.programme.clusters.filter((c) => a.programme.clusters.includes(c));
      if (shared.length === 0) continue;
      const [pa, pb] = [a.programme, b.programme];
      const rank = priorityRank(pa.priority) - priorityRank(pb.priority);
      if (rank !== 0) {
        const [hi, lo] = rank > 0 ? [a, b] : [b, a];
        higherOver.set(lo, [...(higherOver.get(lo) ?? []), hi]);
      }
      const pairKey = [pa.id, pb.id].sort().join('\u0000');
      if (reported.has(pairKey)) continue;
      const w = when(s, b.startAt);
      if (rank === 0) {
        reported.add(pairKey);
        const [later, earlier] = pa.pos.line > pb.pos.line ? [pa, pb] : [pb, pa];
        rep.report('SCHEDULE_OVERLAP', spot(later).when, { id: later.id, other: earlier.id, priority: pa.priority, clusters: clusterList(shared), ...w });
      } else {
        const [hi, lo] = rank > 0 ? [pa, pb] : [pb, pa];
        // Filler exists to be interrupted: saying so every time would bury the real warnings.
        if (lo.priority === 'filler') continue;
        reported.add(pairKey);
        rep.report('SCHEDULE_PREEMPTS', spot(hi).when, {
          id: hi.id,
          other: lo.id,
          higher: hi.priority,
          lower: lo.priority,
          clusters: clusterList(shared),
          ...w,
        });
      }
    }
    active.push(b);
  }

  // Programmes never heard: every moment of every run, on every cluster, under a higher priority.
  const byProgramme = new Map<Programme, Run[]>();
  for (const r of runs) byProgramme.set(r.programme, [...(byProgramme.get(r.programme) ?? []), r]);
  for (const p of s.programmes) {
    const mine = (byProgramme.get(p) ?? []).filter((r) => r.endAt > r.startAt);
    if (mine.length === 0 || p.clusters.length === 0) continue;
    const heard = mine.some((r) => p.clusters.some((c) => !covered(r, c, higherOver.get(r) ?? [])));
    if (heard) continue;
    const by = [...new Set(mine.flatMap((r) => (higherOver.get(r) ?? []).map((o) => `"${o.programme.id}"`)))];
    rep.report('SCHEDULE_ALWAYS_PREEMPTED', spot(p).when, { id: p.id, by: by.join(', ') });
  }

  // Programmes on no day at all, and events already past.
  for (const p of s.programmes) {
    const date = p.days.dates[0];
    if (p.oneOff && date && ctx.today && date < ctx.today) {
      rep.report('SCHEDULE_EVENT_PAST', spot(p).date ?? spot(p).days, { id: p.id, date });
    } else if (!byProgramme.has(p)) {
      rep.report('SCHEDULE_NO_DAYS', spot(p).days, { id: p.id });
    }
  }
}

/**
 * Checks a schedule file against the hub (its clusters and media). `schedule` is null when any
 * problem is an error; problems come sorted by line and column.
 */
export function validateSchedule(text: string, file: string, ctx: ScheduleContext): { schedule: Schedule | null; problems: ScheduleProblem[] } {
  const parsed = parseSchedule(text, file, ctx);
  const rep = new Reporter(file, ctx.lang ?? 'en');
  if (parsed.schedule) checkTiming(parsed.schedule, parsed.spots, ctx, rep);
  const problems = [...parsed.problems, ...rep.problems].sort((a, b) => a.line - b.line || a.col - b.col);
  const ok = parsed.schedule !== null && !problems.some((p) => p.severity === 'error');
  return { schedule: ok ? parsed.schedule : null, problems };
}

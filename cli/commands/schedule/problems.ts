// How schedule problems read: one compiler-style line each, `FILE:LINE:COL: error CODE: message`,
// sorted by line and column, then a count. Shared by `schedule validate` and `schedule apply`.
import type { ScheduleChanges, ScheduleProblem } from '../../../hub/http/api.js';
import type { Catalogue } from '../../i18n.js';
import type { Block } from '../../output.js';

export function sortProblems(problems: ScheduleProblem[]): ScheduleProblem[] {
  // Array.prototype.sort is stable: problems on one spot keep the hub's order.
  return [...problems].sort((a, b) => a.line - b.line || a.col - b.col);
}

export function problemLine(p: ScheduleProblem, t: Catalogue): string {
  return `${p.file}:${p.line}:${p.col}: ${t.severity[p.severity] ?? p.severity} ${p.code}: ${p.message}`;
}

export function countErrors(problems: ScheduleProblem[]): { errors: number; warnings: number } {
  const errors = problems.filter((p) => p.severity === 'error').length;
  return { errors, warnings: problems.length - errors };
}

/** Every problem, then the summary line. */
export function problemBlocks(problems: ScheduleProblem[], t: Catalogue): Block[] {
  const { errors, warnings } = countErrors(problems);
  return [...sortProblems(problems).map((p): Block => ({ kind: 'line', text: problemLine(p, t) })), { kind: 'line', text: t.problemSummary(errors, warnings) }];
}

const list = (ids: string[], t: Catalogue): string => (ids.length === 0 ? t.none : ids.join(', '));

/** Which programme ids a new file adds, removes, changes and leaves as they are. */
export function changesBlock(c: ScheduleChanges, t: Catalogue): Block {
  return {
    kind: 'fields',
    rows: [
      [t.hAdded, list(c.added, t)],
      [t.hRemoved, list(c.removed, t)],
      [t.hChanged, list(c.changed, t)],
      [t.hUnchanged, list(c.unchanged, t)],
    ],
  };
}

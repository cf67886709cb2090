// `loa schedule apply FILE [--dry-run]`: puts a schedule file in force as a new version (or, dry,
// shows what would change). A file with errors is refused whole: every problem is printed, exit 1.
import { ApiError } from '../../api-client.js';
import type { ApplyAnswer, ScheduleProblem, ValidateAnswer } from '../../../hub/http/api.js';
import type { CommandContext } from '../../context.js';
import type { CommandResult } from '../../output.js';
import { readScheduleFile, type ScheduleFileBody } from './file.js';
import { changesBlock, problemBlocks } from './problems.js';

function isProblemList(v: unknown): v is ScheduleProblem[] {
  return Array.isArray(v) && v.every((p) => typeof p === 'object' && p !== null && 'line' in p && 'code' in p);
}

/** The refusal's problems: from `error.details`, else (a hub that leaves them out) by validating. */
async function refusalProblems(e: ApiError, body: ScheduleFileBody, ctx: CommandContext): Promise<ScheduleProblem[]> {
  if (isProblemList(e.details)) return e.details;
  return (await ctx.api.post<ValidateAnswer>('/api/v1/schedules/validate', body)).problems;
}

export async function scheduleApply(opts: { file: string; dryRun?: boolean }, ctx: CommandContext): Promise<CommandResult> {
  const { t } = ctx;
  const body = await readScheduleFile(opts.file, ctx);
  let answer: ApplyAnswer;
  try {
    answer = await ctx.api.post<ApplyAnswer>(`/api/v1/schedules${opts.dryRun ? '?dryRun=1' : ''}`, body);
  } catch (e) {
    if (!(e instanceof ApiError) || e.code !== 'LOA_SCHEDULE_INVALID') throw e;
    const problems = await refusalProblems(e, body, ctx);
    return {
      json: { error: { code: e.code, message: e.message, details: problems } },
      view: [...problemBlocks(problems, t), { kind: 'line', text: t.applyRefused(opts.file) }],
      exitCode: 1,
    };
  }
  const headline = answer.dryRun || answer.version === null ? t.dryRun(opts.file) : t.applied(answer.version, opts.file);
  return {
    json: answer,
    view: [
      { kind: 'line', text: headline },
      changesBlock(answer.changes, t),
      // Warnings only: an answer with errors is a 422.
      ...(answer.problems.length > 0 ? problemBlocks(answer.problems, t) : []),
    ],
  };
}

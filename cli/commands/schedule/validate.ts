// `loa schedule validate FILE`: the hub checks the file against its clusters and media library
// and names every problem with file:line:column; exit 1 when any is an error (warnings alone: 0).
import type { ValidateAnswer } from '../../../hub/http/api.js';
import type { CommandContext } from '../../context.js';
import type { CommandResult } from '../../output.js';
import { readScheduleFile } from './file.js';
import { countErrors, problemBlocks } from './problems.js';

export async function scheduleValidate(opts: { file: string }, ctx: CommandContext): Promise<CommandResult> {
  const body = await readScheduleFile(opts.file, ctx);
  const answer = await ctx.api.post<ValidateAnswer>('/api/v1/schedules/validate', body);
  const { errors } = countErrors(answer.problems);
  const { t } = ctx;
  return {
    json: answer,
    view: [...problemBlocks(answer.problems, t), { kind: 'line', text: errors > 0 ? t.validateFailed(opts.file) : t.validateOk(opts.file, answer.programmes) }],
    exitCode: errors > 0 ? 1 : 0,
  };
}

// `loa cameras snapshot ID [-o FILE]`: a fresh picture through the hub's snapshot proxy, written as
// a JPEG file (by default ID-<date>T<time>.jpg in the current folder, the time it was taken).
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CommandContext } from '../../context.js';
import { CliError } from '../../errors.js';
import { bytes } from '../../format.js';
import type { CommandResult } from '../../output.js';
import { formatDateTime, formatIsoInZone } from '../../time.js';

/** cam-1 taken 2025-06-01 22:15:03 in tz → cam-1-2025-06-01T221503.jpg (no colons: Windows shares). */
export function defaultSnapshotName(id: string, takenAt: number, tz: string): string {
  return `${id}-${formatIsoInZone(takenAt, tz).slice(0, 19).replace(/:/g, '')}.jpg`;
}

export async function camerasSnapshot(opts: { id: string; output?: string }, ctx: CommandContext): Promise<CommandResult> {
  const { t, tz } = ctx;
  const answer = await ctx.api.bytes(`/api/v1/cameras/${encodeURIComponent(opts.id)}/snapshot`);
  const type = answer.headers.get('content-type') ?? '';
  if (!type.startsWith('image/jpeg')) throw new CliError('LOA_CLI_NOT_JPEG', t.notJpeg(type));
  const takenAt = Date.parse(answer.headers.get('x-snapshot-taken-at') ?? '') || ctx.clock.now();
  const file = resolve(ctx.io.cwd, opts.output ?? defaultSnapshotName(opts.id, takenAt, tz));
  try {
    await writeFile(file, answer.body);
  } catch (e) {
    throw new CliError('LOA_CLI_CANNOT_WRITE', t.cannotWrite(file, (e as NodeJS.ErrnoException).code ?? String(e)));
  }
  return {
    json: { camera: opts.id, file, bytes: answer.body.length, takenAt },
    view: [{ kind: 'line', text: t.snapshotSaved(opts.id, file, bytes(answer.body.length), formatDateTime(takenAt, tz)) }],
  };
}

// `loa announce (--text "…" | --file F) [--voice V] [--chime] [--emergency] (--all | --clusters a,b)`:
// the hub reads the text out (or takes the file), adds the chime, imports and puts it on air.
import { createReadStream } from 'node:fs';
import { basename, resolve } from 'node:path';
import { ApiError } from '../../api-client.js';
import type { AnnounceAnswer } from '../../../hub/http/api.js';
import type { CommandContext } from '../../context.js';
import { cliErrors, usageError } from '../../errors.js';
import { checkLocalFile } from '../../local-file.js';
import { bytes } from '../../format.js';
import { announceTexts } from '../../i18n-announce.js';
import type { CommandResult } from '../../output.js';
import { clusterChoice } from '../../parse.js';
import { createProgress } from '../../progress.js';
import { broadcastFields } from '../broadcast/view.js';
import { announceLive } from './live.js';

export interface AnnounceOptions {
  text?: string;
  file?: string;
  mic?: boolean;
  micDevice?: string;
  /** With --file: push the file as a live stream (real time) instead of importing it. */
  live?: boolean;
  /** Seconds, for --mic and --file --live. */
  duration?: string;
  voice?: string;
  chime?: boolean;
  emergency?: boolean;
  clusters?: string;
  zones?: string;
  all?: boolean;
}

const pct = (x: number): string => String(Math.floor(Math.min(100, Math.max(0, x))));

export async function announce(opts: AnnounceOptions, ctx: CommandContext): Promise<CommandResult> {
  const { t } = ctx;
  const a = announceTexts(t.lang);
  // Everything typed is checked before the hub is asked anything.
  if (opts.live && opts.file === undefined) throw usageError('LOA_CLI_ANNOUNCE_LIVE', a.liveNeedsFile);
  const sources = [opts.text !== undefined, opts.file !== undefined, opts.mic === true].filter(Boolean).length;
  if (sources !== 1) throw usageError('LOA_CLI_ANNOUNCE_SOURCE', a.textOrFile);
  const live = opts.mic === true || opts.live === true;
  if (opts.micDevice !== undefined && !opts.mic) throw usageError('LOA_CLI_ANNOUNCE_LIVE', a.micDeviceNeedsMic);
  if (opts.duration !== undefined && !(live && /^\d+(\.\d+)?$/.test(opts.duration) && Number(opts.duration) > 0))
    throw usageError('LOA_CLI_ANNOUNCE_LIVE', a.badDuration);
  if (live && opts.voice !== undefined) throw usageError('LOA_CLI_ANNOUNCE_LIVE', a.liveOptions);
  if (live) return announceLive(opts, clusterChoice(opts, t)!, ctx);
  if (opts.text !== undefined && opts.text.trim() === '') throw usageError('LOA_CLI_ANNOUNCE_EMPTY', a.emptyText);
  if (opts.file !== undefined && opts.voice !== undefined) throw usageError('LOA_CLI_ANNOUNCE_VOICE', a.voiceWithFile);
  const choice = clusterChoice(opts, t)!;
  const answer = opts.text !== undefined ? await fromText(opts, choice, ctx) : await fromFile(opts.file!, opts, choice, ctx);
  const seconds = (answer.media.durationMs / 1000).toFixed(1);
  const mediaLine = { kind: 'line' as const, text: a.mediaLine(answer.media.name, seconds) };
  if (answer.emergency) {
    return { json: answer, view: [{ kind: 'line', text: a.announcedEmergency(answer.emergency.id, answer.emergency.clusters.length) }, mediaLine] };
  }
  const b = answer.broadcast!;
  return { json: answer, view: [{ kind: 'line', text: a.announced(b.id, b.targets.length) }, mediaLine, broadcastFields(b, t, ctx.tz)] };
}

async function fromText(opts: AnnounceOptions, choice: object, ctx: CommandContext): Promise<AnnounceAnswer> {
  if (!ctx.json) ctx.io.stderr.write(`${announceTexts(ctx.t.lang).synthesising}\n`);
  return ctx.api.post<AnnounceAnswer>('/api/v1/announcements', {
    text: opts.text,
    ...(opts.voice === undefined ? {} : { voice: opts.voice }),
    chime: opts.chime === true,
    emergency: opts.emergency === true,
    ...choice,
  });
}

/** Streams the file like `loa media add`, following the hub's NDJSON progress. */
async function fromFile(file: string, opts: AnnounceOptions, choice: { clusters?: string[]; all?: true }, ctx: CommandContext): Promise<AnnounceAnswer> {
  const { t } = ctx;
  const path = resolve(ctx.io.cwd, file);
  const size = await checkLocalFile(path, t);
  const query = {
    filename: basename(path),
    chime: opts.chime ? '1' : '0',
    emergency: opts.emergency ? '1' : '0',
    ...(choice.all ? { all: '1' } : { clusters: (choice.clusters ?? []).join(',') }),
  };
  const progress = createProgress(ctx.io.stderr, () => ctx.clock.now());
  try {
    let uploadReported = false;
    const onSent = (sent: number): void => {
      const p = size === 0 ? 100 : (sent / size) * 100;
      progress.update(`upload:${Math.floor(p / 10)}`, t.uploading(pct(p), bytes(sent), bytes(size)));
    };
    for await (const ev of ctx.api.upload('/api/v1/announcements', query, createReadStream(path), size, onSent)) {
      if (!uploadReported) {
        progress.update('uploaded', t.uploaded);
        uploadReported = true;
      }
      if (ev.event === 'progress') progress.update(`${ev.phase}:${Math.floor(ev.percent / 10)}`, t.phase(ev.phase, pct(ev.percent)));
      else if (ev.event === 'error') throw new ApiError(ev.error?.code ?? 'LOA_ANNOUNCE_FAILED', ev.error?.message ?? 'the announcement failed', 422);
      // The done line carries the broadcast or emergency besides the media (hub/http/routes/announce.ts).
      else if (ev.event === 'done') return ev as unknown as AnnounceAnswer;
    }
  } finally {
    progress.end();
  }
  throw cliErrors.uploadUnfinished(t);
}

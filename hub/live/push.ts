// A live stream whose source is audio pushed by the operator (`loa announce --mic` / `--file --live`,
// POST /api/v1/live/push): the request body feeds the stream's ffmpeg; the stream ends when the
// body ends, when the upload stalls (no bytes for stallMs), or when the operator's connection drops.
import type { Readable } from 'node:stream';
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { LiveInfo, LiveService, PushOptions } from './service.js';

/** How a pushed stream ended: the body ended, the upload stalled or broke off, the hub stopped it
 *  (DELETE /api/v1/live/{id} or shutdown), or ffmpeg could not read the pushed audio. */
export type PushEnd = 'ended' | 'stalled' | 'aborted' | 'stopped' | 'failed';

export interface PushResult {
  stream: LiveInfo;
  end: PushEnd;
  durationMs: number;
}

export interface PushRequest extends PushOptions {
  input: Readable;
  clusterIds: string[] | 'all';
  createdBy: string;
  /** No bytes from the operator for this long ends the stream. */
  stallMs: number;
}

const WATCH_MS = 250;
/** After the body ends, boxes get this long to play what they hold before a stop is sent. A box
 *  that saw the stream's end acks `finished` by itself and gets no stop. */
export const PUSH_DRAIN_MS = 1500;

/** Starts the stream (throws as POST /api/v1/live does: no clusters, unknown cluster) and returns
 *  `started` at once and `done` when the stream is over. */
export async function startPushedStream(
  live: LiveService,
  req: PushRequest,
  deps: { clock: Clock; logger: Logger },
): Promise<{ started: LiveInfo; done: Promise<PushResult> }> {
  const { clock } = deps;
  const started = await live.startPush({
    input: req.input,
    clusterIds: req.clusterIds,
    createdBy: req.createdBy,
    chime: req.chime === true,
    emergency: req.emergency === true,
  });
  const log = deps.logger.child({ streamId: started.id });
  let lastDataAt = clock.now();
  let bodyEnded = false;
  let end: PushEnd | null = null;
  let timer: TimerHandle | null = null;
  // A listener beside the pipe to ffmpeg's stdin: both see every chunk.
  const onData = (): void => {
    lastDataAt = clock.now();
  };
  const onEnd = (): void => {
    bodyEnded = true;
  };
  const onClose = (): void => {
    if (bodyEnded || end) return;
    end = 'aborted';
    log.warn("live push: the operator's upload broke off; ending the stream");
    void live.stop(started.id, { reason: 'push-aborted' }).catch((e: unknown) => log.error({ err: String(e) }, 'stopping a pushed stream failed'));
  };
  req.input
    .on('data', onData)
    .on('end', onEnd)
    .on('close', onClose)
    .on('error', () => {});
  const watch = (): void => {
    timer = null;
    if (end || bodyEnded) return;
    const quietMs = clock.now() - lastDataAt;
    if (quietMs >= req.stallMs) {
      end = 'stalled';
      log.warn({ quietMs }, `live push stalled: no audio from the operator for ${(quietMs / 1000).toFixed(1)} s; ending the stream`);
      // The boxes are told to stop: the operator is gone and will not end the stream.
      void live.stop(started.id, { reason: 'push-stalled' }).catch((e: unknown) => log.error({ err: String(e) }, 'stopping a stalled push failed'));
      return;
    }
    timer = clock.setTimeout(watch, WATCH_MS);
  };
  timer = clock.setTimeout(watch, WATCH_MS);
  const done = live.whenEnded(started.id).then(async (why): Promise<PushResult> => {
    timer?.cancel();
    req.input.off('data', onData).off('end', onEnd).off('close', onClose);
    // A request cut short must not keep its socket: the hub answers (if it still can) and closes it.
    if (!bodyEnded) req.input.unpipe();
    const final = end ?? (why === 'source-ended' ? 'ended' : why === 'source-failed' ? 'failed' : 'stopped');
    if (final === 'ended' || final === 'failed') {
      await new Promise<void>((resolve) => clock.setTimeout(resolve, PUSH_DRAIN_MS));
      await live.stopPlays(started.id).catch((e: unknown) => log.error({ err: String(e) }, 'stopping the boxes after a push failed'));
      // The broadcast row: the boxes that played to the end finished (stopped ones were by stop()).
      live.closeLog(started.id, final === 'ended' ? { status: 'finished' } : { status: 'stopped', reason: 'source-failed' });
    }
    const stream = live.get(started.id) ?? started;
    const durationMs = (stream.endedAt ?? clock.now()) - stream.startedAt;
    log.info({ end: final, durationMs, audioMs: stream.audioMs }, 'live push over');
    return { stream, end: final, durationMs };
  });
  return { started, done };
}

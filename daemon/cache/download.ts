// One media download: into <id>.part, resumed with `Range: bytes=<size>-` after a cut, retried
// with backoff until a deadline, and renamed into place only when the SHA-256 of the whole file
// (the part already on disk included) equals the media id.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, stat, unlink } from 'node:fs/promises';
import type { Clock, TimerHandle } from '../../common/clock.js';
import { sleep } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { MediaRef } from '../../protocol/index.js';
import { Backoff } from '../backoff.js';
import { httpGet, type GetResponse } from '../http-get.js';
import { causeOf, MediaError, RetryableError } from './errors.js';

export interface DownloadOptions {
  media: MediaRef;
  url: URL;
  /** Authorization for the hub, or nothing for another host. */
  headers: Record<string, string>;
  /** The hub's CA: the only one trusted for https://. */
  ca?: Buffer | undefined;
  part: string;
  dest: string;
  clock: Clock;
  logger: Logger;
  /** Clock time after which no attempt starts and the running one is cut. Read before each
   *  attempt, because a second play of the same media may push it later. */
  deadline: () => number;
  random: () => number;
  retry: { minMs: number; maxMs: number };
  /** No byte for this long (clock ms) means the connection hangs: cut it and resume. */
  stallMs: number;
  /** Aborted when the cache closes (the daemon stops): no new attempt, the running one is cut. */
  signal?: AbortSignal;
  /** Bytes in the part file, after each attempt (the cache counts them against its cap). */
  onPartSize?: (bytes: number) => void;
}

const DEADLINE_PASSED = 'the deadline passed';
/** Progress lines at most this often per download (clock ms), so a slow 4G fetch shows it moves. */
const PROGRESS_EVERY_MS = 10_000;

/** Downloads until `dest` holds the verified file; throws MediaError when it cannot. */
export async function downloadMedia(o: DownloadOptions): Promise<void> {
  const { media, clock } = o;
  const log = o.logger;
  const backoff = new Backoff({ ...o.retry, random: o.random });
  let mismatches = 0;
  let attempts = 0;
  let lastError = '';
  let lastSize = 0;
  for (;;) {
    if (o.signal?.aborted) throw new MediaError('media-fetch-failed', `download of ${o.url.href} stopped: the media cache closed`);
    if (clock.now() >= o.deadline()) {
      throw new MediaError('media-fetch-failed', `gave up on ${o.url.href} at its deadline after ${attempts} attempt(s): ${lastError || 'no time left'}`);
    }
    attempts += 1;
    let hash: Hash;
    try {
      hash = await attempt(o, attempts);
    } catch (e) {
      if (e instanceof Mismatch) {
        await restartAfterMismatch(o, ++mismatches, e.message);
        continue;
      }
      if (!(e instanceof RetryableError)) throw e instanceof MediaError ? e : new MediaError('media-fetch-failed', `${o.url.href}: ${causeOf(e)}`);
      // A cut at the deadline says less than what went wrong before it.
      lastError = e.message === DEADLINE_PASSED && lastError ? lastError : e.message;
      if (o.signal?.aborted) continue;
      const size = await sizeOf(o.part);
      o.onPartSize?.(size);
      // A flapping link that still moves the download forward is retried quickly again.
      if (size > lastSize) backoff.reset();
      lastSize = size;
      const delay = backoff.next();
      // Waiting past the deadline would only delay the failure the play needs to hear about.
      if (clock.now() + delay >= o.deadline()) {
        throw new MediaError(
          'media-fetch-failed',
          `gave up on ${o.url.href} after ${attempts} attempt(s), ${size} of ${media.bytes} bytes kept for later: ${lastError}`,
        );
      }
      log.warn({ attempt: attempts, retryInMs: delay, have: size, bytes: media.bytes, err: lastError }, 'media download interrupted; will resume');
      await sleep(clock, delay);
      continue;
    }
    const sha = hash.digest('hex');
    if (sha !== media.id) {
      await restartAfterMismatch(o, ++mismatches, `SHA-256 ${sha.slice(0, 12)}…, expected ${media.id.slice(0, 12)}…`);
      continue;
    }
    await rename(o.part, o.dest);
    o.onPartSize?.(0);
    return;
  }
}

/** The file is wrong as a whole (a stale part, a bad proxy, a changed file): delete it and fetch
 *  from zero once; a second wrong file is the hub's problem, reported as media-corrupt. */
async function restartAfterMismatch(o: DownloadOptions, mismatches: number, what: string): Promise<void> {
  await unlink(o.part).catch(() => undefined);
  o.onPartSize?.(0);
  if (mismatches >= 2) throw new MediaError('media-corrupt', `${o.url.href} gave a wrong file twice (last: ${what})`);
  o.logger.warn({ detail: what }, 'downloaded media is wrong; deleting it and fetching it again from the start');
}

class Mismatch extends Error {}

/** One HTTP request. Resolves with the hash of the complete part file (media.bytes long). */
async function attempt(o: DownloadOptions, n: number): Promise<Hash> {
  const { media, clock } = o;
  let have = await sizeOf(o.part);
  if (have > media.bytes) {
    await unlink(o.part);
    have = 0;
  }
  let hash = createHash('sha256');
  // The bytes already on disk go into the hash first, read back rather than remembered: they are
  // what the file will hold, whatever a crash or a cut did to the last write.
  if (have > 0) await hashFileInto(o.part, hash);
  if (have === media.bytes) return hash;
  const headers = have > 0 ? { ...o.headers, range: `bytes=${have}-` } : o.headers;
  const abort = new AbortController();
  const cut = (why: string) => abort.abort(new RetryableError(why));
  const onClose = () => cut('the media cache closed');
  o.signal?.addEventListener('abort', onClose, { once: true });
  const untilDeadline = clock.setTimeout(() => cut(DEADLINE_PASSED), o.deadline() - clock.now());
  let stall: TimerHandle = clock.setTimeout(() => cut(`no data for ${o.stallMs} ms`), o.stallMs);
  const log = o.logger.child({ attempt: n });
  try {
    let res: GetResponse;
    try {
      res = await httpGet(o.url, headers, abort.signal, o.ca);
    } catch (e) {
      throw abort.signal.aborted ? abort.signal.reason : new RetryableError(`cannot fetch ${o.url.href}: ${causeOf(e)}`);
    }
    if (have > 0 && res.status === 206) {
      const start = /^bytes (\d+)-/.exec(res.header('content-range') ?? '')?.[1];
      if (Number(start) !== have) {
        res.cancel();
        await unlink(o.part).catch(() => undefined);
        throw new RetryableError(`asked for bytes from ${have}, got Content-Range "${res.header('content-range')}"; starting again from zero`);
      }
      log.info({ from: have, bytes: media.bytes }, 'resuming media download');
    } else if (res.status === 200) {
      // A server (or proxy) that ignores Range sends the whole file: start the part again.
      if (have > 0) log.info({ had: have }, 'the server sent the whole file instead of the rest; starting again from zero');
      have = 0;
      hash = createHash('sha256');
    } else {
      res.cancel();
      if (res.status === 416) {
        await unlink(o.part).catch(() => undefined);
        throw new RetryableError(`HTTP 416 for bytes from ${have}; starting again from zero`);
      }
      const msg = `HTTP ${res.status} ${res.statusText} from ${o.url.href}`;
      if (res.status >= 500 || res.status === 408 || res.status === 429) throw new RetryableError(msg);
      throw new MediaError('media-fetch-failed', msg);
    }
    const file = await open(o.part, have > 0 ? 'a' : 'w', 0o644);
    let received = have;
    let loggedAt = clock.now();
    try {
      try {
        for await (const chunk of res.body) {
          stall.cancel();
          stall = clock.setTimeout(() => cut(`no data for ${o.stallMs} ms`), o.stallMs);
          // Never store more than announced: a runaway or hostile answer must not fill the SD card.
          if (received + chunk.length > media.bytes) throw new Mismatch(`more than the announced ${media.bytes} bytes`);
          hash.update(chunk);
          // Awaited one by one, so that after a cut the part holds exactly the bytes received.
          await file.write(chunk).catch((e: unknown) => {
            // A full or failing SD card is not cured by asking the hub again.
            throw new MediaError('media-fetch-failed', `cannot write ${o.part}: ${causeOf(e)}`);
          });
          received += chunk.length;
          if (clock.now() - loggedAt >= PROGRESS_EVERY_MS) {
            loggedAt = clock.now();
            log.info({ have: received, bytes: media.bytes, percent: Math.floor((received / media.bytes) * 100) }, 'media download progress');
          }
        }
      } catch (e) {
        if (e instanceof Mismatch || e instanceof MediaError) throw e;
        throw abort.signal.aborted ? abort.signal.reason : new RetryableError(`download broke off after ${received} of ${media.bytes} bytes: ${causeOf(e)}`);
      }
      if (received < media.bytes) throw new RetryableError(`the answer ended after ${received} of ${media.bytes} bytes`);
      // The rename that follows must not land on disk before the data does (power cuts).
      await file.sync();
    } finally {
      await file.close();
    }
    return hash;
  } finally {
    untilDeadline.cancel();
    stall.cancel();
    o.signal?.removeEventListener('abort', onClose);
  }
}

/** Feeds a file into a hash as a stream (a 15 MB file never sits in memory whole). */
export async function hashFileInto(path: string, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) hash.update(chunk as Buffer);
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await hashFileInto(path, hash);
  return hash.digest('hex');
}

async function sizeOf(path: string): Promise<number> {
  return (await stat(path).catch(() => null))?.size ?? 0;
}

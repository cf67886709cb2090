// The box's media cache: <dataDir>/media/<sha256>. A file lands there only after its SHA-256 was
// checked against the media id, so anything in the cache can be played without checking again.
// Downloads go to <sha256>.part first; the name is stable per media so that a later issue can
// resume an interrupted download with a Range request instead of starting again.
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Logger } from '../common/logger.js';
import type { MediaRef } from '../protocol/index.js';

export type MediaFailure = 'media-fetch-failed' | 'media-corrupt';

export class MediaError extends Error {
  constructor(
    readonly reason: MediaFailure,
    message: string,
  ) {
    super(message);
    this.name = 'MediaError';
  }
}

export interface MediaCacheOptions {
  dataDir: string;
  hubHttpUrl: string;
  clusterId: string;
  secret: string;
  logger: Logger;
}

/** Slowest link we still wait for (bytes/s) when deciding that a download hangs. */
const SLOWEST_BYTES_PER_S = 8_000;

export class MediaCache {
  readonly dir: string;
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly hubOrigin: string;
  private readonly auth: string;

  constructor(private readonly opts: MediaCacheOptions) {
    this.dir = join(opts.dataDir, 'media');
    mkdirSync(this.dir, { recursive: true });
    this.hubOrigin = new URL(opts.hubHttpUrl).origin;
    this.auth = `Basic ${Buffer.from(`${opts.clusterId}:${opts.secret}`).toString('base64')}`;
  }

  pathFor(mediaId: string): string {
    return join(this.dir, mediaId);
  }

  /** The local path of the media, downloading it first when needed. `signal` stops waiting (the
   *  download itself goes on and fills the cache, since another play may want it soon). */
  async ensure(media: MediaRef, signal?: AbortSignal): Promise<string> {
    const path = this.pathFor(media.id);
    const have = await stat(path).catch(() => null);
    if (have?.isFile() && have.size === media.bytes) return path;
    let download = this.inflight.get(media.id);
    if (!download) {
      download = this.download(media, path).finally(() => this.inflight.delete(media.id));
      this.inflight.set(media.id, download);
    }
    return signal ? abortable(download, signal) : download;
  }

  private async download(media: MediaRef, path: string): Promise<string> {
    const url = new URL(media.url, this.opts.hubHttpUrl);
    // The cluster's credentials go to the hub only, never to a host named in a command.
    const headers: Record<string, string> = url.origin === this.hubOrigin ? { authorization: this.auth } : {};
    const part = `${path}.part`;
    const log = this.opts.logger.child({ mediaId: media.id });
    log.info({ url: url.href, bytes: media.bytes }, 'fetching media');
    const started = performance.now();
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: AbortSignal.timeout(Math.ceil(60_000 + (media.bytes / SLOWEST_BYTES_PER_S) * 1000)) });
    } catch (e) {
      throw new MediaError('media-fetch-failed', `cannot fetch ${url.href}: ${causeOf(e)}`);
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel().catch(() => undefined);
      throw new MediaError('media-fetch-failed', `HTTP ${res.status} ${res.statusText} from ${url.href}`);
    }
    const hash = createHash('sha256');
    let received = 0;
    const check = new Transform({
      transform(chunk: Buffer, _enc, done) {
        received += chunk.length;
        // Never store more than announced: a runaway or hostile answer must not fill the SD card.
        if (received > media.bytes) return done(new MediaError('media-corrupt', `the hub sent more than the announced ${media.bytes} bytes`));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), check, createWriteStream(part, { mode: 0o644 }));
    } catch (e) {
      await unlink(part).catch(() => undefined);
      if (e instanceof MediaError) throw e;
      throw new MediaError('media-fetch-failed', `download of ${url.href} broke off after ${received} bytes: ${causeOf(e)}`);
    }
    const sha = hash.digest('hex');
    if (sha !== media.id) {
      await unlink(part).catch(() => undefined);
      throw new MediaError('media-corrupt', `downloaded ${received} bytes with SHA-256 ${sha.slice(0, 12)}…, expected ${media.id.slice(0, 12)}…`);
    }
    await rename(part, path);
    log.info({ bytes: received, ms: Math.round(performance.now() - started) }, 'media cached');
    return path;
  }
}

function causeOf(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = (e as { cause?: unknown }).cause;
  return cause instanceof Error ? `${e.message} (${cause.message})` : e.message;
}

function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

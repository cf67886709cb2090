// Fixtures for the media cache suites: a cache on a temp dir with its log lines captured, and a
// clock the test moves by hand (its timers still run in real time, for retries and stalls).
import { PassThrough } from 'node:stream';
import type { Clock } from '../../common/clock.js';
import { createLogger } from '../../common/logger.js';
import { MediaCache, type MediaCacheOptions } from '../../daemon/cache/media-cache.js';
import type { CacheServer } from './daemon-cache-server.js';

export const CREDENTIALS = { user: 'ban-hon', password: 'sesame' };

export class HandClock implements Clock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number) {
    const h = setTimeout(fn, Math.max(0, ms));
    h.unref();
    return { cancel: () => clearTimeout(h) };
  }
}

export interface CacheUnderTest {
  cache: MediaCache;
  logs: Record<string, unknown>[];
  messages(msg: string): Record<string, unknown>[];
}

export function openCache(server: CacheServer, dataDir: string, extra: Partial<MediaCacheOptions> = {}): CacheUnderTest {
  const logs: Record<string, unknown>[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  const cache = new MediaCache({
    dataDir,
    hubHttpUrl: server.url,
    clusterId: CREDENTIALS.user,
    secret: CREDENTIALS.password,
    logger: createLogger({ name: 'cache-test', level: 'debug', destination: stream }),
    retry: { minMs: 30, maxMs: 120 },
    random: () => 0.5,
    ...extra,
  });
  return { cache, logs, messages: (msg) => logs.filter((l) => l.msg === msg) };
}

// Data the CLI tests seed into the stand-in hub: two clusters (one online, playing), one media
// item, a broadcast, and log entries whose text needs CSV quoting.
import type { Clock } from '../../common/clock.js';
import type { StandinState } from './cli-standin-hub.js';

/** 2025-03-01 10:00 in Asia/Ho_Chi_Minh (UTC+7). */
export const NOW = Date.UTC(2025, 2, 1, 3, 0, 0);
export const fixedClock: Clock = { now: () => NOW, setTimeout: () => ({ cancel() {} }) };

export const MEDIA_ID = 'ab12cd34'.padEnd(64, '0');
export const OTHER_MEDIA_ID = 'ab99ef00'.padEnd(64, '1');

export function seedState(): Partial<StandinState> {
  return {
    clusters: [
      {
        id: 'ban-hon',
        name: 'Bản Hon 1',
        village: 'Bản Hon',
        volume: 80,
        createdAt: NOW - 86_400_000,
        online: true,
        lastSeenAt: NOW - 3 * 60_000,
        playing: { broadcastId: 'b1', mediaId: MEDIA_ID, mediaName: 'Bản tin sáng', startedAt: NOW - 60_000 },
        health: {
          at: NOW - 3 * 60_000,
          uptimeS: 7200,
          cpuTempC: 52.34,
          load1: 0.42,
          memFreeMb: 300,
          memTotalMb: 1024,
          diskFreeMb: 5000,
          player: 'playing',
          lastError: null,
          agent: 'loa-edge/0.1.0',
        },
      },
      {
        id: 'lang-cang',
        name: 'Làng Cang',
        village: 'Làng Cang',
        volume: 65,
        createdAt: NOW - 86_400_000,
        online: false,
        lastSeenAt: NOW - 2 * 3_600_000,
        playing: null,
        health: {
          at: NOW - 2 * 3_600_000,
          uptimeS: 100,
          cpuTempC: 61,
          load1: 1.5,
          memFreeMb: 100,
          memTotalMb: 512,
          diskFreeMb: 900,
          player: 'idle',
          lastError: 'amplifier overheat',
          agent: 'loa-edge/0.1.0',
        },
      },
    ],
    media: [
      { id: MEDIA_ID, name: 'Bản tin sáng', originalName: 'ban-tin.mp3', durationMs: 95_000, bytes: 1_500_000, format: 'opus', createdAt: NOW - 3_600_000 },
      { id: OTHER_MEDIA_ID, name: 'Nhạc hiệu', originalName: 'nhac.wav', durationMs: 20_000, bytes: 200_000, format: 'opus', createdAt: NOW - 3_600_000 },
    ],
    broadcasts: [
      {
        id: 'b1',
        mediaId: MEDIA_ID,
        mediaName: 'Bản tin sáng',
        durationMs: 95_000,
        createdAt: NOW - 120_000,
        startAt: NOW - 60_000,
        status: 'running',
        targets: [
          { clusterId: 'ban-hon', status: 'started', reason: null, detail: null, acceptedAt: NOW - 59_000, startedAt: NOW - 58_000, finishedAt: null },
          {
            clusterId: 'lang-cang',
            status: 'offline',
            reason: 'offline',
            detail: 'cluster was offline when due',
            acceptedAt: null,
            startedAt: null,
            finishedAt: null,
          },
        ],
      },
    ],
    log: [
      // 2025-02-28 23:30 in Vietnam: the day before, outside --from 2025-03-01.
      {
        broadcastId: 'b0',
        clusterId: 'ban-hon',
        mediaId: MEDIA_ID,
        mediaName: 'Bản tin sáng',
        plannedStart: Date.UTC(2025, 1, 28, 16, 30),
        status: 'finished',
        reason: null,
        detail: null,
        acceptedAt: null,
        startedAt: null,
        finishedAt: null,
        playedMs: 95_000,
      },
      // 2025-03-01 05:00 in Vietnam.
      {
        broadcastId: 'b1',
        clusterId: 'ban-hon',
        mediaId: MEDIA_ID,
        mediaName: 'Bản tin "sáng", số 1',
        plannedStart: Date.UTC(2025, 1, 28, 22, 0),
        status: 'finished',
        reason: null,
        detail: null,
        acceptedAt: Date.UTC(2025, 1, 28, 22, 0, 1),
        startedAt: Date.UTC(2025, 1, 28, 22, 0, 2),
        finishedAt: Date.UTC(2025, 1, 28, 22, 1, 37),
        playedMs: 95_000,
      },
      {
        broadcastId: 'b1',
        clusterId: 'lang-cang',
        mediaId: MEDIA_ID,
        mediaName: 'Bản tin "sáng", số 1',
        plannedStart: Date.UTC(2025, 1, 28, 22, 0),
        status: 'failed',
        reason: 'player',
        detail: 'ffmpeg exited 1\nno such device',
        acceptedAt: null,
        startedAt: null,
        finishedAt: null,
        playedMs: null,
      },
      // 2025-03-01 23:59 in Vietnam: the last minute of the day, inside --to 2025-03-01.
      {
        broadcastId: 'b2',
        clusterId: 'ban-hon',
        mediaId: MEDIA_ID,
        mediaName: 'Nhạc hiệu',
        plannedStart: Date.UTC(2025, 2, 1, 16, 59),
        status: 'expired',
        reason: 'expired',
        detail: null,
        acceptedAt: null,
        startedAt: null,
        finishedAt: null,
        playedMs: null,
      },
      // 2025-03-02 00:00 in Vietnam: the next day.
      {
        broadcastId: 'b3',
        clusterId: 'ban-hon',
        mediaId: MEDIA_ID,
        mediaName: 'Nhạc hiệu',
        plannedStart: Date.UTC(2025, 2, 1, 17, 0),
        status: 'finished',
        reason: null,
        detail: null,
        acceptedAt: null,
        startedAt: null,
        finishedAt: null,
        playedMs: 20_000,
      },
    ],
    tokens: [{ id: 't1', name: 'operator', role: 'operator', createdAt: NOW - 86_400_000 }],
  };
}

// sync, part (b): three real loa-edge processes on this machine, each with its box clock shifted
// by LOA_EDGE_CLOCK_OFFSET_MS (a test aid), file sinks, against the hub process. Per item, three
// views of when each box started, all in hub time:
//  - spawned: ffmpeg spawned (the daemon's log, box clock minus its true shift), aligned to the
//    media position it started at — what the box did;
//  - reported: startAt + the box's own startErrorMs (spawn + measured ffmpeg startup latency, in
//    the box's estimate of hub time) — what the box says;
//  - sink: the first audio bytes seen in its WAV (inotify, read in this process, whose clock is the
//    hub's) — what landed in the sink, observed from outside. It adds ffmpeg's own start-up
//    (opening and seeking the Ogg file, first decode) as it varies when three ffmpegs and three
//    daemons wake at once on this machine; so it is reported, not held to the target.
import { openSync, readSync, closeSync, statSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { spawnEdge, type EdgeProcess } from '../harness/edge-process.js';
import type { HubProcess } from '../harness/hub-process.js';
import { log, seeded, sleep, spreadOf, stats, TARGET_SPREAD_MS } from './sync-common.js';

const DAEMONS = 3;

type LogLine = Record<string, unknown>;

/** A daemon's JSON log lines, parsed as they come (re-parsing all output on every poll would
 *  keep this process busy just when it should be watching the sinks). */
function collectLogs(e: EdgeProcess): LogLine[] {
  const lines: LogLine[] = [];
  let carry = '';
  e.child.stdout?.on('data', (d: string) => {
    const parts = (carry + d).split('\n');
    carry = parts.pop() ?? '';
    for (const p of parts) if (p.startsWith('{')) lines.push(JSON.parse(p) as LogLine);
  });
  return lines;
}

async function until(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Byte offset of the audio in a WAV, from its `data` chunk; null while the header is incomplete. */
function dataOffset(file: string): number | null {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(512);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const at = buf.subarray(0, n).indexOf('data');
    return at < 0 ? null : at + 8;
  } finally {
    closeSync(fd);
  }
}

/** Watches a sink folder; records when a WAV of the broadcast first holds audio (this clock). */
function watchSink(dir: string, broadcastId: () => string | null, seen: Map<string, number>): FSWatcher {
  return watch(dir, (_event, name) => {
    const now = Date.now();
    const id = broadcastId();
    if (!id || !name?.includes(id) || seen.has(id)) return;
    try {
      const file = join(dir, name);
      const offset = dataOffset(file);
      if (offset !== null && statSync(file).size > offset) seen.set(id, now);
    } catch {
      // not there yet
    }
  });
}

export async function syncRealDaemons(o: { hub: HubProcess; mediaId: string; dir: string; items: number }): Promise<Record<string, unknown>> {
  const random = seeded(7);
  const shifts = Array.from({ length: DAEMONS }, () => Math.round((random() * 2 - 1) * 30_000));
  const edges: EdgeProcess[] = [];
  const logs = new Map<EdgeProcess, LogLine[]>();
  const logLines = (e: EdgeProcess, msg: string) => logs.get(e)!.filter((l) => l.msg === msg);
  const watchers: FSWatcher[] = [];
  try {
    for (const [i, shift] of shifts.entries()) {
      const id = `edge-${i + 1}`;
      const { secret, hubKeys } = await o.hub.api<{ secret: string; hubKeys: string[] }>('POST', '/api/v1/clusters', { id });
      const env = { LOA_EDGE_CLOCK_OFFSET_MS: String(shift), LOA_LOG_LEVEL: 'info' };
      const e = spawnEdge({
        clusterId: id,
        secret,
        hubKeys,
        mqttUrl: o.hub.mqttUrl,
        httpUrl: o.hub.httpUrl,
        allowPlaintext: true,
        dir: join(o.dir, id),
        logLevel: 'info',
        env,
        healthIntervalSec: 3600,
      });
      edges.push(e);
      logs.set(e, collectLogs(e));
      // One at a time, so each measures its ffmpeg startup latency on a quiet machine.
      await until(`${id} to start`, () => logLines(e, 'ffmpeg startup latency').length > 0, 20_000);
    }
    await until('the daemons to sync', () => edges.every((e) => logLines(e, 'clock synced with the hub').length > 0), 20_000);
    const clocks = edges.map((e, i) => {
      const s = logLines(e, 'clock synced with the hub').at(-1)!;
      return {
        id: e.clusterId,
        shiftMs: shifts[i]!,
        estimatedMs: s.offsetMs as number,
        errorMs: (s.offsetMs as number) + shifts[i]!,
        rttMs: s.rttMs,
        requests: s.requests,
      };
    });
    const latency = edges.map((e) => logLines(e, 'ffmpeg startup latency')[0]!.startupLatencyMs as number);
    log(`real daemons: shifts ${shifts.join(', ')} ms; offset errors ${clocks.map((c) => c.errorMs).join(', ')} ms; ffmpeg startup ${latency.join(', ')} ms`);

    let current: string | null = null;
    const perEdge = edges.map(() => new Map<string, number>());
    for (const [i, e] of edges.entries()) watchers.push(watchSink(e.sinkDir, () => current, perEdge[i]!));
    const items = [];
    // Item 0 warms the code paths of freshly started daemons; it is reported apart.
    for (let k = 0; k <= o.items; k++) {
      const startAt = Date.now() + 3000;
      const { broadcast } = await o.hub.api<{ broadcast: { id: string } }>('POST', '/api/v1/broadcasts', {
        mediaId: o.mediaId,
        clusters: edges.map((e) => e.clusterId),
        startAt,
      });
      current = broadcast.id;
      const line = (e: EdgeProcess) => logLines(e, 'playback started').find((l) => l.broadcastId === broadcast.id);
      await until('three starts', () => edges.every((e, i) => line(e) && perEdge[i]!.has(broadcast.id)), 15_000);
      const rows = edges.map((e, i) => {
        const l = line(e)!;
        return {
          id: e.clusterId,
          spawned: (l.boxSpawnedAt as number) - shifts[i]! - ((l.seekMs as number) - (l.offsetMs as number)) - startAt,
          reported: l.startErrorMs as number,
          sink: perEdge[i]!.get(broadcast.id)! - startAt,
        };
      });
      const item = {
        warmUp: k === 0,
        spreadMs: { spawned: spreadOf(rows.map((r) => r.spawned)), reported: spreadOf(rows.map((r) => r.reported)), sink: spreadOf(rows.map((r) => r.sink)) },
        afterStartAtMs: rows,
      };
      items.push(item);
      log(
        `real item ${k}${k === 0 ? ' (warm-up)' : ''}: spread spawned ${item.spreadMs.spawned} ms, reported ${item.spreadMs.reported} ms, sink ` +
          `${item.spreadMs.sink} ms`,
      );
      await sleep(1500);
    }
    const measured = items.filter((i) => !i.warmUp);
    const worst = (k: 'spawned' | 'reported' | 'sink') => stats(measured.map((i) => i.spreadMs[k]));
    return {
      daemons: DAEMONS,
      clockShiftsMs: shifts,
      network: 'loopback, no added delay',
      ffmpegStartupLatencyMs: latency,
      clockSync: clocks,
      items,
      spreadMs: { spawned: worst('spawned'), reported: worst('reported'), sink: worst('sink') },
      // Held to the target: what the daemons did and report (see the header for the sink view).
      met: measured.every((i) => Math.max(i.spreadMs.spawned, i.spreadMs.reported) < TARGET_SPREAD_MS),
    };
  } finally {
    for (const w of watchers) w.close();
    await Promise.all(edges.map((e) => e.stop()));
  }
}

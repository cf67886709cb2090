// edge: what one real `loa-edge` box costs. A loa-hub process and one loa-edge process with the
// null sink (ffmpeg decodes in real time and discards, as ALSA would consume; no WAV written, so
// the disk figures are the daemon's own). Measured from /proc of both processes (loa-edge and
// its ffmpeg child): resident memory idle and while playing; CPU seconds per hour of audio (one
// item of --play-seconds played in real time, scaled to an hour); bytes written to disk —
// write_bytes of the daemon (state, plan, play log, media cache, fsyncs) plus what it logs on
// stdout (what journald would store) — idle per second and per item, scaled to a day.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateFfmpeg } from '../common/ffmpeg.js';
import { processUsage } from './env.js';
import { spawnEdge } from '../harness/edge-process.js';
import { startHubProcess } from '../harness/hub-process.js';

/** As in systemd/loa-edge.service: lite mode, no V8 helper threads, a 1 MB young generation. */
const EDGE_NODE_ARGS = '--lite-mode --single-threaded --max-semi-space-size=1';

export interface EdgeOptions {
  playSeconds: number;
}

const CLUSTER = 'bench-edge';
const IDLE_SETTLE_MS = 5_000;
const IDLE_WINDOW_MS = 30_000;
// The day the disk figure is scaled to (assumptions stated in docs/benchmarks.md).
const ITEMS_PER_DAY = 10;
const NEW_AUDIO_HOURS_PER_DAY = 1;
const TARGET_IDLE_RSS_MB = 60;
const TARGET_FFMPEG_SHARE = 0.02;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Private (anonymous) and file-backed resident memory, in MB: the node executable's own pages are file-backed. */
function rssParts(pid: number): { anonMb: number; fileMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { anonMb: round(kb('RssAnon') / 1024), fileMb: round(kb('RssFile') / 1024) };
}

/** Resident memory of a node process that loads nothing: the floor under any daemon written for Node. */
async function bareNodeRssMb(nodeArgs: string[]): Promise<number> {
  const child = spawn(process.execPath, [...nodeArgs, '-e', 'setTimeout(() => {}, 5000)'], { stdio: 'ignore' });
  await sleep(1500);
  const rss = processUsage(child.pid!).rssMb;
  child.kill();
  return round(rss);
}

/** Bytes this process caused to be written to storage (Linux task I/O accounting). */
function writeBytes(pid: number): number {
  return Number(/write_bytes:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
}

/** CPU seconds of the children a process has waited for (its finished ffmpegs). */
function childrenCpu(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
}

/** Direct children of a process, from every thread's children list. */
function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      out.push(...readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

function dirBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return n;
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export async function edge(o: EdgeOptions): Promise<Record<string, unknown>> {
  const log = (s: string) => process.stderr.write(`[edge] ${s}\n`);
  const tmp = mkdtempSync(join(tmpdir(), 'loa-bench-edge-'));
  const hub = await startHubProcess();
  let stopEdge: (() => Promise<void>) | null = null;
  try {
    const { secret, hubKeys } = await hub.api<{ secret: string; hubKeys: string[] }>('POST', '/api/v1/clusters', { id: CLUSTER });
    // The item: Vietnamese speech (espeak-ng) looped to --play-seconds, imported as any operator file is.
    const ff = locateFfmpeg().path;
    const phrase = join(tmp, 'phrase.wav');
    execFileSync('espeak-ng', ['-v', 'vi', '-w', phrase, 'Thông báo của Ủy ban nhân dân xã Tú Lệ về lịch tiêm phòng cho gia súc, gia cầm.']);
    const wav = join(tmp, 'item.wav');
    execFileSync(ff, ['-v', 'error', '-stream_loop', '-1', '-i', phrase, '-t', String(o.playSeconds), '-ar', '44100', wav]);
    const up = await fetch(`${hub.httpUrl}/api/v1/media?name=bench-edge`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hub.token}`, 'content-type': 'application/octet-stream', accept: 'application/json' },
      body: readFileSync(wav),
    });
    if (!up.ok) throw new Error(`importing the item failed: ${up.status} ${await up.text()}`);
    const { media } = (await up.json()) as { media: { id: string; durationMs: number; bytes: number } };

    // The V8 flags systemd/loa-edge.service runs the daemon with; LOA_BENCH_EDGE_NODE_ARGS tries
    // others ("" for none) (docs/benchmarks.md).
    const nodeArgs = (process.env.LOA_BENCH_EDGE_NODE_ARGS ?? EDGE_NODE_ARGS).split(' ').filter(Boolean);
    const e = spawnEdge({
      clusterId: CLUSTER,
      secret,
      hubKeys,
      mqttUrl: hub.mqttUrl,
      httpUrl: hub.httpUrl,
      allowPlaintext: true,
      dir: join(tmp, 'edge'),
      sink: 'null',
      // The daemon's own reconnect defaults, as a box in the field runs (the harness's are quicker, for tests).
      reconnect: { minMs: 1000, maxMs: 60_000 },
      nodeArgs,
    });
    const { child } = e;
    const dataDir = join(e.dir, 'data');
    // What it logs on stdout and stderr is what journald would store: counted in bytes.
    let logBytes = 0;
    const onOutput = (d: string) => {
      logBytes += Buffer.byteLength(d, 'utf8');
    };
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', onOutput);
    child.once('exit', (code, signal) => {
      if (stopEdge) log(`loa-edge exited early (code ${code}, signal ${signal}); its last output:\n${e.output().slice(-2000)}`);
    });
    stopEdge = async () => {
      await e.stop();
    };
    const pid = child.pid!;
    const deadline = Date.now() + 20_000;
    for (;;) {
      const { cluster } = await hub.api<{ cluster: { online: boolean } }>('GET', `/api/v1/clusters/${CLUSTER}`);
      if (cluster.online) break;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error('loa-edge did not come online within 20 s');
      await sleep(200);
    }
    log(`loa-edge online; ${IDLE_SETTLE_MS / 1000} s to settle, then ${IDLE_WINDOW_MS / 1000} s idle`);
    await sleep(IDLE_SETTLE_MS);

    // Idle.
    const idle0 = { ...processUsage(pid), wb: writeBytes(pid), logBytes, at: Date.now() };
    const idleRss: number[] = [];
    while (Date.now() - idle0.at < IDLE_WINDOW_MS) {
      await sleep(1000);
      idleRss.push(processUsage(pid).rssMb);
    }
    const idle1 = { ...processUsage(pid), wb: writeBytes(pid), logBytes, at: Date.now() };
    const idleParts = rssParts(pid);
    const idleS = (idle1.at - idle0.at) / 1000;

    // Playing: one item to this cluster, played in real time through ffmpeg.
    log(`playing ${o.playSeconds} s of audio`);
    const play0 = { ...processUsage(pid), wb: writeBytes(pid), logBytes, childCpu: childrenCpu(pid), at: Date.now() };
    await hub.api('POST', '/api/v1/broadcasts', { mediaId: media.id, clusters: [CLUSTER] });
    let ffPid: number | null = null;
    let ffFirstAt = 0;
    let ffLastAt = 0;
    let ffRssMax = 0;
    let ffCpuSeen = 0;
    let edgeRssMax = 0;
    const playDeadline = Date.now() + (o.playSeconds + 30) * 1000;
    while (Date.now() < playDeadline) {
      await sleep(250);
      if (child.exitCode !== null || child.signalCode !== null) throw new Error('loa-edge exited while playing (its last output is above)');
      edgeRssMax = Math.max(edgeRssMax, processUsage(pid).rssMb);
      const kids = childPids(pid);
      if (ffPid === null && kids.length > 0) {
        ffPid = kids[0]!;
        ffFirstAt = Date.now();
      }
      if (ffPid !== null) {
        if (!kids.includes(ffPid)) break;
        try {
          const u = processUsage(ffPid);
          ffRssMax = Math.max(ffRssMax, u.rssMb);
          ffCpuSeen = u.cpuS;
          ffLastAt = Date.now();
        } catch {
          break; // ffmpeg has just ended
        }
      }
    }
    if (ffPid === null) throw new Error('loa-edge never started ffmpeg for the broadcast');
    await sleep(1000); // the finished ack, the play log and the state file
    const play1 = { ...processUsage(pid), wb: writeBytes(pid), logBytes, childCpu: childrenCpu(pid), at: Date.now() };
    const playedS = media.durationMs / 1000;
    const playWindowS = (play1.at - play0.at) / 1000;
    // Exact: the kernel adds a reaped child's CPU to its parent's cutime/cstime.
    const ffCpu = play1.childCpu - play0.childCpu;
    const edgePlayCpu = play1.cpuS - play0.cpuS;
    const cacheBytes = dirBytes(join(dataDir, 'media'));

    const idleDiskPerS = (idle1.wb - idle0.wb) / idleS;
    const idleLogPerS = (idle1.logBytes - idle0.logBytes) / idleS;
    // Per item: what the play window wrote beyond idle, without the media file itself (counted apart).
    const itemDisk = Math.max(0, play1.wb - play0.wb - idleDiskPerS * playWindowS - cacheBytes);
    const itemLog = Math.max(0, play1.logBytes - play0.logBytes - idleLogPerS * playWindowS);
    const cachePerHour = (media.bytes / media.durationMs) * 3_600_000;
    const perDay = {
      idleDaemonWrites: Math.round(idleDiskPerS * 86_400),
      idleLogs: Math.round(idleLogPerS * 86_400),
      items: Math.round(ITEMS_PER_DAY * (itemDisk + itemLog)),
      mediaCache: Math.round(NEW_AUDIO_HOURS_PER_DAY * cachePerHour),
    };
    const perDayTotal = Object.values(perDay).reduce((a, b) => a + b, 0);
    const idleRssMb = Math.max(...idleRss);
    const ffShare = ffCpu / playedS;
    const stop = stopEdge;
    stopEdge = null;
    await stop();
    return {
      sink: 'null (ffmpeg decodes in real time and discards)',
      edgeNodeArgs: nodeArgs.join(' '),
      loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
      media: { durationS: playedS, deliveryBytes: media.bytes },
      idle: {
        seconds: round(idleS),
        rssMb: { max: round(idleRssMb), end: round(idle1.rssMb), ...idleParts, bareNode: await bareNodeRssMb(nodeArgs) },
        cpuShare: round((idle1.cpuS - idle0.cpuS) / idleS, 4),
        diskBytesPerSecond: round(idleDiskPerS),
        logBytesPerSecond: round(idleLogPerS),
      },
      playing: {
        windowSeconds: round(playWindowS),
        ffmpegSeconds: round((ffLastAt - ffFirstAt) / 1000),
        edgeRssMaxMb: round(edgeRssMax),
        ffmpegRssMaxMb: round(ffRssMax),
        edgeCpuSeconds: round(edgePlayCpu, 2),
        ffmpegCpuSeconds: round(ffCpu, 2),
        ffmpegCpuSecondsLastSample: round(ffCpuSeen, 2),
        ffmpegShareOfCore: round(ffShare, 4),
        edgeCpuSecondsPerHourOfAudio: round((edgePlayCpu / playedS) * 3600),
        ffmpegCpuSecondsPerHourOfAudio: round((ffCpu / playedS) * 3600),
        itemDiskBytes: Math.round(itemDisk),
        itemLogBytes: Math.round(itemLog),
        mediaCacheBytes: cacheBytes,
      },
      diskPerDay: {
        assumptions: { itemsPerDay: ITEMS_PER_DAY, newAudioHoursPerDay: NEW_AUDIO_HOURS_PER_DAY },
        bytes: perDay,
        totalBytes: perDayTotal,
        totalMb: round(perDayTotal / 1e6, 2),
      },
      target: `loa-edge under ${TARGET_IDLE_RSS_MB} MB idle; ffmpeg decoding under ${TARGET_FFMPEG_SHARE * 100}% of a core`,
      met: { idleRss: idleRssMb < TARGET_IDLE_RSS_MB, ffmpegCpu: ffShare < TARGET_FFMPEG_SHARE },
    };
  } finally {
    await stopEdge?.();
    await hub.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

// live: from the operator's request to the first audio at 12 clusters, for (a) a relay of a
// station's MP3 stream (POST /api/v1/live), (b) a Vietnamese text announcement (POST
// /api/v1/announcements: espeak-ng, import, dispatch) and (c) the operator speaking live: the real
// `loa announce --mic` CLI started as a child process (its microphone faked with LOA_MIC_INPUT, a
// real-time lavfi tone), timed from the moment the command starts. loa-hub runs as its own process; 9 loa-sim
// clusters (they do not fetch a stream or media: their `started` ack, sent at startAt, is timed)
// and 3 real loa-edge daemons with file sinks (the first audio bytes in their WAV are timed, by
// inotify plus a 5 ms poll, in this process, which shares the hub's clock). Run with the default
// leads and once with small ones, to show how much of the latency is the deliberate lead.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, statSync, watch, type FSWatcher } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { locateFfmpeg } from '../common/ffmpeg.js';
import { silentLogger } from '../common/logger.js';
import { startFleet, type AckEvent, type CommandEvent, type Fleet } from '../firmware-sim/index.js';
import { spawnEdge, type EdgeProcess } from '../harness/edge-process.js';
import { percentile } from './env.js';
import { startHubProcess, type HubProcess } from '../harness/hub-process.js';

const SIMULATED = 9;
const DAEMONS = 3;
const TARGET_MS = 2000;
/** Issue 13: an announcement's first audio at every cluster, p95 over the measured rounds. */
const ANNOUNCE_P95_MS = 1500;
const TEXT = 'Thông báo của Ủy ban nhân dân xã: chiều nay lúc mười bảy giờ, mời bà con đến nhà văn hoá thôn để họp bàn về phòng chống lụt bão.';

const log = (s: string) => process.stderr.write(`[live] ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p95: percentile(s, 95), max: s.at(-1) ?? null };
};

/** A local "station": one ffmpeg encodes a tone as 64 kbit/s MP3 in real time; every listener gets
 *  the newest second first (Icecast's burst-on-connect) and then the live bytes. */
async function startStation(): Promise<{ url: string; stop: () => Promise<void> }> {
  const ff: ChildProcess = spawn(
    locateFfmpeg().path,
    ['-v', 'error', '-re', '-f', 'lavfi', '-i', 'sine=f=330:sample_rate=44100', '-ac', '1', '-b:a', '64k', '-f', 'mp3', 'pipe:1'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const listeners = new Set<import('node:http').ServerResponse>();
  let burst: Buffer[] = [];
  let burstBytes = 0;
  ff.stdout!.on('data', (d: Buffer) => {
    burst.push(d);
    burstBytes += d.length;
    while (burstBytes - burst[0]!.length > 8000) burstBytes -= burst.shift()!.length;
    for (const l of listeners) l.write(d);
  });
  const server: Server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'audio/mpeg', 'cache-control': 'no-cache' });
    res.write(Buffer.concat(burst));
    listeners.add(res);
    req.on('close', () => listeners.delete(res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  await sleep(1200); // a second of audio for the burst
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/vov1.mp3`,
    async stop() {
      for (const l of listeners) l.destroy();
      ff.kill('SIGTERM');
      burst = [];
      await new Promise((r) => server.close(r));
    },
  };
}

/** Whether a sink WAV holds audio past its header. */
function hasAudio(file: string): boolean {
  try {
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(512);
      const n = readSync(fd, buf, 0, buf.length, 0);
      const at = buf.subarray(0, n).indexOf('data');
      return at >= 0 && statSync(file).size > at + 8;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

/** Watches the daemons' sink folders; `seen(broadcastId)` maps cluster → first audio time. */
function sinkWatch(edges: EdgeProcess[]) {
  let current: string | null = null;
  const first = new Map<string, number>();
  const check = (e: EdgeProcess, name?: string | null) => {
    const now = Date.now();
    if (!current || first.has(e.clusterId)) return;
    const names = name ? [name] : readdirSync(e.sinkDir);
    if (names.some((n) => n.includes(current!) && hasAudio(join(e.sinkDir, n)))) first.set(e.clusterId, now);
  };
  const watchers: FSWatcher[] = edges.map((e) => watch(e.sinkDir, (_ev, name) => check(e, name)));
  const poll = setInterval(() => {
    for (const e of edges) check(e);
  }, 5);
  return {
    arm(id: string) {
      current = id;
      first.clear();
    },
    first,
    close() {
      clearInterval(poll);
      for (const w of watchers) w.close();
    },
  };
}

const LOA_BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'loa.js');

/** `loa announce --mic` as the operator runs it, with a fake real-time microphone. */
function startMic(hub: HubProcess, ids: string[]): { proc: ChildProcess; exited: Promise<void> } {
  const proc = spawn(
    process.execPath,
    [LOA_BIN, '--hub', hub.httpUrl, '--token', hub.token, '--json', 'announce', '--mic', '--duration', '30', '--clusters', ids.join(',')],
    {
      env: { ...process.env, LOA_MIC_INPUT: '-re -f lavfi -i sine=f=500:sample_rate=44100' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const exited = new Promise<void>((r) => proc.on('close', () => r()));
  return { proc, exited };
}

interface Round {
  path: 'relay' | 'announce' | 'mic';
  /** Request sent → answer (the hub's own work: ffmpeg started / speech, import, broadcast created). */
  answerMs: number;
  /** Request sent → startAt of the play commands. */
  startAtMs: number;
  /** startAt − time the play commands reached the boxes: the lead left when they arrived. */
  leadAtBoxMs: number;
  simulatedStartedMs: number[];
  daemonFirstBytesMs: number[];
  /** Clusters that had not started within the timeout. */
  missing: string[];
}

async function fleetAndEdges(hub: HubProcess, dir: string): Promise<{ fleet: Fleet; edges: EdgeProcess[]; ids: string[] }> {
  const specs = [];
  for (let i = 1; i <= SIMULATED; i++) {
    const id = `sim-${i}`;
    specs.push({ id, secret: (await hub.api<{ secret: string }>('POST', '/api/v1/clusters', { id })).secret });
  }
  const { hubKeys } = await hub.api<{ hubKeys: string[] }>('GET', `/api/v1/clusters/${specs[0]!.id}`);
  const fleet = await startFleet({
    mqttUrl: hub.mqttUrl,
    clusters: specs,
    hubKeys,
    logger: silentLogger(),
    clockSync: false,
    delayMs: 0,
    fetchDelayMs: 0,
    healthIntervalMs: 3_600_000,
    connectRatePerSec: 0,
  });
  await fleet.waitForConnected(SIMULATED, 30_000);
  const edges: EdgeProcess[] = [];
  for (let i = 1; i <= DAEMONS; i++) {
    const id = `edge-${i}`;
    const { secret } = await hub.api<{ secret: string }>('POST', '/api/v1/clusters', { id });
    const e = spawnEdge({
      clusterId: id,
      secret,
      hubKeys,
      mqttUrl: hub.mqttUrl,
      httpUrl: hub.httpUrl,
      allowPlaintext: true,
      dir: join(dir, id),
      logLevel: 'info',
      healthIntervalSec: 3600,
    });
    edges.push(e);
    // One at a time, as in the sync benchmark: each measures its ffmpeg start-up on a quiet machine.
    for (let t = 0; !e.output().includes('ffmpeg startup latency'); t++) {
      if (t > 400) throw new Error(`${id} did not start: ${e.output().slice(-2000)}`);
      await sleep(50);
    }
  }
  const ids = [...specs.map((s) => s.id), ...edges.map((e) => e.clusterId)];
  for (let t = 0; ; t++) {
    const { clusters } = await hub.api<{ clusters: { id: string; online: boolean }[] }>('GET', '/api/v1/clusters');
    if (clusters.filter((c) => c.online).length === ids.length) break;
    if (t > 100) throw new Error('not every cluster came online');
    await sleep(100);
  }
  return { fleet, edges, ids };
}

async function measure(o: {
  hub: HubProcess;
  fleet: Fleet;
  sinks: ReturnType<typeof sinkWatch>;
  ids: string[];
  path: Round['path'];
  stationUrl: string;
  round: number;
}): Promise<Round> {
  const { hub, fleet, sinks } = o;
  let broadcastId: string | null = null;
  let mic: ReturnType<typeof startMic> | null = null;
  const started = new Map<string, number>();
  const commands: { id: string; at: number; startAt: number }[] = [];
  const onAck = (e: AckEvent) => {
    if (e.ack.status === 'started') started.set(`${e.ack.broadcastId}/${e.clusterId}`, e.sentAt);
  };
  const onCommand = (e: CommandEvent) => {
    if (e.cmd.type === 'play') commands.push({ id: e.cmd.broadcastId, at: e.receivedAt, startAt: e.cmd.startAt });
  };
  fleet.events.on('ack', onAck);
  fleet.events.on('command', onCommand);
  try {
    const t0 = Date.now();
    if (o.path === 'relay') {
      // The stream id is known only from the answer; the sinks are armed with it at once (the
      // boxes start after the lead, and the first bytes follow the encoder's first frames).
      const res = await hub.api<{ stream: { id: string } }>('POST', '/api/v1/live', { source: { url: o.stationUrl }, clusters: o.ids });
      broadcastId = res.stream.id;
    } else if (o.path === 'mic') {
      // The stream id is the hub's: found as soon as the push appears in its list of streams.
      mic = startMic(hub, o.ids);
      const deadline = Date.now() + 15_000;
      while (!broadcastId && Date.now() < deadline) {
        const { streams } = await hub.api<{ streams: { id: string; source: object; state: string }[] }>('GET', '/api/v1/live');
        broadcastId = streams.find((st) => 'push' in st.source && st.state !== 'ended')?.id ?? null;
        if (!broadcastId) await sleep(10);
      }
      if (!broadcastId) throw new Error('the pushed stream of `loa announce --mic` did not appear');
    } else {
      const res = await hub.api<{ broadcast: { id: string } }>('POST', '/api/v1/announcements', {
        text: `${TEXT} Lần thứ ${o.round + 1}.`,
        voice: 'vi',
        clusters: o.ids,
      });
      broadcastId = res.broadcast.id;
    }
    const answerMs = Date.now() - t0;
    sinks.arm(broadcastId);
    const sims = o.ids.filter((id) => id.startsWith('sim-'));
    const edgeIds = o.ids.filter((id) => !id.startsWith('sim-'));
    const done = () => sims.every((c) => started.has(`${broadcastId}/${c}`)) && edgeIds.every((c) => sinks.first.has(c));
    const deadline = Date.now() + 20_000;
    while (!done() && Date.now() < deadline) await sleep(20);
    const cmd = commands.filter((c) => c.id === broadcastId);
    const startAt = cmd[0]?.startAt ?? NaN;
    const r: Round = {
      path: o.path,
      answerMs,
      startAtMs: startAt - t0,
      leadAtBoxMs: Math.round(startAt - Math.max(...cmd.map((c) => c.at))),
      simulatedStartedMs: sims.flatMap((c) => (started.has(`${broadcastId}/${c}`) ? [started.get(`${broadcastId}/${c}`)! - t0] : [])),
      daemonFirstBytesMs: edgeIds.flatMap((c) => (sinks.first.has(c) ? [sinks.first.get(c)! - t0] : [])),
      missing: [...sims.filter((c) => !started.has(`${broadcastId}/${c}`)), ...edgeIds.filter((c) => !sinks.first.has(c))],
    };
    log(
      `${o.path} ${o.round + 1}: answer ${r.answerMs} ms, startAt +${r.startAtMs} ms, simulated ${pct(r.simulatedStartedMs).max} ms, daemons ` +
        `${r.daemonFirstBytesMs.join(', ')} ms${r.missing.length ? `, missing ${r.missing.join(',')}` : ''}`,
    );
    return r;
  } finally {
    fleet.events.off('ack', onAck);
    fleet.events.off('command', onCommand);
    if (broadcastId && o.path === 'relay') await hub.api('DELETE', `/api/v1/live/${broadcastId}`).catch(() => undefined);
    if (broadcastId && o.path === 'announce') await hub.api('POST', '/api/v1/broadcasts/stop', { broadcastId }).catch(() => undefined);
    if (mic) {
      // Ctrl-C, as the operator ends it: the push ends and the hub stops the boxes.
      mic.proc.kill('SIGINT');
      await mic.exited;
    }
    await sleep(1500);
  }
}

function summarise(rounds: Round[]) {
  const ofPath = (p: Round['path']) => {
    const rs = rounds.filter((r) => r.path === p);
    const all = rs.flatMap((r) => [...r.simulatedStartedMs, ...r.daemonFirstBytesMs]);
    return {
      rounds: rs.length,
      allClustersMs: pct(all),
      daemonFirstBytesMs: pct(rs.flatMap((r) => r.daemonFirstBytesMs)),
      simulatedStartedMs: pct(rs.flatMap((r) => r.simulatedStartedMs)),
      answerMs: pct(rs.map((r) => r.answerMs)),
      startAtAfterRequestMs: pct(rs.map((r) => r.startAtMs)),
      leadAtBoxMs: pct(rs.map((r) => r.leadAtBoxMs)),
      // What the real daemons add after startAt: connect/open, ffmpeg start-up, first decode.
      daemonAfterStartAtMs: pct(rs.flatMap((r) => r.daemonFirstBytesMs.map((d) => d - r.startAtMs))),
      missing: rs.reduce((n, r) => n + r.missing.length, 0),
      met: all.length === rs.length * (SIMULATED + DAEMONS) && Math.max(...all) < TARGET_MS,
      ...(p === 'announce' ? { p95TargetMs: ANNOUNCE_P95_MS, p95Met: (pct(all).p95 ?? Infinity) < ANNOUNCE_P95_MS } : {}),
    };
  };
  return { relay: ofPath('relay'), announce: ofPath('announce'), mic: ofPath('mic') };
}

async function runConfig(o: { label: string; dispatchLeadMs: number; emergencyLeadMs: number; liveLeadMs: number; rounds: number; stationUrl: string }) {
  const hub = await startHubProcess({
    mqtt: { auth: { scryptCost: 1024 } },
    dispatch: { leadMs: o.dispatchLeadMs, emergencyLeadMs: o.emergencyLeadMs },
    live: { leadMs: o.liveLeadMs },
  });
  const dir = mkdtempSync(join(tmpdir(), 'loa-bench-live-'));
  let edges: EdgeProcess[] = [];
  let fleet: Fleet | null = null;
  try {
    const f = await fleetAndEdges(hub, dir);
    ({ fleet, edges } = f);
    const sinks = sinkWatch(edges);
    log(`${o.label}: 9 simulated + 3 loa-edge online; dispatch.leadMs ${o.dispatchLeadMs}, live.leadMs ${o.liveLeadMs}`);
    const rounds: Round[] = [];
    // Round 0 of each path warms the hub's and the daemons' code paths; it is reported apart.
    for (const path of ['relay', 'announce', 'mic'] as const) {
      for (let k = 0; k <= o.rounds; k++) rounds.push(await measure({ hub, fleet, sinks, ids: f.ids, path, stationUrl: o.stationUrl, round: k }));
    }
    sinks.close();
    const warm = rounds.filter((_, i) => i % (o.rounds + 1) === 0);
    return {
      label: o.label,
      config: { 'dispatch.leadMs': o.dispatchLeadMs, 'dispatch.emergencyLeadMs': o.emergencyLeadMs, 'live.leadMs': o.liveLeadMs },
      ...summarise(rounds.filter((r) => !warm.includes(r))),
      warmUp: warm,
      rounds: rounds.filter((r) => !warm.includes(r)),
    };
  } finally {
    await fleet?.stop();
    await Promise.all(edges.map((e) => e.stop()));
    await hub.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function live(args: { rounds: number }): Promise<Record<string, unknown>> {
  const station = await startStation();
  try {
    const defaults = await runConfig({
      label: 'default leads',
      dispatchLeadMs: 3000,
      emergencyLeadMs: 1500,
      liveLeadMs: 300,
      rounds: args.rounds,
      stationUrl: station.url,
    });
    const floor = await runConfig({
      label: 'small leads',
      dispatchLeadMs: 200,
      emergencyLeadMs: 200,
      liveLeadMs: 0,
      rounds: args.rounds,
      stationUrl: station.url,
    });
    return {
      target: `first audio at all ${SIMULATED + DAEMONS} clusters under ${TARGET_MS} ms after the request`,
      clusters: {
        simulated: SIMULATED,
        realDaemons: DAEMONS,
        timed: 'simulated: `started` ack (they fetch nothing); daemons: first audio bytes in the sink WAV',
      },
      station: 'local HTTP server, ffmpeg sine → MP3 64 kbit/s mono 44.1 kHz, real time, 1 s burst on connect',
      text: TEXT,
      runs: [defaults, floor],
    };
  } finally {
    await station.stop();
  }
}

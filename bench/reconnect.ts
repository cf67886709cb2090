// reconnect: a whole simulated fleet reconnecting after the hub restarts (issue 14): on the
// embedded broker the hub process is stopped and started again on the same data and ports; with
// an external Mosquitto the hub machine restarts, so Mosquitto and the hub both do. Production
// settings: the hub's default config (MQTT over TLS only, the boxes pinning the hub's CA; cluster
// secrets as the hub stores them, HMAC), the boxes'
// default keep-alive (20 s) and reconnect backoff (jittered, 1 s to 60 s), signed commands, one
// connection per cluster. Measured from the stop: when every box is connected again, when the hub has them all
// online, and when the fleet is steady (no box has (re)connected for 10 s: the time given is that
// of the last connection), with the reconnections beyond one per box and the CPU it cost.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Table from 'cli-table3';
import { systemClock } from '../common/clock.js';
import { silentLogger } from '../common/logger.js';
import { loadHubTls } from '../hub/tls/pki.js';
import { processUsage, round2, until } from './env.js';
import { BROKER_LABEL, compareBrokers, RATIO_TARGET, type BrokerKind } from './fanout.js';
import { fanoutFixture } from './fanout-fixture.js';
import { startFleetProcesses, type FleetProcesses } from './fleet-procs.js';
import { holdSocket } from '../harness/held-socket.js';
import { startHubProcess, type HubProcess } from '../harness/hub-process.js';
import { startMosquitto, type MosquittoProcess } from '../harness/mosquitto.js';

/** Issue 14: steady within this after the restart, and the embedded broker within RATIO of Mosquitto. */
const STEADY_TARGET_MS = 30_000;
/** The hub's default scrypt cost (hub/config.ts): the fixture is registered as in production. */
const PRODUCTION_SCRYPT_COST = 16_384;
/** loa-edge's default keep-alive (daemon/config.ts keepaliveSec). */
const KEEPALIVE_S = 20;
const QUIET_MS = 10_000;
const CONNECT_TIMEOUT_MS = 240_000;
const HUB_USER = 'loa-hub';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ReconnectOptions {
  clusters: number[];
  brokers: BrokerKind[];
  workers: number;
  /** Fleet connections started per second for the first connection (not the reconnection). */
  connectRate: number;
  /** Embedded broker: its MQTT port held open across the restart, as systemd/loa-hub.socket does. */
  heldSocket?: boolean;
}

interface RunResult {
  clusters: number;
  broker: string;
  /** From SIGTERM until the old hub process exited. */
  stopMs: number;
  /** From the stop until the broker listens again (the old hub's exit, the new one's start-up). */
  downMs: number;
  /** From the stop until every box is connected again. */
  allConnectedMs: number;
  /** From the stop until the hub lists every cluster online. */
  onlineInHubMs: number;
  /** From the stop until the last (re)connection before 10 s with none. */
  steadyMs: number;
  /** Connections beyond one per box from the stop until steady. */
  reconnectionsBeyondOne: number;
  hubCpuSeconds: number;
  mosquittoCpuSeconds?: number;
  /** CPU the fleet's worker processes (the 10,000 boxes' side) used over the same span. */
  fleetCpuSeconds: number;
  hubRssMb: number;
  loadAvg1: number;
  /** Every 5 s from the stop: boxes connected, and CPU seconds used so far by the hub and the fleet. */
  timeline: { s: number; connected: number; hubCpuS: number; fleetCpuS: number }[];
  met: boolean;
}

export async function reconnect(opts: ReconnectOptions): Promise<Record<string, unknown>> {
  const runs: RunResult[] = [];
  const failed: { clusters: number; broker: string; error: string }[] = [];
  for (const n of opts.clusters) {
    for (const broker of opts.brokers) {
      try {
        runs.push(await reconnectRun({ n, broker, workers: opts.workers, connectRate: opts.connectRate, heldSocket: opts.heldSocket ?? false }));
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        process.stderr.write(`[reconnect ${n} ${broker}] failed: ${error}\n`);
        failed.push({ clusters: n, broker: BROKER_LABEL[broker], error });
      }
    }
  }
  const comparison = compareBrokers(opts.clusters, runs, (r) => r.steadyMs);
  process.stderr.write(`${table(runs, failed)}\n`);
  return {
    method: {
      fleetWorkers: opts.workers,
      firstConnectRatePerSec: opts.connectRate || 'all at once',
      fleet: `loa-sim Fleet in worker processes, keep-alive ${KEEPALIVE_S} s, reconnect backoff 1-60 s jittered (the boxes' defaults)`,
      hub:
        'default config: MQTT over TLS only (boxes pin the hub CA; Mosquitto serves TLS with the hub certificate), commands signed, secrets stored as ' +
        'HMAC-SHA-256',
      restart: 'embedded: SIGTERM the hub, start it on the same data and ports; mosquitto: SIGTERM the hub and Mosquitto, start both',
      steady: `no (re)connection for ${QUIET_MS / 1000} s with every box connected and online; the time of the last connection`,
    },
    runs,
    failed,
    comparison,
    targets: { steadyMs: STEADY_TARGET_MS, embeddedWithin: `${RATIO_TARGET}× of Mosquitto` },
  };
}

async function reconnectRun(o: { n: number; broker: BrokerKind; workers: number; connectRate: number; heldSocket?: boolean }): Promise<RunResult> {
  const { n, broker } = o;
  const held = o.heldSocket && broker === 'embedded' ? await holdSocket() : null;
  const log = (s: string) => process.stderr.write(`[reconnect ${n} ${broker}] ${s}\n`);
  let mosq: MosquittoProcess | null = null;
  let hub: HubProcess | null = null;
  let fleet: FleetProcesses | null = null;
  let sampler: NodeJS.Timeout | undefined;
  // Mosquitto's files (the hub's password and ACL files among them) outlive its restart.
  const mosqDir = mkdtempSync(join(tmpdir(), 'loa-bench-mosquitto-'));
  try {
    const fixture = await fanoutFixture(n, PRODUCTION_SCRYPT_COST, log);
    const dataDir = fixture.copy();
    // The hub's own CA and certificate, made as at its first start; Mosquitto serves TLS with the
    // same certificate (docs/external-broker.md), so the boxes pin one CA either way.
    const pki = await loadHubTls({ dataDir, settings: { names: ['127.0.0.1'] }, clock: systemClock, logger: silentLogger() });
    const tls = { cert: join(dataDir, 'tls', 'hub.pem'), key: join(dataDir, 'tls', 'hub.key') };
    const config: Record<string, unknown> = {};
    const mosqOpts = { dir: mosqDir, connections: n + 16, hubUser: HUB_USER, hubPassword: randomBytes(18).toString('base64url') };
    if (broker === 'mosquitto') {
      mosq = await startMosquitto({ ...mosqOpts, tls });
      config.broker = {
        mode: 'external',
        url: `mqtts://127.0.0.1:${mosq.tlsPort}`,
        ca: pki.caFile,
        username: HUB_USER,
        password: mosqOpts.hubPassword,
        mosquitto: { passwordFile: mosq.passwordFile, aclFile: mosq.aclFile, reload: { pidFile: mosq.pidFile } },
      };
    }
    hub = await startHubProcess(config, { dataDir, tls: true, ...(held ? { held } : {}) });
    if (mosq) {
      const file = mosq.passwordFile;
      await until(() => readFileSync(file, 'utf8').split('\n').filter(Boolean).length >= n + 1, 60_000, 'the hub did not write the Mosquitto password file');
      await sleep(500);
    }
    const mqttUrl = mosq ? `mqtts://127.0.0.1:${mosq.tlsPort}` : hub.mqttUrl;
    log(`connecting the fleet (${o.workers} worker processes)`);
    // The boxes check the hub's signatures (the key stays with the data across the restart).
    const { hubKeys } = await hub.api<{ hubKeys: string[] }>('GET', `/api/v1/clusters/${fixture.specs[0]!.id}`);
    fleet = await startFleetProcesses({
      mqttUrl,
      caFile: pki.caFile,
      clusters: fixture.specs,
      hubKeys,
      workers: o.workers,
      connectRatePerSec: o.connectRate,
      keepaliveS: KEEPALIVE_S,
    });
    await fleet.waitForConnected(n, CONNECT_TIMEOUT_MS);
    await steady(fleet, hub, n, Date.now());
    log('steady; restarting');

    const connects0 = fleet.totals().connects;
    const fleetPids = fleet.pids;
    const fleetCpu = () => fleetPids.reduce((sum, pid) => sum + processUsage(pid).cpuS, 0);
    const fleetCpu0 = fleetCpu();
    const t0 = Date.now();
    // Where the time goes: how fast the boxes come back, and whether the hub or the fleet is busy.
    const timeline: RunResult['timeline'] = [];
    let hubCpuBase: { pid: number; cpu0: number } | null = null;
    sampler = setInterval(() => {
      const f = fleet;
      if (!f) return;
      const h = hubCpuBase;
      const point = {
        s: Math.round((Date.now() - t0) / 1000),
        connected: f.connected(),
        hubCpuS: h ? round2(processUsage(h.pid).cpuS - h.cpu0) : 0,
        fleetCpuS: round2(fleetCpu() - fleetCpu0),
      };
      timeline.push(point);
      log(`+${point.s} s: ${point.connected} connected; CPU since the stop: hub ${point.hubCpuS} s, fleet ${point.fleetCpuS} s`);
    }, 5_000);
    const ports = hub.ports;
    await hub.stop({ keepData: true });
    const stopMs = Date.now() - t0;
    if (mosq) {
      const { port, tlsPort } = mosq;
      await mosq.stop();
      mosq = await startMosquitto({ ...mosqOpts, port, tls: { ...tls, port: tlsPort ?? 0 } });
    }
    hub = await startHubProcess(config, { dataDir, ports, tls: true, ...(held ? { held } : {}) });
    const downMs = Date.now() - t0;
    log(`broker back after ${downMs} ms (the old hub took ${stopMs} ms to exit)`);
    const cpu0 = processUsage(hub.pid).cpuS;
    hubCpuBase = { pid: hub.pid, cpu0 };
    const mosqCpu0 = mosq ? processUsage(mosq.pid).cpuS : 0;
    // Every box noticed the loss and connected again (the counts come from the workers' flushes).
    const f = fleet;
    await until(() => f.totals().connects >= connects0 + n && f.connected() === n, CONNECT_TIMEOUT_MS, 'not every box reconnected');
    const allConnectedMs = Date.now() - t0;
    const s = await steady(fleet, hub, n, t0);
    clearInterval(sampler);
    const result: RunResult = {
      clusters: n,
      broker: held ? `${BROKER_LABEL[broker]}, port held across the restart (loa-hub.socket)` : BROKER_LABEL[broker],
      stopMs,
      downMs,
      allConnectedMs,
      onlineInHubMs: s.onlineMs,
      steadyMs: s.steadyMs,
      reconnectionsBeyondOne: s.connects - connects0 - n,
      hubCpuSeconds: round2(processUsage(hub.pid).cpuS - cpu0),
      ...(mosq ? { mosquittoCpuSeconds: round2(processUsage(mosq.pid).cpuS - mosqCpu0) } : {}),
      fleetCpuSeconds: round2(fleetCpu() - fleetCpu0),
      hubRssMb: Math.round(processUsage(hub.pid).rssMb),
      timeline,
      loadAvg1: Number(loadavg()[0]!.toFixed(2)),
      met: s.steadyMs < STEADY_TARGET_MS,
    };
    log(
      `all connected after ${allConnectedMs} ms, online in the hub after ${s.onlineMs} ms, steady after ${s.steadyMs} ms (${result.reconnectionsBeyondOne} ` +
        `reconnections beyond one per box)`,
    );
    return result;
  } finally {
    clearInterval(sampler);
    await hub?.stop();
    await held?.close();
    await fleet?.stop();
    await mosq?.stop();
    rmSync(mosqDir, { recursive: true, force: true });
  }
}

/** Waits until every box is connected and online in the hub and none (re)connected for QUIET_MS;
 *  times are from `t0`: when the hub first listed all online, and the fleet's last connection. */
async function steady(fleet: FleetProcesses, hub: HubProcess, n: number, t0: number): Promise<{ onlineMs: number; steadyMs: number; connects: number }> {
  let last = { connects: fleet.totals().connects, at: Date.now() };
  let onlineMs: number | null = null;
  const deadline = Date.now() + CONNECT_TIMEOUT_MS;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`the fleet was not steady within ${CONNECT_TIMEOUT_MS} ms`);
    await sleep(200);
    const c = fleet.totals().connects;
    if (c !== last.connects || fleet.connected() < n) {
      last = { connects: c, at: Date.now() };
      continue;
    }
    if (onlineMs === null) {
      const { clusters } = await hub.api<{ clusters: { online: boolean }[] }>('GET', '/api/v1/clusters');
      if (clusters.filter((x) => x.online).length === n) onlineMs = Date.now() - t0;
    }
    if (onlineMs !== null && Date.now() - last.at >= QUIET_MS) return { onlineMs, steadyMs: last.at - t0, connects: last.connects };
  }
}

function table(runs: RunResult[], failed: { clusters: number; broker: string; error: string }[]): string {
  const t = new Table({
    head: ['clusters', 'broker', 'down', 'all connected', 'online in hub', 'steady', 'extra reconnections', 'hub CPU', 'mosquitto CPU', 'fleet CPU', 'met'],
  });
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  for (const r of runs) {
    t.push([
      r.clusters.toLocaleString('en'),
      r.broker,
      s(r.downMs),
      s(r.allConnectedMs),
      s(r.onlineInHubMs),
      s(r.steadyMs),
      String(r.reconnectionsBeyondOne),
      `${r.hubCpuSeconds} s`,
      r.mosquittoCpuSeconds === undefined ? '–' : `${r.mosquittoCpuSeconds} s`,
      `${r.fleetCpuSeconds} s`,
      r.met ? 'yes' : 'no',
    ]);
  }
  for (const f of failed) t.push([f.clusters.toLocaleString('en'), f.broker, { colSpan: 9, content: `failed: ${f.error}`.slice(0, 100) }]);
  return t.toString();
}

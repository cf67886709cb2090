// A slice of the fanout benchmark's simulated fleet in its own process (forked by bench/fleet-procs.ts):
// 10,000 MQTT.js clients on one event loop would make the fleet, not the hub or the broker, the
// bottleneck being measured. Runs loa-sim's Fleet for the clusters it is given and reports over IPC
// how many are connected and, in batches, each `accepted` ack with its device-side times.
import { readFileSync } from 'node:fs';
import { silentLogger } from '../common/logger.js';
import { startFleet, type Fleet } from '../firmware-sim/index.js';

export interface WorkerStart {
  type: 'start';
  mqttUrl: string;
  clusters: { id: string; secret: string }[];
  /** The hub's public keys: the clusters check every command's signature, as boxes do. */
  hubKeys: string[];
  /** Clusters started per second in this worker; 0 starts them all at once. */
  connectRatePerSec: number;
  keepaliveS: number;
  /** The hub's CA certificate file for mqtts://: the clusters trust it alone, as boxes do. */
  caFile?: string;
}

/** [clusterId, command received at, ack handed to MQTT at], on this machine's clock. */
export type AckRecord = [string, number, number];

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'connected'; count: number; connects: number; commands: number }
  | { type: 'acks'; acks: AckRecord[] }
  | { type: 'stopped' }
  | { type: 'error'; message: string };

const FLUSH_MS = 20;

function send(msg: WorkerMessage): void {
  process.send?.(msg);
}

let fleet: Fleet | null = null;
let pending: AckRecord[] = [];
let lastConnected = -1;

const flush = setInterval(() => {
  if (pending.length > 0) {
    send({ type: 'acks', acks: pending });
    pending = [];
  }
  const c = fleet?.counters;
  const key = c ? c.connected * 1e12 + c.connects * 1e6 + c.commandsReceived : -1;
  if (c && key !== lastConnected) {
    lastConnected = key;
    send({ type: 'connected', count: c.connected, connects: c.connects, commands: c.commandsReceived });
  }
}, FLUSH_MS);

process.on('message', (raw: unknown) => {
  const msg = raw as WorkerStart | { type: 'stop' };
  if (msg.type === 'start') {
    void (async () => {
      fleet = await startFleet({
        mqttUrl: msg.mqttUrl,
        clusters: msg.clusters,
        hubKeys: msg.hubKeys,
        logger: silentLogger(),
        clockSync: false,
        connectRatePerSec: msg.connectRatePerSec,
        delayMs: 0,
        fetchDelayMs: 0,
        healthIntervalMs: 3_600_000,
        keepaliveS: msg.keepaliveS,
        ...(msg.caFile ? { ca: readFileSync(msg.caFile) } : {}),
      });
      fleet.events.on('ack', (e) => {
        if (e.ack.status === 'accepted') pending.push([e.clusterId, e.cmdReceivedAt, e.sentAt]);
      });
    })().catch((err: unknown) => send({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
  } else if (msg.type === 'stop') {
    // The benchmark is over: the hub or broker is usually gone already, so no goodbyes.
    clearInterval(flush);
    send({ type: 'stopped' });
    process.exit(0);
  }
});

process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });

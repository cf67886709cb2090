// The fanout benchmark's fleet spread over child processes (bench/fleet-worker.ts), each running
// loa-sim's Fleet for an equal slice of the clusters, so decoding thousands of MQTT connections
// is shared out instead of queueing on the benchmark's own event loop.
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AckRecord, WorkerMessage, WorkerStart } from './fleet-worker.js';

const WORKER = join(dirname(fileURLToPath(import.meta.url)), 'fleet-worker.js');

export interface FleetProcesses {
  readonly pids: number[];
  /** Clusters connected right now, over all workers. */
  connected(): number;
  /** Connections made since start (reconnections included) and commands received, over all workers. */
  totals(): { connects: number; commands: number };
  /** `check` runs on every poll and may throw to give up (e.g. the hub died). */
  waitForConnected(count: number, timeoutMs: number, check?: () => void): Promise<void>;
  /** Device-side times of each `accepted` ack, by cluster id. */
  readonly acks: Map<string, { received: number; ackSent: number }>;
  stop(): Promise<void>;
}

export async function startFleetProcesses(opts: {
  mqttUrl: string;
  clusters: { id: string; secret: string }[];
  hubKeys: string[];
  workers: number;
  /** Over the whole fleet; 0 starts every cluster at once. */
  connectRatePerSec: number;
  keepaliveS?: number;
  /** The hub's CA certificate file, for an mqtts:// URL. */
  caFile?: string;
}): Promise<FleetProcesses> {
  const workers = Math.max(1, Math.min(opts.workers, opts.clusters.length));
  const counts = new Array<number>(workers).fill(0);
  const connects = new Array<number>(workers).fill(0);
  const commands = new Array<number>(workers).fill(0);
  const acks = new Map<string, { received: number; ackSent: number }>();
  const children: ChildProcess[] = [];
  let failure: Error | null = null;
  for (let w = 0; w < workers; w++) {
    const child = fork(WORKER, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    child.on('message', (raw) => {
      const msg = raw as WorkerMessage;
      if (msg.type === 'connected') {
        counts[w] = msg.count;
        connects[w] = msg.connects;
        commands[w] = msg.commands;
      } else if (msg.type === 'acks') for (const [id, received, ackSent] of msg.acks as AckRecord[]) acks.set(id, { received, ackSent });
      else if (msg.type === 'error') failure = new Error(`fleet worker ${w}: ${msg.message}`);
    });
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) failure ??= new Error(`fleet worker ${w} exited with code ${code}`);
    });
    children.push(child);
  }
  const start = (w: number): WorkerStart => ({
    type: 'start',
    mqttUrl: opts.mqttUrl,
    clusters: opts.clusters.filter((_, i) => i % workers === w),
    hubKeys: opts.hubKeys,
    connectRatePerSec: opts.connectRatePerSec / workers,
    keepaliveS: opts.keepaliveS ?? 60,
    ...(opts.caFile ? { caFile: opts.caFile } : {}),
  });
  // Every worker is up (its module loaded) before any starts connecting, so they start together.
  await Promise.all(
    children.map(
      (c, w) =>
        new Promise<void>((resolve, reject) => {
          c.on('message', (m) => (m as WorkerMessage).type === 'ready' && resolve());
          c.once('exit', () => reject(new Error(`fleet worker ${w} exited before it was ready`)));
        }),
    ),
  );
  for (const [w, c] of children.entries()) c.send(start(w));
  const connected = () => counts.reduce((a, b) => a + b, 0);
  return {
    pids: children.map((c) => c.pid!),
    connected,
    totals: () => ({ connects: connects.reduce((a, b) => a + b, 0), commands: commands.reduce((a, b) => a + b, 0) }),
    acks,
    async waitForConnected(count, timeoutMs, check) {
      const deadline = Date.now() + timeoutMs;
      while (connected() < count) {
        if (failure) throw failure;
        check?.();
        if (Date.now() > deadline) throw new Error(`only ${connected()} of ${count} clusters connected within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async stop() {
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null || c.signalCode !== null) return resolve();
              const timer = setTimeout(() => c.kill('SIGKILL'), 5_000);
              c.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
              if (c.connected) c.send({ type: 'stop' });
              else c.kill('SIGKILL');
            }),
        ),
      );
    },
  };
}

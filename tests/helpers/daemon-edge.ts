// Runs a real EdgeDaemon in the test process, with its log lines captured for assertions.
import { PassThrough } from 'node:stream';
import { createLogger } from '../../common/logger.js';
import { parseEdgeConfig, type EdgeConfig } from '../../daemon/config.js';
import { boxHubSection } from './hub-tls.js';
import { EdgeDaemon } from '../../daemon/edge.js';
import type { HardwareProbe } from '../../daemon/hardware/health.js';
import { TEST_HUB_KEY } from './signing.js';

export interface EdgeUnderTest {
  daemon: EdgeDaemon;
  config: EdgeConfig;
  logs: Record<string, unknown>[];
  stop(): Promise<void>;
}

/** A probe with fixed readings, standing in for a board's sensors. */
export const fixedProbe: HardwareProbe = {
  cpuTempC: async () => 51.5,
  load1: () => 0.25,
  memory: () => ({ freeMb: 300, totalMb: 1024 }),
  diskFreeMb: async () => 12_000,
  uptimeS: () => 4242,
};

export async function startEdge(o: {
  clusterId: string;
  secret?: string;
  mqttUrl: string;
  httpUrl: string;
  dataDir: string;
  sink?: EdgeConfig['sink'];
  healthIntervalSec?: number;
  hardware?: HardwareProbe;
  /** MQTT keep-alive (default 5 s); a dead link is noticed in about two of them. */
  keepaliveSec?: number;
}): Promise<EdgeUnderTest> {
  const config = parseEdgeConfig({
    clusterId: o.clusterId,
    secret: o.secret ?? 'sesame',
    hubKeys: [TEST_HUB_KEY],
    hub: boxHubSection(o.mqttUrl, o.httpUrl),
    dataDir: o.dataDir,
    sink: o.sink ?? { type: 'null' },
    healthIntervalSec: o.healthIntervalSec ?? 60,
    keepaliveSec: o.keepaliveSec ?? 5,
    reconnect: { minMs: 100, maxMs: 400 },
  });
  const logs: Record<string, unknown>[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  const logger = createLogger({ name: `edge-${o.clusterId}`, level: 'debug', destination: stream });
  const daemon = new EdgeDaemon({ config, logger, hardware: o.hardware ?? fixedProbe });
  await daemon.start();
  await startupMeasured(o.clusterId, logs);
  return { daemon, config, logs, stop: () => daemon.stop() };
}

/** Waits for the daemon to measure ffmpeg's startup latency (in the background, at start-up):
 *  from then on items start that much before their startAt, as on every box in service. */
export async function startupMeasured(clusterId: string, logs: Record<string, unknown>[]): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!logs.some((l) => l.msg === 'ffmpeg startup latency' || String(l.msg).startsWith('could not measure ffmpeg'))) {
    if (Date.now() > deadline) throw new Error(`${clusterId}: ffmpeg startup latency not measured within 15 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

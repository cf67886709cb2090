// Runs a real EdgeDaemon in the test process, with its log lines captured for assertions.
import { PassThrough } from 'node:stream';
import { createLogger } from '../../common/logger.js';
import { parseEdgeConfig, type EdgeConfig } from '../../daemon/config.js';
import { boxHubSection } from './hub-tls.js';
import { EdgeDaemon } from '../../daemon/edge.js';
import type { HardwareProbe } from '../../daemon/health.js';

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
  return { daemon, config, logs, stop: () => daemon.stop() };
}

// A real hub with a few simulated clusters online (loa-sim's Fleet over real MQTT), for the live
// stream tests: the boxes ack plays like real ones but fetch no audio.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../common/logger.js';
import { silentLogger } from '../../common/logger.js';
import type { HubConfigInput } from '../../hub/config.js';
import { createFleet, type Fleet } from '../../firmware-sim/index.js';
import { startTestHub, waitFor, type TestHub } from './hub.js';
import { makeTempDir } from './tmp.js';

export interface SimRig {
  t: TestHub;
  fleet: Fleet;
  tmp: ReturnType<typeof makeTempDir>;
  secrets: Map<string, string>;
  stop(): Promise<void>;
}

export async function startSimRig(o: { prefix: string; ids: string[]; config?: Partial<HubConfigInput>; logger?: Logger }): Promise<SimRig> {
  const tmp = makeTempDir(o.prefix);
  const t = await startTestHub({ dataDir: join(tmp.path, 'hub'), ...(o.config ? { config: o.config } : {}), ...(o.logger ? { logger: o.logger } : {}) });
  const secrets = new Map<string, string>();
  for (const id of o.ids) secrets.set(id, (await t.addCluster(id)).secret);
  const fleet = createFleet({
    mqttUrl: t.addresses.mqttUrl,
    // The simulated boxes pin the hub's CA, as loa-edge does.
    ca: readFileSync(t.addresses.caFile),
    clusters: o.ids.map((id) => ({ id, secret: secrets.get(id)! })),
    hubKeys: t.hub.hubKeys(),
    logger: silentLogger(),
    fetchDelayMs: { min: 5, max: 20 },
    healthIntervalMs: 60_000,
    connectRatePerSec: 100,
  });
  await fleet.start();
  await waitFor(() => o.ids.every((id) => t.hub.store.clusters.get(id)?.online), { what: 'sims online' });
  return {
    t,
    fleet,
    tmp,
    secrets,
    async stop() {
      // The fleet first: the boxes would keep reconnecting to a hub being stopped.
      await fleet.stop();
      await t.stop();
      tmp.remove();
    },
  };
}

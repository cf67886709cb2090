// A real `loa-edge` child process for the attack suites: harness/edge-process.ts's, at debug level with
// a quick reconnect, and its pino lines parsed so a test can look for what the daemon said.
import { boxHubSection } from './hub-tls.js';
import { spawnEdge as spawnHarnessEdge, type EdgeProcess as HarnessEdge, type EdgeSpec } from '../../harness/edge-process.js';
import { TEST_HUB_KEY } from './signing.js';

export interface EdgeProcess extends HarnessEdge {
  /** The daemon's log lines so far (the last 200 KB of its output). */
  logs(): Record<string, unknown>[];
}

/** harness/edge-process.ts's daemon pinning the run's test CA unless the spec names another; a plain URL
 *  is allowed (the test chose it). hubKeys defaults to the test hub key, which every test hub signs
 *  with (helpers/signing.ts). */
export function spawnEdgeWithCa(spec: Omit<EdgeSpec, 'hubKeys'> & { hubKeys?: string[] }): HarnessEdge {
  const { caFile, allowPlaintext } = boxHubSection(spec.mqttUrl, spec.httpUrl);
  return spawnHarnessEdge({ caFile, ...(allowPlaintext ? { allowPlaintext } : {}), hubKeys: [TEST_HUB_KEY], ...spec });
}

export function spawnEdge(spec: Omit<EdgeSpec, 'hubKeys'> & { hubKeys?: string[] }): EdgeProcess {
  const e = spawnEdgeWithCa({ logLevel: 'debug', keepaliveSec: 5, reconnect: { minMs: 100, maxMs: 400 }, ...spec });
  const logs = () =>
    e
      .output()
      .split('\n')
      .flatMap((line) => {
        try {
          return line.startsWith('{') ? [JSON.parse(line) as Record<string, unknown>] : [];
        } catch {
          return []; // the first line, cut where the kept output begins
        }
      });
  return Object.assign(e, { logs });
}

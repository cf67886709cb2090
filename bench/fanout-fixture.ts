// The fanout benchmark's registered fleet, kept between runs: a hub data directory with N clusters
// added through the API, and their secrets. Adding a cluster costs the hub time in proportion to
// the clusters it already has (the scheduler reloads and re-plans every cluster on each
// `clusterAdded`; docs/benchmarks.md), so 10,000 take many minutes; each run copies the kept
// directory instead of registering again. Every cluster also gets its Mosquitto hash when added,
// so one fixture serves both the embedded and the external broker.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHubProcess } from '../harness/hub-process.js';

export interface FanoutFixture {
  /** A fresh copy of the registered data directory, for one hub run. */
  copy(): string;
  specs: { id: string; secret: string }[];
  /** How long registering took when the fixture was made (ms), and whether this run made it. */
  registerMs: number;
  made: boolean;
}

const REGISTER_CONCURRENCY = 16;
const ROOT = process.env.LOA_BENCH_FIXTURES ?? join(tmpdir(), 'loa-bench-fanout-fixtures');

export async function fanoutFixture(n: number, scryptCost: number, log: (s: string) => void): Promise<FanoutFixture> {
  const dir = join(ROOT, `${n}-scrypt${scryptCost}`);
  const meta = join(dir, 'fixture.json');
  let made = false;
  if (process.env.LOA_BENCH_FANOUT_FRESH === '1') rmSync(dir, { recursive: true, force: true });
  if (!existsSync(meta)) {
    made = true;
    const work = mkdtempSync(join(tmpdir(), 'loa-bench-fixture-'));
    mkdirSync(join(work, 'data'));
    // LOA_BENCH_FIXTURE_HUB_BIN: register with another loa-hub build (docs/benchmarks.md: a build whose
    // scheduler reloads once per burst of additions makes 10,000 take a minute instead of hours).
    const hubBin = process.env.LOA_BENCH_FIXTURE_HUB_BIN;
    const hub = await startHubProcess({ mqtt: { auth: { scryptCost } } }, { dataDir: join(work, 'data'), ...(hubBin ? { hubBin } : {}) });
    try {
      log(`registering ${n} clusters through the API (kept in ${dir} for later runs)`);
      const t0 = Date.now();
      const ids = Array.from({ length: n }, (_, i) => `sim-${String(i).padStart(6, '0')}`);
      const specs: { id: string; secret: string }[] = new Array(n);
      let next = 0;
      let done = 0;
      await Promise.all(
        Array.from({ length: REGISTER_CONCURRENCY }, async () => {
          for (let i = next++; i < n; i = next++) {
            const res = await hub.api<{ secret: string }>('POST', '/api/v1/clusters', { id: ids[i] });
            specs[i] = { id: ids[i]!, secret: res.secret };
            if (++done % 1000 === 0) log(`  ${done} registered after ${Math.round((Date.now() - t0) / 1000)} s`);
          }
        }),
      );
      const registerMs = Date.now() - t0;
      await hub.stop({ keepData: true });
      rmSync(join(work, 'data', 'hub.yaml'), { force: true });
      writeFileSync(join(work, 'data', 'fixture.json'), JSON.stringify({ n, scryptCost, registerMs, hubBin: hubBin ?? 'loa-hub (this tree)', specs }));
      mkdirSync(ROOT, { recursive: true });
      rmSync(dir, { recursive: true, force: true });
      renameSync(join(work, 'data'), dir);
      rmSync(work, { recursive: true, force: true });
      log(`registered ${n} clusters in ${registerMs} ms`);
    } catch (err) {
      await hub.stop();
      throw err;
    }
  }
  const kept = JSON.parse(readFileSync(meta, 'utf8')) as { registerMs: number; specs: { id: string; secret: string }[] };
  return {
    specs: kept.specs,
    registerMs: kept.registerMs,
    made,
    copy() {
      const target = mkdtempSync(join(tmpdir(), 'loa-bench-'));
      cpSync(dir, target, { recursive: true, filter: (src) => !src.endsWith('fixture.json') });
      return target;
    },
  };
}

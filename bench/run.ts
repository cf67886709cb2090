// `npm run bench -- NAME [--clusters N]`: runs one benchmark, prints its environment and result,
// and writes bench/results/NAME.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { cameras } from './cameras.js';
import { benchEnvironment } from './env.js';
import { edge } from './edge.js';
import { BROKERS, fanout, type BrokerKind } from './fanout.js';
import { ingest } from './ingest.js';
import { live } from './live.js';
import { media } from './media.js';
import { reconnect } from './reconnect.js';
import { sync } from './sync.js';
import { video } from './video.js';

const RESULTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results');

interface BenchOptions {
  clusters: number[];
  brokers: BrokerKind[];
  fleetWorkers: number;
  connectRate: number;
  heldSocket: boolean;
  cameras: number;
  viewers: number;
  seconds: number;
  concurrency?: number;
  rounds: number;
  minutes: number;
  processes: number;
  interval: number;
  playSeconds: number;
  longMinutes: number;
}

const benches: Record<string, (o: BenchOptions) => Promise<Record<string, unknown>>> = {
  fanout: async (o) => fanout({ clusters: o.clusters, brokers: o.brokers, workers: o.fleetWorkers, connectRate: o.connectRate }),
  cameras: async (o) => cameras({ cameras: o.cameras, viewers: o.viewers, seconds: o.seconds, concurrency: o.concurrency }),
  sync: async () => sync(),
  live: async (o) => live({ rounds: o.rounds }),
  // --clusters defaults to fanout's list; ingest is about 10,000 unless told otherwise (first count).
  ingest: async (o) =>
    ingest({
      clusters: program.getOptionValueSource('clusters') === 'default' ? 10_000 : o.clusters[0]!,
      minutes: o.minutes,
      processes: o.processes,
      intervalSec: o.interval,
    }),
  edge: async (o) => edge({ playSeconds: o.playSeconds }),
  media: async (o) => media({ longMinutes: o.longMinutes }),
  reconnect: async (o) =>
    reconnect({
      clusters: program.getOptionValueSource('clusters') === 'default' ? [10_000] : o.clusters,
      brokers: o.brokers,
      workers: o.fleetWorkers,
      connectRate: o.connectRate,
      heldSocket: o.heldSocket,
    }),
  // --viewers: the largest count; the runs are 1, 10 and 50 (or up to the count given).
  video: async (o) =>
    video({
      viewers: program.getOptionValueSource('viewers') === 'default' ? [1, 10, 50] : [1, 10, 50].filter((x) => x < o.viewers).concat(o.viewers),
      seconds: program.getOptionValueSource('seconds') === 'default' ? 10 : o.seconds,
    }),
};

function parseCounts(v: string): number[] {
  const xs = v.split(',').map((x) => Number.parseInt(x.trim(), 10));
  if (xs.some((x) => !Number.isInteger(x) || x < 1)) throw new Error(`--clusters: "${v}" is not a comma-separated list of positive counts`);
  return xs;
}

function parseBrokers(v: string): BrokerKind[] {
  const xs = v.split(',').map((x) => x.trim());
  const bad = xs.filter((x) => !(BROKERS as readonly string[]).includes(x));
  if (bad.length > 0) throw new Error(`--brokers: unknown broker(s) ${bad.join(', ')}; known: ${BROKERS.join(', ')}`);
  return xs as BrokerKind[];
}

const program = new Command('npm run bench --')
  .argument('<name>', `benchmark: ${Object.keys(benches).join(', ')}`)
  .option('--clusters <list>', 'fleet sizes, comma-separated (fanout, reconnect)', parseCounts, [1000, 10000])
  .option('--brokers <list>', `brokers to compare: ${BROKERS.join(',')} (fanout, reconnect)`, parseBrokers, [...BROKERS])
  .option('--fleet-workers <n>', 'processes the simulated fleet is spread over (fanout, reconnect)', (v) => Number.parseInt(v, 10), 4)
  .option('--connect-rate <n>', 'fleet connections started per second, 0 = all at once (fanout)', (v) => Number.parseInt(v, 10), 0)
  .option('--held-socket', 'embedded broker: its MQTT port held open across the restart, as systemd/loa-hub.socket does (reconnect)', false)
  .option('--cameras <n>', 'simulated cameras (cameras)', (v) => Number.parseInt(v, 10), 604)
  .option('--viewers <n>', 'concurrent snapshot viewers (cameras); the most live viewers (video)', (v) => Number.parseInt(v, 10), 20)
  .option('--concurrency <n>', 'cameras.concurrency of the hub (cameras; default: the hub default)', (v) => Number.parseInt(v, 10))
  .option('--rounds <n>', 'measured rounds per path (live)', (v) => Number.parseInt(v, 10), 5)
  .option('--seconds <n>', 'how long each snapshot load (cameras) or viewer count (video) runs', (v) => Number.parseInt(v, 10), 10)
  .option('--minutes <n>', 'measured window, after the fleet is connected (ingest)', Number.parseFloat, 3)
  .option('--processes <n>', 'child processes the simulated fleet is spread over (ingest)', (v) => Number.parseInt(v, 10), 4)
  .option('--interval <s>', 'seconds between health reports of a cluster (ingest)', Number.parseFloat, 30)
  .option('--play-seconds <n>', 'seconds of audio played in real time (edge)', (v) => Number.parseInt(v, 10), 60)
  .option('--long-minutes <n>', 'length of the long generated file (media)', Number.parseFloat, 30)
  .action(async (name: string, o: BenchOptions) => {
    const run = benches[name];
    if (!run) {
      process.stderr.write(`bench: unknown benchmark "${name}"; known: ${Object.keys(benches).join(', ')}\n`);
      process.exit(2);
    }
    const environment = benchEnvironment();
    process.stderr.write(`bench ${name}: ${environment.cpu} × ${environment.cores}, ${environment.memGiB} GiB, Node ${environment.node}\n`);
    process.stderr.write(
      `bench ${name}: ${environment.os}; ${Object.entries({ ...environment.deps, ...environment.tools })
        .map(([k, v]) => `${k} ${v}`)
        .join('; ')}\n`,
    );
    const result = await run(o);
    const record = { name, command: `npm run bench -- ${process.argv.slice(2).join(' ')}`, environment, result };
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(join(RESULTS, `${name}.json`), `${JSON.stringify(record, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    process.exit(0);
  });

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

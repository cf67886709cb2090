// `npm run bench -- NAME [--clusters N]`: runs one benchmark, prints its environment and result,
// and writes bench/results/NAME.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { cameras } from './cameras.js';
import { benchEnvironment } from './env.js';
import { fanout } from './fanout.js';
import { live } from './live.js';
import { sync } from './sync.js';

const RESULTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results');

interface BenchOptions {
  clusters: number;
  cameras: number;
  viewers: number;
  seconds: number;
  concurrency?: number;
  rounds: number;
}

const benches: Record<string, (o: BenchOptions) => Promise<Record<string, unknown>>> = {
  fanout: async (o) => fanout({ clusters: o.clusters }),
  cameras: async (o) => cameras({ cameras: o.cameras, viewers: o.viewers, seconds: o.seconds, concurrency: o.concurrency }),
  sync: async () => sync(),
  live: async (o) => live({ rounds: o.rounds }),
};

const program = new Command('npm run bench --')
  .argument('<name>', `benchmark: ${Object.keys(benches).join(', ')}`)
  .option('--clusters <n>', 'fleet size (fanout)', (v) => Number.parseInt(v, 10), 1000)
  .option('--cameras <n>', 'simulated cameras (cameras)', (v) => Number.parseInt(v, 10), 604)
  .option('--viewers <n>', 'concurrent snapshot viewers (cameras)', (v) => Number.parseInt(v, 10), 20)
  .option('--concurrency <n>', 'cameras.concurrency of the hub (cameras; default: the hub default)', (v) => Number.parseInt(v, 10))
  .option('--rounds <n>', 'measured rounds per path (live)', (v) => Number.parseInt(v, 10), 5)
  .option('--seconds <n>', 'how long each snapshot load runs (cameras)', (v) => Number.parseInt(v, 10), 10)
  .action(async (name: string, o: BenchOptions) => {
    const run = benches[name];
    if (!run) {
      process.stderr.write(`bench: unknown benchmark "${name}"; known: ${Object.keys(benches).join(', ')}\n`);
      process.exit(2);
    }
    const environment = benchEnvironment();
    process.stderr.write(`bench ${name}: ${environment.cpu} × ${environment.cores}, ${environment.memGiB} GiB, Node ${environment.node}\n`);
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

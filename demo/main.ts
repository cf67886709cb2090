// `npm run demo`: the hub with its embedded broker and store, a simulated fleet of the 12 Tú Lệ
// clusters, and 2 real loa-edge daemons with file sinks. It imports a short sample it makes,
// plays it on all 14 and prints who started and finished when; beside it, a few simulated ONVIF
// cameras (one of them dead) polled by the hub, with their status and the police monitor page.
// --keep leaves it all running.
import { execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { parse } from 'yaml';
import { colourWanted } from '../common/colour.js';
import { errorMessage } from '../common/errors.js';
import { createLogger } from '../common/logger.js';
import { startFleet } from '../firmware-sim/index.js';
import { caDispatcher, withDispatcher } from '../common/ca-dispatcher.js';
import { startCameras, type CameraFarm } from '../firmware-sim/cameras/index.js';
import { newTokenSecret } from '../hub/http/routes/tokens.js';
import { Hub } from '../hub/hub.js';
import { spawnEdge, type EdgeProcess } from '../harness/edge-process.js';
import { demoTable } from './table.js';

interface SiteFile {
  name: string;
  clusters: { id: string; name: string; village: string }[];
}

const program = new Command('npm run demo --')
  .description('Loa demo: hub + 12 simulated Tú Lệ clusters + 2 real loa-edge daemons; plays a sample on all 14')
  .option('--data-dir <dir>', 'where the demo keeps its data (wiped at start)', './data/demo')
  .option('--mqtt-port <port>', 'MQTT over TLS port of the hub', (v) => Number.parseInt(v, 10), 8883)
  .option('--http-port <port>', 'HTTP port of the hub', (v) => Number.parseInt(v, 10), 8080)
  .option('--site <file>', 'site file with the clusters', 'config/sites/tu-le/site.yaml')
  .option('--edges <n>', 'how many real loa-edge daemons to start', (v) => Number.parseInt(v, 10), 2)
  .option('--cameras <n>', 'how many simulated cameras (127.0.1.x; the second one is dead)', (v) => Number.parseInt(v, 10), 4)
  .option('--keep', 'keep everything running after the broadcast (stop with Ctrl-C); use the `loa` CLI meanwhile', false)
  .addHelpText(
    'after',
    '\nWith --keep the hub stays up on the ports above; in another terminal:\n  node bin/loa.js --data-dir ./data/demo/hub status\n  node bin/loa.js ' +
      '--data-dir ./data/demo/hub broadcast play --media loa-demo --all\n',
  );

function makeSample(dir: string, ffmpeg: string): string {
  const wav = join(dir, 'loa-demo.wav');
  const text = 'Xin chào bà con xã Tú Lệ. Đây là buổi phát thử của hệ thống truyền thanh thông minh.';
  if (spawnSync('espeak-ng', ['--version']).status === 0) {
    execFileSync('espeak-ng', ['-v', 'vi', '-s', '150', '-w', wav, text]);
    return wav;
  }
  // No speech engine here: a three-note chime, the sound that opens a commune bulletin.
  execFileSync(ffmpeg, [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'sine=f=523:d=1',
    '-f',
    'lavfi',
    '-i',
    'sine=f=659:d=1',
    '-f',
    'lavfi',
    '-i',
    'sine=f=784:d=1.5',
    '-filter_complex',
    '[0][1][2]concat=n=3:v=0:a=1',
    wav,
  ]);
  return wav;
}

const time = (ms: number | null | undefined): string => (ms ? new Date(ms).toISOString().slice(11, 23) : '-');

async function main(): Promise<void> {
  program.parse();
  const o = program.opts<{ dataDir: string; mqttPort: number; httpPort: number; site: string; edges: number; cameras: number; keep: boolean }>();
  const dataDir = resolve(o.dataDir);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const say = (s: string) => process.stdout.write(`${s}\n`);
  const colour = colourWanted(process.stdout, process.env);
  const logFile = join(dataDir, 'demo.log');
  const logger = createLogger({ name: 'loa-demo', level: 'info', destination: createWriteStream(logFile) });

  const site = parse(readFileSync(o.site, 'utf8')) as SiteFile;
  const hub = new Hub({
    config: {
      dataDir: join(dataDir, 'hub'),
      mqtt: { tls: { port: o.mqttPort } },
      http: { port: o.httpPort },
      dispatch: { leadMs: 3000 },
      cameras: { pollIntervalSec: 5, timeoutMs: 2000 },
    },
    logger: logger.child({ part: 'hub' }),
  });
  const addr = await hub.start();
  say(`hub: MQTT ${addr.mqttUrl}, HTTP ${addr.httpUrl} (ffmpeg from ${hub.ffmpeg.source}); log in ${logFile}`);

  // Register the site's clusters and as many extra ones as there are real daemons.
  const creds = new Map<string, string>();
  for (const c of site.clusters) creds.set(c.id, (await hub.clusters.add(c)).secret);
  const edgeIds = Array.from({ length: o.edges }, (_, i) => `edge-${i + 1}`);
  for (const id of edgeIds) creds.set(id, (await hub.clusters.add({ id, name: `loa-edge ${id}`, village: 'Thử nghiệm (loa-edge)' })).secret);

  const fleet = await startFleet({
    mqttUrl: addr.mqttUrl,
    ca: hub.tls.ca,
    clusters: site.clusters.map((c) => ({ id: c.id, secret: creds.get(c.id)! })),
    hubKeys: hub.hubKeys(),
    logger: logger.child({ part: 'sim' }),
    delayMs: { min: 20, max: 150 },
    healthIntervalMs: 10_000,
  });
  const edges: EdgeProcess[] = edgeIds.map((id) =>
    spawnEdge({
      clusterId: id,
      secret: creds.get(id)!,
      hubKeys: hub.hubKeys(),
      mqttUrl: addr.mqttUrl,
      httpUrl: addr.httpUrl,
      caFile: addr.caFile,
      dir: join(dataDir, id),
      healthIntervalSec: 10,
    }),
  );
  // Free ports (not ONVIF's standard 80, which needs root): the hub is told each camera's port.
  const villages = site.clusters.map((c) => c.village);
  const cams: CameraFarm | null =
    o.cameras > 0
      ? await startCameras({
          count: o.cameras,
          port: 0,
          discoveryPort: null,
          logger: logger.child({ part: 'cameras' }),
          villages,
          faults: [undefined, { dead: true }],
        })
      : null;
  const stopAll = async (): Promise<void> => {
    await cams?.stop();
    await Promise.all(edges.map((e) => e.stop()));
    await fleet.stop();
    await hub.stop();
  };

  try {
    const all = [...site.clusters.map((c) => c.id), ...edgeIds];
    const deadline = Date.now() + 30_000;
    while (all.some((id) => !hub.store.clusters.get(id)?.online)) {
      if (Date.now() > deadline) throw new Error(`clusters still offline after 30 s: ${all.filter((id) => !hub.store.clusters.get(id)?.online).join(', ')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    say(`${all.length} clusters online (${site.clusters.length} simulated, ${edgeIds.length} real loa-edge)`);

    if (cams) await showCameras(hub, cams, villages, addr.httpUrl, say, colour);

    const sample = makeSample(dataDir, hub.ffmpeg.path);
    const token = hub.operatorToken();
    // Over HTTPS, trusting the hub's own CA, as the CLI does.
    const up = await fetch(
      `${addr.httpUrl}/api/v1/media?name=loa-demo&filename=loa-demo.wav`,
      withDispatcher(
        {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', accept: 'application/json' },
          body: readFileSync(sample),
        },
        await caDispatcher(hub.tls.ca),
      ),
    );
    const media = ((await up.json()) as { media: { id: string; durationMs: number } }).media;
    say(`imported the sample: ${(media.durationMs / 1000).toFixed(1)} s, loudness-normalised Ogg/Opus, id ${media.id.slice(0, 12)}…`);

    const broadcast = hub.dispatcher.play({ mediaId: media.id, clusterIds: all, createdBy: 'demo' });
    say(`broadcast ${broadcast.id} starts at ${time(broadcast.startAt)} UTC on all ${all.length} clusters…`);
    const until = Date.now() + 3000 + media.durationMs + 20_000;
    for (;;) {
      const b = hub.store.broadcasts.get(broadcast.id)!;
      if (b.targets.every((t) => !['pending', 'sent', 'accepted', 'started'].includes(t.status)) || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const b = hub.store.broadcasts.get(broadcast.id)!;
    const village = new Map(hub.store.clusters.list().map((c) => [c.id, c.village]));
    // "start error": the box's own estimate of how far from the common start it began (boxes sync
    // their clocks to the hub); the ack itself may arrive later over a slow link.
    const table = demoTable(['cluster', 'village', 'kind', 'outcome', 'start ack heard (UTC)', 'finished (UTC)', 'start error'], colour);
    for (const t of b.targets) {
      table.push([
        t.clusterId,
        village.get(t.clusterId) ?? '',
        edgeIds.includes(t.clusterId) ? 'loa-edge' : 'simulated',
        t.status,
        time(t.startedAt),
        time(t.finishedAt),
        t.startErrorMs !== null ? `${Math.round(t.startErrorMs)} ms` : '-',
      ]);
    }
    say(table.toString());
    const finished = b.targets.filter((t) => t.status === 'finished').length;
    say(`${finished} of ${b.targets.length} clusters played the sample to the end. The real daemons' audio: ${edges.map((e) => e.sinkDir).join(', ')}`);
    if (!o.keep) {
      await stopAll();
      process.exit(finished === b.targets.length ? 0 : 1);
    }
    say(`\nStill running (--keep). Try: node bin/loa.js --data-dir ${join(o.dataDir, 'hub')} status   — Ctrl-C stops everything.`);
    const onSignal = (): void => void stopAll().then(() => process.exit(0));
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  } catch (err) {
    process.stderr.write(`demo: ${errorMessage(err)}\n`);
    await stopAll().catch(() => undefined);
    process.exit(1);
  }
}

/** Adds the simulated cameras, waits for one poll of each, prints their status and the monitor's address. */
async function showCameras(hub: Hub, cams: CameraFarm, villages: string[], httpUrl: string, say: (s: string) => void, colour: boolean): Promise<void> {
  for (const [i, c] of cams.cameras.entries()) {
    hub.cameras.add({ id: c.name, host: c.host, port: c.port, user: 'admin', password: 'admin', name: `Camera ${c.name.slice(4)}`, village: villages[i] });
  }
  await hub.cameras.pollAll();
  const table = demoTable(['camera', 'village', 'address', 'status', 'reason', 'model'], colour);
  for (const v of hub.cameras.list())
    table.push([v.id, v.village ?? '', `${v.host}:${v.port}`, v.status, v.reason ?? '', v.device ? `${v.device.manufacturer} ${v.device.model}` : '-']);
  say(table.toString());
  const police = newTokenSecret();
  hub.store.tokens.add({ id: 't-demo-police', name: 'demo police post', role: 'police', createdAt: Date.now(), token: police });
  say(`police monitor page: ${httpUrl}/monitor#token=${police} (HTTPS by the hub's own CA: install ${hub.tls.caFile} in the browser, docs/install.md)`);
}

main().catch((err: unknown) => {
  process.stderr.write(`demo: ${errorMessage(err)}\n`);
  process.exit(1);
});

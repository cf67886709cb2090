// A scheduled relay whose station dies mid-item, on the real clock (the live engine's ffmpeg and its
// stall detection run in real time): the simulated clusters still finish at the item's end, and
// the broadcast log says for how long the relay was lost.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import { createFleet, type Fleet } from '../firmware-sim/index.js';
import { epochToZoned, formatTimeOfDay } from '../hub/schedule/calendar.js';
import { startTestHub, waitFor, type TestHub } from './helpers/hub.js';
import { startUpstream, type Upstream } from './helpers/live-upstream.js';
import { makeTempDir } from './helpers/tmp.js';

const TZ = 'Asia/Ho_Chi_Minh';
let t: TestHub | null = null;
let fleet: Fleet | null = null;
let up: Upstream | null = null;
const tmp = makeTempDir('loa-relay-gap-');
afterEach(async () => {
  await fleet?.stop();
  await t?.stop();
  await up?.close();
  tmp.remove();
});

describe('scheduled relay with a station that dies', () => {
  it('finishes at the item end and logs "relay lost N s"', async () => {
    up = await startUpstream();
    t = await startTestHub({ dataDir: join(tmp.path, 'hub'), config: { live: { stallMs: 1000, silenceAfterMs: 300, backoffMinMs: 200, backoffMaxMs: 400 } } });
    const ids = ['gap-1', 'gap-2'];
    const clusters = [];
    for (const id of ids) clusters.push({ id, secret: (await t.addCluster(id)).secret });
    fleet = createFleet({
      mqttUrl: t.addresses.mqttUrl,
      hubKeys: t.hub.hubKeys(),
      clusters,
      logger: silentLogger(),
      fetchDelayMs: { min: 5, max: 20 },
      healthIntervalMs: 60_000,
      connectRatePerSec: 100,
    });
    await fleet.start();
    await waitFor(() => ids.every((id) => t!.hub.store.clusters.get(id)?.online), { what: 'sims online' });

    // An item starting on a whole second a few seconds from now, 10 s long (on a loaded machine the
    // hub's relay may take several seconds to connect to the station).
    const startAt = Math.ceil((Date.now() + 4000) / 1000) * 1000;
    const endAt = startAt + 10_000;
    const z = epochToZoned(TZ, startAt);
    const file =
      `site: test\ntimezone: ${TZ}\nprogrammes:\n  - id: tiep-song\n    at: "${formatTimeOfDay(z.seconds)}"\n    clusters: [${ids.join(', ')}]\n  ` +
      `  items:\n      - relay: "${up.url}"\n        duration: 10s\n`;
    const applied = t.hub.schedules.apply(file, 'relay.yaml', 'test', false);
    expect(applied.problems.filter((p) => p.severity === 'error')).toEqual([]);

    // The station goes away 2 s into the item, once the hub's relay has encoded a second of its
    // audio (a loss is counted only after the stream had audio; on a loaded machine the hub's
    // ffmpeg may take longer to connect), and does not come back.
    const relayAudioMs = () => t!.hub.live.list().find((s) => 'url' in s.source && s.source.url === up!.url)?.audioMs ?? 0;
    await waitFor(() => Date.now() >= startAt + 2000 && relayAudioMs() >= 1000, { what: 'relay under way', timeoutMs: 14_000 }).catch((e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify(t!.hub.live.list().map((s) => ({ source: s.source, audioMs: s.audioMs, state: s.state })))}`);
    });
    expect(up.requests).toBeGreaterThanOrEqual(1);
    const killedAt = Date.now();
    expect(killedAt).toBeLessThan(endAt - 1500);
    await up.kill();
    const rows = () => t!.hub.store.broadcasts.log({ from: startAt - 1, to: startAt + 1 });
    await waitFor(() => rows().length === 2 && rows().every((r) => r.status === 'finished' && r.detail !== null), {
      what: 'relay logged',
      timeoutMs: 15_000,
    }).catch((e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify(rows().map((r) => ({ status: r.status, detail: r.detail, outcome: r.outcome })))}`);
    });
    for (const r of rows()) {
      expect(r).toMatchObject({ mediaName: `relay ${up.url}`, outcome: 'played', plannedEnd: endAt });
      const lost = Number(/^relay lost (\d+) s$/.exec(r.detail!)?.[1]);
      // From the kill to the end of the item, give or take the engine's timers.
      expect(lost).toBeGreaterThanOrEqual(1);
      expect(lost).toBeLessThanOrEqual(Math.ceil((endAt - killedAt) / 1000) + 2);
    }
  }, 45_000);
});

// Issue 14, item 13, as the hub sees it: a real hub (broker, SQLite, media import) and a real
// loa-edge child process with a file sink. SIGKILL of the daemon mid-broadcast used to leave the
// hub's target `started` until its deadline gave up on it ("no-finish-report"); the restarted
// daemon now joins the item and the hub logs it `finished`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTone } from '../helpers/audio.js';
import { spawnEdge, type EdgeProcess } from '../helpers/edge-process.js';
import { startTestHub, waitFor, type TestHub } from '../helpers/hub.js';
import { makeTempDir } from '../helpers/tmp.js';

const tmp = makeTempDir('loa-sec-kill-hub-');
const ID = 'kill-hub-edge';
let t: TestHub;
let secret = '';
let mediaId = '';
const boxes: EdgeProcess[] = [];

beforeAll(async () => {
  t = await startTestHub({ dataDir: join(tmp.path, 'hub'), config: { dispatch: { leadMs: 1000 } } });
  secret = (await t.addCluster(ID, { village: 'Bản Thử' })).secret;
  const wav = makeTone(join(tmp.path, 'news.wav'), 8);
  const up = await t.api<{ media: { id: string } }>('POST', '/api/v1/media?name=news', readFileSync(wav), { headers: { accept: 'application/json' } });
  if (up.status !== 201) throw new Error(`import failed: ${JSON.stringify(up.body)}`);
  mediaId = up.body.media.id;
});

afterAll(async () => {
  for (const b of boxes) await b.stop('SIGKILL');
  await t?.stop();
  tmp.remove();
});

function box(): EdgeProcess {
  const b = spawnEdge({ clusterId: ID, secret, mqttUrl: t.addresses.mqttUrl, httpUrl: t.addresses.httpUrl, dir: join(tmp.path, ID) });
  boxes.push(b);
  return b;
}

const target = (broadcastId: string) => t.hub.store.broadcasts.get(broadcastId)!.targets.find((x) => x.clusterId === ID)!;

describe("the hub's log after kill -9 of loa-edge mid-broadcast (issue 14, item 13)", () => {
  it('shows the item finished on that cluster, joined again by the restarted daemon', async () => {
    box();
    await waitFor(() => t.hub.store.clusters.get(ID)?.online, { what: 'the box online', timeoutMs: 20_000 });
    const r = await t.api<{ broadcast: { id: string } }>('POST', '/api/v1/broadcasts', { mediaId, clusters: [ID] });
    expect(r.status).toBe(201);
    const id = r.body.broadcast.id;
    await waitFor(() => target(id).status === 'started', { what: 'started', timeoutMs: 15_000 });
    await new Promise((res) => setTimeout(res, 1500));
    await boxes[0]!.stop('SIGKILL');
    await waitFor(() => !t.hub.store.clusters.get(ID)?.online, { what: 'the hub sees the box gone', timeoutMs: 20_000 });
    box();
    const done = await waitFor(() => (['finished', 'failed', 'expired', 'stopped'].includes(target(id).status) ? target(id) : null), {
      what: 'the item to end',
      timeoutMs: 20_000,
    });
    expect(done.status, `${done.reason} ${done.detail}`).toBe('finished');
    // Ended with the media (8 s after its start), not cut short by the kill.
    expect(done.finishedAt! - done.startedAt!).toBeGreaterThan(7000);
  });
});

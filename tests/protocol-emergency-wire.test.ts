// docs/protocol.md, "Emergencies on the wire": what a box receives when an operator starts a
// repeating emergency and stops it, on a real hub (default leads) with a real MQTT box.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlayCommand, StopCommand } from '../protocol/index.js';
import { makeTone } from './helpers/audio.js';
import { startTestHub, waitFor, type TestHub } from './helpers/hub.js';
import { scriptedBox, type ScriptedBox } from './helpers/scripted-box.js';
import { makeTempDir } from './helpers/tmp.js';

const tmp = makeTempDir('loa-proto-emergency-');
let t: TestHub;
let box: ScriptedBox;
let media: { id: string; durationMs: number };

beforeAll(async () => {
  // The defaults of a hub in service: plays sent 3 s ahead, an emergency on air 1.5 s after its start.
  t = await startTestHub({ dataDir: join(tmp.path, 'hub'), config: { dispatch: { leadMs: 3000, emergencyLeadMs: 1500 } } });
  const wav = makeTone(join(tmp.path, 'siren.wav'), 5);
  const up = await t.api<{ media: { id: string; durationMs: number } }>('POST', '/api/v1/media?name=siren', readFileSync(wav), {
    headers: { accept: 'application/json' },
  });
  if (up.status !== 201) throw new Error(`import failed: ${JSON.stringify(up.body)}`);
  media = up.body.media;
  const { secret } = await t.addCluster('ban-hon');
  box = await scriptedBox(t.addresses.mqttUrl, 'ban-hon', secret, { finish: false });
  await waitFor(() => t.hub.store.clusters.get('ban-hon')?.online, { what: 'ban-hon online' });
});

afterAll(async () => {
  await box?.client.endAsync(true);
  await t?.stop();
  tmp.remove();
});

describe('an emergency on the wire', () => {
  it('is one play per round with an s-… id, the next sent before the round ends, and a stop naming the round', async () => {
    const startedAt = Date.now();
    const start = await t.api<{ emergency: { id: string } }>('POST', '/api/v1/emergency', { zones: ['ban-hon'], mediaId: media.id, repeat: true });
    expect(start.status).toBe(201);
    const plays = () => box.received.filter((c): c is PlayCommand => c.type === 'play');
    const first = await waitFor(() => plays()[0], { what: 'the first round', timeoutMs: 5000 });
    expect(first.broadcastId).toMatch(/^s-[0-9a-f]{16}$/);
    expect(first.media?.id).toBe(media.id);
    expect(first).toMatchObject({ offsetMs: 0 });
    expect(first.stopAt).toBeUndefined();
    // On air 1.5 s after the operator started it (within the time the request took).
    expect(first.startAt - startedAt).toBeGreaterThanOrEqual(1400);
    expect(first.startAt - Date.now()).toBeLessThanOrEqual(1500);

    const second = await waitFor(() => plays()[1], { what: 'the second round', timeoutMs: 10_000 });
    const secondAt = box.receivedAt[box.received.indexOf(second)]!;
    expect(second.broadcastId).toMatch(/^s-[0-9a-f]{16}$/);
    expect(second.broadcastId).not.toBe(first.broadcastId);
    expect(second.seq).toBeGreaterThan(first.seq);
    expect(second.startAt).toBe(first.startAt + media.durationMs);
    // Sent about the lead (3 s) before the round change.
    expect(second.startAt - secondAt).toBeGreaterThan(2000);

    // Stopped once the second round is on air: a stop naming that round.
    await waitFor(() => Date.now() > second.startAt + 500, { what: 'the second round on air', timeoutMs: 10_000 });
    const stop = await t.api('POST', '/api/v1/emergency/stop', { id: start.body.emergency.id });
    expect(stop.status).toBe(200);
    const stopCmd = await waitFor(() => box.received.find((c): c is StopCommand => c.type === 'stop'), { what: 'the stop', timeoutMs: 5000 });
    expect(stopCmd.broadcastId).toBe(second.broadcastId);
    expect(plays()).toHaveLength(2);
  });

  it('stopped after the next round was sent, the stop names that next round (the one on air plays out)', async () => {
    const before = box.received.length;
    const start = await t.api<{ emergency: { id: string } }>('POST', '/api/v1/emergency', { zones: ['ban-hon'], mediaId: media.id, repeat: true });
    expect(start.status).toBe(201);
    const plays = () => box.received.slice(before).filter((c): c is PlayCommand => c.type === 'play');
    const first = await waitFor(() => plays()[0], { what: 'the first round', timeoutMs: 5000 });
    const second = await waitFor(() => plays()[1], { what: 'the second round', timeoutMs: 10_000 });
    expect(Date.now()).toBeLessThan(second.startAt);
    await t.api('POST', '/api/v1/emergency/stop', { id: start.body.emergency.id });
    const stopCmd = await waitFor(() => box.received.slice(before).find((c): c is StopCommand => c.type === 'stop'), { what: 'the stop', timeoutMs: 5000 });
    expect(stopCmd.broadcastId).toBe(second.broadcastId);
    expect(stopCmd.broadcastId).not.toBe(first.broadcastId);
  });
});

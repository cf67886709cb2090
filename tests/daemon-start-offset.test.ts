// loa-edge decodes each command once: the command handler tells the start meter a play's offsetMs
// (the box does not decode the command a second time for it), so a play that joins an item under
// way is measured against when its first sample was due. Real broker, real HTTP, real ffmpeg,
// the daemon in-process.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MediaRef } from '../protocol/index.js';
import { startEdge } from './helpers/daemon-edge.js';
import { cmd, makeOpusMedia, useDaemonRig } from './helpers/daemon-fixtures.js';

let tone: { body: Buffer; ref: MediaRef };
const rig = useDaemonRig('loa-daemon-offset-', {
  setup: (r) => {
    tone = makeOpusMedia(r.tmp.path, 6);
    r.media.routes.set(tone.ref.url, tone.body);
  },
});

describe('loa-edge start error of a play that joins under way', () => {
  it("takes the play's offsetMs from the one decode of the command", async () => {
    const clusterId = 'offset-1';
    rig.media.credentials = { user: clusterId, password: 'sesame' };
    const e = await startEdge({
      clusterId,
      mqttUrl: rig.broker.url,
      httpUrl: rig.media.url,
      dataDir: join(rig.tmp.path, clusterId),
      sink: { type: 'file', dir: join(rig.tmp.path, 'out') },
    });
    rig.edges.push(e);
    await rig.watcher.waitFor('online', () => rig.watcher.of(clusterId, 'presence').find((p) => p.status === 'online'));
    await rig.watcher.waitFor('state', () => rig.watcher.of(clusterId, 'state').length > 0);
    // Joins 4 s into the item (as the scheduler sends after a restart or an emergency).
    const play = cmd.play(1, tone.ref, { startInMs: 1000, offsetMs: 4000 });
    await rig.watcher.send(clusterId, play);
    const started = await rig.watcher.waitAck(clusterId, play.id, 'started');
    const line = e.logs.find((l) => l.msg === 'playback started' && l.broadcastId === play.broadcastId);
    expect(line).toMatchObject({ offsetMs: 4000, seekMs: expect.any(Number) });
    // Measured against the sample due at startAt: without the offset it would be about −4 s.
    expect(Math.abs(started.startErrorMs as number)).toBeLessThan(2000);
  });
});

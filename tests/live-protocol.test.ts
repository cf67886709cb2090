// The additive protocol change for live streams (a play carries `stream` instead of `media`), the
// simulator taking a stream play like a media play of unknown length, and `loa broadcast relay`
// against a real hub: start, list, stop.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePayload, PROTOCOL_VERSION, streamMediaId } from '../protocol/index.js';
import { runLoa } from './helpers/cli-run.js';
import { waitFor, type TestHub } from './helpers/hub.js';
import { startUpstream, type Upstream } from './helpers/live-upstream.js';
import { startSimRig, type SimRig } from './helpers/sim-rig.js';

const base = { v: PROTOCOL_VERSION, id: 'c-1', seq: 1, issuedAt: 1_000, expiresAt: 61_000, type: 'play', broadcastId: 'b-1', startAt: 2_000 };
const media = { id: 'a'.repeat(64), url: '/api/v1/media/x/content', bytes: 10, durationMs: 1000, format: 'ogg/opus' };
const stream = { url: '/api/v1/live/live-1', format: 'mp3' };
const decode = (o: unknown) => decodePayload('cmd', Buffer.from(JSON.stringify(o)));

describe('play with a stream', () => {
  it('accepts media or stream, and refuses both or neither', () => {
    expect(decode({ ...base, media }).ok).toBe(true);
    expect(decode({ ...base, stream }).ok).toBe(true);
    expect(decode({ ...base, media, stream }).ok).toBe(false);
    expect(decode({ ...base }).ok).toBe(false);
    expect(streamMediaId(stream)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('relay to simulated clusters with the CLI', () => {
  const ids = ['sim-live-1', 'sim-live-2'];
  let rig: SimRig;
  let t: TestHub;
  let up: Upstream;
  let tmp: SimRig['tmp'];

  beforeAll(async () => {
    up = await startUpstream();
    rig = await startSimRig({ prefix: 'loa-live-cli-', ids });
    ({ t, tmp } = rig);
  });
  afterAll(async () => {
    await rig?.stop();
    await up?.close();
  });

  const loa = (...args: string[]) => runLoa(['--hub', t.addresses.httpUrl, '--token', t.token, '--json', ...args], { cwd: tmp.path });

  it('starts a relay, the simulators play it until stopped, and the list shows it', async () => {
    const started = await loa('broadcast', 'relay', up.url, '--clusters', ids.join(','));
    expect(started.code, started.stderr).toBe(0);
    const id = (JSON.parse(started.stdout) as { stream: { id: string } }).stream.id;
    const status = () => t.hub.live.list().find((s) => s.id === id)!;
    await waitFor(() => status().clusters.every((c) => c.status === 'started'), { what: 'simulators started' });
    // A stream has no length: the simulator does not finish it by itself.
    await new Promise((r) => setTimeout(r, 500));
    expect(status().clusters.map((c) => c.status)).toEqual(['started', 'started']);
    const list = await loa('broadcast', 'relay', '--list');
    expect((JSON.parse(list.stdout) as { streams: { id: string }[] }).streams.map((s) => s.id)).toContain(id);
    const stopped = await loa('broadcast', 'relay', '--stop', id);
    expect(stopped.code, stopped.stderr).toBe(0);
    await waitFor(() => status().clusters.every((c) => c.status === 'stopped'), { what: 'simulators stopped' });
    expect(status().state).toBe('ended');
  }, 20_000);

  it('ends a relay at its until time: the plays carry it as stopAt and the simulators finish', async () => {
    const r = await t.api<{ stream: { id: string } }>('POST', '/api/v1/live', { source: { url: up.url }, clusters: ids, until: Date.now() + 1500 });
    expect(r.status).toBe(201);
    const status = () => t.hub.live.list().find((s) => s.id === r.body.stream.id)!;
    await waitFor(() => status().state === 'ended' && status().clusters.every((c) => c.status === 'finished'), {
      what: 'relay over at until',
      timeoutMs: 8000,
    });
  }, 15_000);

  it('refuses a relay without a source, and a source that is not http(s)', async () => {
    const none = await loa('broadcast', 'relay', '--all');
    expect(none.code).toBe(2);
    const r = await t.api<{ error: { code: string } }>('POST', '/api/v1/live', { source: { url: 'file:///etc/passwd' }, all: true });
    expect(r.body.error.code).toBe('LOA_LIVE_SOURCE_INVALID');
  });
});

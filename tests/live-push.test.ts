// A live stream pushed by the operator: `loa announce --file F --live` and `--mic` (with the fake
// capture input LOA_MIC_INPUT) as real child processes against a real hub with simulated clusters;
// a box-like HTTP client hears MP3 frames while it runs; an upload that stalls ends with the reason logged.
// The hub serves HTTPS; this worker trusts the run's test CA (tests/helpers/global-tls.ts).
import { request } from 'node:https';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../common/logger.js';
import { createFleet, type Fleet } from '../firmware-sim/index.js';
import { splitFrames } from '../hub/live/frames.js';
import { makeTone } from './helpers/audio.js';
import { spawnLoa } from './helpers/cli-run.js';
import { startTestHub, waitFor, type TestHub } from './helpers/hub.js';
import { makeTempDir } from './helpers/tmp.js';

describe('live push from the operator', () => {
  const tmp = makeTempDir('loa-live-push-');
  const ids = ['sim-push-1', 'sim-push-2'];
  const secrets = new Map<string, string>();
  const logLines: string[] = [];
  let t: TestHub;
  let fleet: Fleet;
  let tone: string;

  beforeAll(async () => {
    const destination = new Writable({
      write: (chunk: Buffer, _e, done) => {
        logLines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    t = await startTestHub({
      dataDir: join(tmp.path, 'hub'),
      config: { live: { pushStallMs: 1500 } } as never,
      logger: createLogger({ name: 'hub', level: 'info', destination }),
    });
    for (const id of ids) secrets.set(id, (await t.addCluster(id)).secret);
    fleet = createFleet({
      mqttUrl: t.addresses.mqttUrl,
      hubKeys: t.hub.hubKeys(),
      clusters: ids.map((id) => ({ id, secret: secrets.get(id)! })),
      logger: silentLogger(),
      fetchDelayMs: { min: 5, max: 20 },
      healthIntervalMs: 60_000,
      connectRatePerSec: 100,
    });
    await fleet.start();
    await waitFor(() => ids.every((id) => t.hub.store.clusters.get(id)?.online), { what: 'sims online' });
    tone = makeTone(join(tmp.path, 'loi-nhan.mp3'), 8);
  });
  afterAll(async () => {
    await fleet?.stop();
    await t?.stop();
    tmp.remove();
  });

  /** Listens to a stream like a box (HTTP Basic, cluster credentials) and counts MP3 frames. */
  async function listen(id: string): Promise<{ frames: () => number; ended: Promise<void> }> {
    const auth = `Basic ${Buffer.from(`${ids[0]}:${secrets.get(ids[0]!)!}`).toString('base64')}`;
    const res = await fetch(`${t.addresses.httpUrl}/api/v1/live/${id}`, { headers: { authorization: auth } });
    expect(res.status).toBe(200);
    const parts: Buffer[] = [];
    const ended = (async () => {
      for await (const c of res.body as unknown as AsyncIterable<Uint8Array>) parts.push(Buffer.from(c));
    })();
    return { frames: () => splitFrames('mp3', Buffer.concat(parts)).length, ended };
  }

  const pushed = () => t.hub.live.list().find((s) => 'push' in s.source && s.state !== 'ended');

  async function runLive(args: string[], env: Record<string, string> = {}) {
    const cli = spawnLoa(['--hub', t.addresses.httpUrl, '--token', t.token, '--json', 'announce', ...args, '--all'], { cwd: tmp.path, env });
    const live = await waitFor(pushed, { what: 'pushed stream', timeoutMs: 8000 });
    const ear = await listen(live.id);
    await waitFor(() => t.hub.live.get(live.id)!.clusters.every((c) => c.status === 'started'), { what: 'sims playing the stream' });
    await waitFor(() => ear.frames() > 20, { what: 'MP3 frames at the listener' });
    const r = await cli;
    await ear.ended; // the stream's end closes the listener's response
    return { r, id: live.id };
  }

  it('--file F --live --duration 3: the clusters play the pushed stream; it ends when the CLI ends', async () => {
    const { r, id } = await runLive(['--file', tone, '--live', '--duration', '3']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { stream: { id: string; audioMs: number }; end: string; durationMs: number };
    expect(out.stream.id).toBe(id);
    expect(out.end).toBe('ended');
    // -re and -t 3: about three seconds of audio, in about three seconds.
    expect(out.durationMs).toBeGreaterThan(2500);
    expect(out.durationMs).toBeLessThan(6000);
    expect(out.stream.audioMs).toBeGreaterThan(2500);
    const info = t.hub.live.get(id)!;
    expect(info.state).toBe('ended');
    await waitFor(() => t.hub.live.get(id)!.clusters.every((c) => c.status === 'stopped'), { what: 'sims stopped after the push' });
  }, 30_000);

  it('--chime --emergency: the chime goes out before and after the pushed audio, and the broadcast is an emergency', async () => {
    const cli = spawnLoa(
      [
        '--hub',
        t.addresses.httpUrl,
        '--token',
        t.token,
        '--json',
        'announce',
        '--file',
        tone,
        '--live',
        '--duration',
        '2',
        '--chime',
        '--emergency',
        '--clusters',
        ids[0]!,
      ],
      { cwd: tmp.path },
    );
    const live = await waitFor(pushed, { what: 'pushed stream', timeoutMs: 8000 });
    const ear = await listen(live.id);
    const r = await cli;
    expect(r.code, r.stderr).toBe(0);
    await ear.ended;
    const out = JSON.parse(r.stdout) as { stream: { id: string; audioMs: number; priority: string; chime: boolean }; durationMs: number };
    expect(out.stream).toMatchObject({ id: live.id, priority: 'emergency', chime: true });
    // Two seconds pushed; the stream lasts them plus the chime (1.45 s) twice.
    expect(out.stream.audioMs).toBeLessThan(2600);
    expect(out.durationMs).toBeGreaterThan(4500);
    // What a box heard: well over the pushed audio (it joined a moment after the start).
    expect(ear.frames() * 26.1).toBeGreaterThan(4000);
    const row = t.hub.store.broadcasts.get(live.id)!;
    expect(row.priority).toBe('emergency');
  }, 30_000);

  it('--mic with the fake capture input, ended by SIGINT (Ctrl-C), English text on stdout', async () => {
    const cli = spawnLoa(['--hub', t.addresses.httpUrl, '--token', t.token, '--lang', 'en', 'announce', '--mic', '--clusters', ids[1]!], {
      cwd: tmp.path,
      env: { LOA_MIC_INPUT: '-f lavfi -i sine=f=440:sample_rate=44100' },
    });
    const live = await waitFor(pushed, { what: 'pushed stream', timeoutMs: 8000 });
    await waitFor(() => t.hub.live.get(live.id)!.audioMs > 1500, { what: 'audio from the fake mic' });
    // The relay list names who pushes it.
    const list = await spawnLoa(['--hub', t.addresses.httpUrl, '--token', t.token, '--lang', 'en', 'broadcast', 'relay', '--list'], { cwd: tmp.path });
    expect(list.stdout, list.stderr).toMatch(new RegExp(`${live.id}.*live from local operator`));
    // spawnLoa gives no handle on the child: find it as the process that holds the push.
    const { execFileSync } = await import('node:child_process');
    const pid = execFileSync('pgrep', ['-f', `announce --mic --clusters ${ids[1]}`])
      .toString()
      .trim()
      .split('\n')[0]!;
    process.kill(Number(pid), 'SIGINT');
    const r = await cli;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('On air from the microphone');
    expect(r.stdout).toMatch(new RegExp(`Live announcement ${live.id} on 1 cluster\\(s\\) ended after \\d+\\.\\d s \\(ended\\)`));
    expect(t.hub.live.get(live.id)!.state).toBe('ended');
  }, 30_000);

  it('an upload that stalls ends the stream, with the reason logged and answered', async () => {
    const { readFileSync } = await import('node:fs');
    const audio = readFileSync(tone);
    const answer = await new Promise<{ status: number; body: { end: string; stream: { id: string } } }>((resolve, reject) => {
      const req = request(
        `${t.addresses.httpUrl}/api/v1/live/push?clusters=${ids[0]}`,
        { method: 'POST', headers: { authorization: `Bearer ${t.token}`, 'content-type': 'audio/mpeg' } },
        (res) => {
          let text = '';
          res
            .setEncoding('utf8')
            .on('data', (d: string) => (text += d))
            .on('end', () => {
              req.destroy();
              resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as never });
            });
        },
      );
      req.on('error', reject);
      // A second of audio, then nothing: the operator's link froze.
      req.write(audio.subarray(0, 16_000));
    });
    expect(answer.status).toBe(200);
    expect(answer.body.end).toBe('stalled');
    expect(logLines.some((l) => l.includes('live push stalled') && l.includes(answer.body.stream.id))).toBe(true);
    expect(t.hub.live.get(answer.body.stream.id)!.state).toBe('ended');
  }, 20_000);

  it('a push whose connection breaks off ends its stream and stops the boxes', async () => {
    const { readFileSync } = await import('node:fs');
    const req = request(`${t.addresses.httpUrl}/api/v1/live/push?clusters=${ids[0]}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'audio/mpeg' },
    });
    req.on('error', () => {});
    req.write(readFileSync(tone).subarray(0, 16_000));
    const live = await waitFor(pushed, { what: 'pushed stream' });
    await waitFor(() => t.hub.live.get(live.id)!.clusters.every((c) => c.status === 'started'), { what: 'sim playing' });
    req.destroy();
    await waitFor(() => t.hub.live.get(live.id)!.state === 'ended' && t.hub.live.get(live.id)!.clusters.every((c) => c.status === 'stopped'), {
      what: 'stream ended, sim stopped',
    });
    expect(logLines.some((l) => l.includes('broke off') && l.includes(live.id))).toBe(true);
  }, 20_000);

  it('refuses a push without clusters, and bad usage of the live options exits 2', async () => {
    const res = await fetch(`${t.addresses.httpUrl}/api/v1/live/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'audio/mpeg' },
      body: new Uint8Array(10),
    });
    expect(res.status).toBe(400);
    const base = ['--hub', t.addresses.httpUrl, '--token', t.token, '--lang', 'vi', 'announce'];
    const noFile = await spawnLoa([...base, '--live', '--all'], { cwd: tmp.path });
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain('--live dùng cùng --file');
    const voice = await spawnLoa([...base, '--mic', '--voice', 'vi', '--all'], { cwd: tmp.path });
    expect(voice.code).toBe(2);
    expect(voice.stderr).toContain('--voice');
    // The hub refuses while the CLI is already streaming: the CLI says why and exits 1.
    const unknown = await spawnLoa([...base, '--file', tone, '--live', '--clusters', 'ban-zz'], { cwd: tmp.path });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('ban-zz');
  }, 20_000);
});

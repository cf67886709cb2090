// One live pull (hub/video/pull.ts) against cameras that misbehave, with the real ffmpeg: an RTSP
// port that accepts and never answers, and one that answers garbage. Each ends "lost" with a clear
// reason (no password in it) and is tried again; stopping the pull ends the retries.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../common/clock.js';
import { english } from '../common/i18n/reasons.js';
import { silentLogger } from '../common/logger.js';
import { LivePull, type LiveState } from '../hub/video/pull.js';
import { waitFor } from './helpers/hub.js';
import { requireTool } from './helpers/tools.js';

const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A TCP server on 127.0.0.1 that does `onConnection` with each client; resolves its port. */
async function fakeCamera(onConnection: (s: Socket) => void): Promise<number> {
  const server = createServer((s) => {
    sockets.push(s);
    s.on('error', () => {});
    onConnection(s);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

function pullFrom(port: number, connections: { n: number }) {
  const states: { state: LiveState; reason: string | null }[] = [];
  const pull = new LivePull(
    {
      ffmpegPath: 'ffmpeg',
      clock: systemClock,
      logger: silentLogger(),
      settings: { connectTimeoutSec: 1, retryMaxSec: 0.5 },
      source: async () => {
        connections.n++;
        return { url: `rtsp://admin:Pw-in-url@127.0.0.1:${port}/profile_main`, shown: `rtsp://127.0.0.1:${port}/profile_main`, secrets: ['Pw-in-url'] };
      },
    },
    { state: (state, reason) => states.push({ state, reason: reason && english(reason) }), init: () => {}, fragment: () => {} },
  );
  return { pull, states };
}

describe.skipIf(!requireTool('ffmpeg'))('a live pull from a camera that misbehaves', () => {
  it('an RTSP port that never answers: "lost" after the connect timeout, with the reason, and retried', async () => {
    const port = await fakeCamera(() => {});
    const tries = { n: 0 };
    const { pull, states } = pullFrom(port, tries);
    pull.start();
    try {
      await waitFor(() => (states.some((s) => s.state === 'lost') ? true : null), { timeoutMs: 8000, what: 'lost' });
      expect(states[0]).toEqual({ state: 'connecting', reason: null });
      const lost = states.find((s) => s.state === 'lost')!;
      expect(lost.reason).toBe('no video from the camera within 1 s');
      await waitFor(() => (tries.n >= 2 ? true : null), { timeoutMs: 8000, what: 'a retry' });
    } finally {
      pull.stop();
    }
    const after = tries.n;
    await new Promise((r) => setTimeout(r, 1500));
    expect(tries.n).toBe(after);
  }, 20_000);

  it('a camera that answers garbage: "lost" with what ffmpeg said, the password cut out', async () => {
    const port = await fakeCamera((s) => {
      s.once('data', () => s.end('HTTP/9.9 999 nonsense\r\n\r\n\u0000\u0001garbage'));
    });
    const { pull, states } = pullFrom(port, { n: 0 });
    pull.start();
    try {
      await waitFor(() => (states.some((s) => s.state === 'lost') ? true : null), { timeoutMs: 8000, what: 'lost' });
    } finally {
      pull.stop();
    }
    const lost = states.find((s) => s.state === 'lost')!;
    // ffmpeg names the address it was given: the reason has it without the credentials.
    expect(lost.reason).toMatch(/^the stream ended: rtsp:\/\/127\.0\.0\.1:\d+\/profile_main: Invalid data/);
    expect(lost.reason).not.toContain('Pw-in-url');
    expect(lost.reason).not.toContain('admin');
    expect(states.some((s) => s.state === 'live')).toBe(false);
  }, 20_000);
});

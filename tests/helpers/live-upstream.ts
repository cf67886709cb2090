// A stand-in radio station for live tests: an HTTP server that serves an endless MP3 stream made
// on the fly (ffmpeg lavfi sine, paced in real time with -re), like an Icecast mount. It can be
// killed mid-stream (connections cut) and started again on the same port.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { ffmpegPath } from './audio.js';

export interface Upstream {
  url: string;
  port: number;
  /** Requests served so far. */
  requests: number;
  /** Bytes of audio sent so far, over all listeners. */
  bytes: number;
  /** Cuts every connection and stops listening (the station goes away). */
  kill(): Promise<void>;
  /** Listens again on the same port. */
  revive(): Promise<void>;
  close(): Promise<void>;
}

export async function startUpstream(freqHz = 440): Promise<Upstream> {
  const procs = new Set<ChildProcess>();
  const sockets = new Set<Socket>();
  let server: Server;
  const state = { requests: 0, bytes: 0 };
  const make = (): Server => {
    const s = createServer((_req, res) => {
      state.requests += 1;
      res.writeHead(200, { 'content-type': 'audio/mpeg', 'cache-control': 'no-store' });
      const p = spawn(
        ffmpegPath(),
        [
          '-nostdin',
          '-loglevel',
          'error',
          '-re',
          '-f',
          'lavfi',
          '-i',
          `sine=f=${freqHz}:r=44100`,
          '-ac',
          '1',
          '-c:a',
          'libmp3lame',
          '-b:a',
          '64k',
          '-f',
          'mp3',
          'pipe:1',
        ],
        { stdio: ['ignore', 'pipe', 'ignore'] },
      );
      procs.add(p);
      p.stdout.on('data', (d: Buffer) => (state.bytes += d.length));
      p.stdout.pipe(res);
      const done = () => {
        p.kill('SIGKILL');
        procs.delete(p);
      };
      res.on('close', done);
      p.on('close', () => procs.delete(p));
    });
    s.on('connection', (sock) => {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
    });
    return s;
  };
  const listen = (port: number) =>
    new Promise<number>((resolve) => {
      server = make();
      server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
    });
  const port = await listen(0);
  const kill = async () => {
    for (const p of procs) p.kill('SIGKILL');
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    url: `http://127.0.0.1:${port}/live.mp3`,
    port,
    get requests() {
      return state.requests;
    },
    get bytes() {
      return state.bytes;
    },
    kill,
    revive: async () => void (await listen(port)),
    close: async () => {
      if (server.listening) await kill();
    },
  };
}

// Starts and stops the simulated cameras' RTSP server (rtsp-server.py, GStreamer's gst-rtsp-server)
// as one child process for a whole camera farm, and finds a Python that can run it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LoaError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import type { LoopFile } from './video-loop.js';

/** RTSP port of every camera's address unless told (554 needs root; 8554 is the usual unprivileged one). */
export const DEFAULT_RTSP_PORT = 8554;
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;
// The import fails without python3-gi, the require_version without gir1.2-gst-rtsp-server-1.0.
const PROBE = "import gi; gi.require_version('Gst', '1.0'); gi.require_version('GstRtspServer', '1.0'); from gi.repository import GstRtspServer";

/** The server script: beside this file in the sources, and copied nowhere (dist/ finds it in the sources). */
export function rtspServerScript(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const beside = join(here, 'rtsp-server.py');
  if (existsSync(beside)) return beside;
  // dist/firmware-sim/cameras → firmware-sim/cameras
  return join(here, '..', '..', '..', 'firmware-sim', 'cameras', 'rtsp-server.py');
}

/** The first of LOA_SIM_PYTHON, /usr/bin/python3 (Debian's, with python3-gi) and python3 on PATH that can import GstRtspServer. */
export function findPython(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [env.LOA_SIM_PYTHON, '/usr/bin/python3', 'python3'].filter((c): c is string => !!c);
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', PROBE], { stdio: 'ignore', timeout: 15_000 });
    if (r.status === 0) return py;
  }
  throw new LoaError(
    'LOA_SIM_NO_VIDEO',
    `no Python with GStreamer's RTSP server (tried ${candidates.join(', ')}): install python3-gi and gir1.2-gst-rtsp-server-1.0 ` +
      '(docs/simulator.md), set LOA_SIM_PYTHON to a python3 that has them, or start the cameras with --no-camera-video.',
  );
}

export interface RtspCamera {
  name: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Credentials the streams ask for (HTTP Digest); none: anyone may watch. */
  auth?: { user: string; password: string };
  loops: LoopFile[];
}

export interface RtspServerProcess {
  readonly pid: number;
  /** Bound RTSP port of each camera, by name. */
  readonly ports: ReadonlyMap<string, number>;
  /** Cuts one camera's streams (its viewers are dropped, new ones refused) or serves them again: fault tests. */
  setStreaming(camera: string, streaming: boolean): void;
  stop(): Promise<void>;
}

interface Ready {
  ready?: boolean;
  error?: string;
  cameras?: { name: string; port: number }[];
}

/** Starts one RTSP server for all the cameras; resolves once every camera's port listens. */
export async function startRtspServer(opts: { cameras: RtspCamera[]; python?: string; logger: Logger }): Promise<RtspServerProcess> {
  const python = opts.python ?? findPython();
  const config = {
    cameras: opts.cameras.map((c) => ({
      name: c.name,
      host: c.host,
      port: c.port,
      auth: c.auth,
      streams: c.loops.map((l) => ({ path: `/${l.token}`, file: l.file, fps: l.fps, width: l.width, height: l.height })),
    })),
  };
  // stdin stays open for the server's life: when this process dies, the pipe closes and the server quits.
  const child = spawn(python, ['-u', rtspServerScript()], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.write(`${JSON.stringify(config)}\n`);
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    for (const line of d.split('\n')) if (line.trim()) opts.logger.warn({ rtsp: line.trim() }, 'RTSP server says');
  });
  const ready = await readReady(child, python);
  const ports = new Map((ready.cameras ?? []).map((c) => [c.name, c.port]));
  opts.logger.info({ rtspPid: child.pid, cameras: ports.size }, 'RTSP server ready');
  let stopping = false;
  // The cameras go on answering ONVIF without it; their streams are gone, which the log must say.
  child.once('exit', (code, signal) => {
    if (!stopping) opts.logger.error({ rtspPid: child.pid, code, signal }, 'RTSP server exited: the cameras have no video');
  });
  const stop = () => {
    stopping = true;
    return stopChild(child);
  };
  const setStreaming = (camera: string, streaming: boolean): void => {
    child.stdin.write(`${JSON.stringify({ camera, streaming })}\n`);
  };
  return { pid: child.pid!, ports, setStreaming, stop };
}

function readReady(child: ChildProcess, python: string): Promise<Ready> {
  return new Promise<Ready>((resolve, reject) => {
    let out = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new LoaError('LOA_SIM_NO_VIDEO', `the cameras' RTSP server (${python} ${rtspServerScript()}) ${why}`));
    };
    const timer = setTimeout(() => fail(`did not start within ${START_TIMEOUT_MS / 1000} s.`), START_TIMEOUT_MS);
    child.once('error', (e) => fail(`could not run: ${e.message}`));
    child.once('exit', (code) => fail(`exited (${code}) before it was ready${out ? `: ${out.trim()}` : ''}.`));
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      let msg: Ready;
      try {
        msg = JSON.parse(out.slice(0, nl)) as Ready;
      } catch {
        return fail(`said something else than JSON: ${out.slice(0, 200)}`);
      }
      if (msg.error) return fail(`failed: ${msg.error}${bindHint(msg.error)}`);
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve(msg);
    });
  });
}

// GStreamer's bind errors carry the system's words; say what to do about them in loa-sim's terms.
function bindHint(error: string): string {
  if (/permission denied/i.test(error)) return ' (ports below 1024 need root or CAP_NET_BIND_SERVICE: use --camera-rtsp-port 8554)';
  if (/address already in use/i.test(error)) return ' (another loa-sim? use another --camera-rtsp-port)';
  return '';
}

/** Closes stdin (the server's signal to quit), then SIGKILL if it lingers. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.stdin?.end();
    child.kill('SIGTERM');
  });
}

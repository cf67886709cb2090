// A live view client for tests: the `ws` package (a client nobody here wrote) on the hub's
// /api/v1/cameras/:id/live, with the token as a subprotocol as the monitor page sends it. Keeps
// every status and binary message in arrival order.
import WebSocket from 'ws';
import type { LiveViewStatus } from '../../hub/http/api.js';
import { waitFor } from './hub.js';

export type Message = { kind: 'status'; status: LiveViewStatus } | { kind: 'binary'; data: Buffer };

export interface LiveViewer {
  ws: WebSocket;
  messages: Message[];
  /** How the hub closed it, once it has. */
  closed: { code: number; reason: string } | null;
  statuses(): LiveViewStatus[];
  binaries(): Buffer[];
  /** Waits until `test` holds on what arrived so far. */
  until(test: (v: LiveViewer) => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Opens a viewer; rejects with the HTTP status (e.g. "401") when the hub refuses the upgrade. */
export function openLiveViewer(httpUrl: string, camera: string, token: string | null, opts: { profile?: string; paused?: boolean } = {}): Promise<LiveViewer> {
  const url = `${httpUrl.replace(/^http/, 'ws')}/api/v1/cameras/${camera}/live${opts.profile ? `?profile=${opts.profile}` : ''}`;
  const protocols = ['loa-live.v1', ...(token ? [`loa.bearer.${token}`] : [])];
  const ws = new WebSocket(url, protocols);
  const messages: Message[] = [];
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) messages.push({ kind: 'binary', data });
    else messages.push({ kind: 'status', status: JSON.parse(data.toString('utf8')) as LiveViewStatus });
  });
  const viewer: LiveViewer = {
    ws,
    messages,
    closed: null,
    statuses: () => messages.flatMap((m) => (m.kind === 'status' ? [m.status] : [])),
    binaries: () => messages.flatMap((m) => (m.kind === 'binary' ? [m.data] : [])),
    until: (test, what, timeoutMs = 15_000) => waitFor(() => (test(viewer) ? true : null), { timeoutMs, what, intervalMs: 50 }).then(() => undefined),
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === ws.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.terminate();
      }),
  };
  ws.on('close', (code: number, reason: Buffer) => {
    viewer.closed = { code, reason: reason.toString('utf8') };
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      // A viewer that never reads: its socket stops taking data, so the hub's sends queue up.
      if (opts.paused) (ws as unknown as { _socket: import('node:net').Socket })._socket.pause();
      resolve(viewer);
    });
    ws.once('unexpected-response', (req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => {
        body += d.toString('utf8');
      });
      res.on('end', () => {
        // ws leaves a refused request's connection open for the caller to end.
        req.destroy();
        reject(Object.assign(new Error(`${res.statusCode} ${body}`), { status: res.statusCode, body }));
      });
    });
    ws.once('error', reject);
  });
}

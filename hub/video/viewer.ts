// One viewer's WebSocket as a sink for a live pull: JSON status as text messages, the init segment
// and fragments as binary ones. Its buffer is bounded: while more than `bufferBytes` wait unsent
// the viewer misses whole fragments (each starts on a keyframe, so it resumes cleanly), and one
// that stays that far behind for `slowCloseSec` is closed with a reason, never slowing the others.
import type { WebSocket } from '@fastify/websocket';
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { LiveStatus } from './service.js';

export interface ViewerSettings {
  viewerBufferBytes: number;
  slowViewerCloseSec: number;
}

export interface ViewerSink {
  status(s: LiveStatus): void;
  init(data: Buffer): void;
  fragment(data: Buffer): void;
  /** No more video for this viewer (its camera was removed): close with the reason. */
  end(reason: string): void;
}

/** WebSocket close code for a viewer that could not keep up (4000–4999: the application's own). */
export const CLOSE_TOO_SLOW = 4008;
/** Close code when the camera is gone (removed, or its address or credentials changed): watch again. */
export const CLOSE_CAMERA_GONE = 4004;

export function wsViewer(ws: WebSocket, deps: { clock: Clock; logger: Logger; settings: ViewerSettings; dropped: () => void }): ViewerSink {
  let behindSince: number | null = null;
  let needInit = false;
  let pendingInit: Buffer | null = null;
  const send = (data: Buffer | string): void => {
    if (ws.readyState === ws.OPEN) ws.send(data);
  };
  return {
    status: (s) => send(JSON.stringify(s)),
    // A close reason is at most 123 bytes (RFC 6455 5.5).
    end: (reason) => ws.close(CLOSE_CAMERA_GONE, reason.slice(0, 120)),
    init(data) {
      // A viewer too far behind for the new init segment gets it before its next fragment instead.
      if (ws.bufferedAmount > deps.settings.viewerBufferBytes) needInit = true;
      else send(data);
      pendingInit = data;
    },
    fragment(data) {
      if (ws.readyState !== ws.OPEN) return;
      const now = deps.clock.now();
      if (ws.bufferedAmount > deps.settings.viewerBufferBytes) {
        deps.dropped();
        behindSince ??= now;
        if (now - behindSince > deps.settings.slowViewerCloseSec * 1000) {
          deps.logger.warn({ bufferedBytes: ws.bufferedAmount }, 'live viewer closed: too slow');
          ws.close(CLOSE_TOO_SLOW, 'too slow: the connection cannot carry the video');
          // The close frame waits behind the unsent video; do not wait for it.
          ws.terminate();
        }
        return;
      }
      behindSince = null;
      if (needInit && pendingInit) {
        needInit = false;
        send(pendingInit);
      }
      send(data);
    },
  };
}

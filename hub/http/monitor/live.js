// The monitor page's live player: a click on a camera's picture opens its main profile's live video
// in a dialog, from the hub's WebSocket (/api/v1/cameras/ID/live, docs/api.md) through Media Source
// Extensions. The grid keeps snapshots: a live tile per camera would make the hub pull every
// camera at once and send each police PC several Mbit/s over village links, for pictures nobody
// looks at closely; one camera at a time costs one pull.
import { reasonText } from '/monitor/i18n/reasons.js';
const PROTOCOL = 'loa-live.v1';
/** Seconds behind the newest frame before the player jumps ahead (a tab that was in the background). */
const MAX_LAG_S = 3;
/** Seconds of played video kept in the buffer. */
const KEEP_S = 10;

export function liveView({ $, texts, lang, token }) {
  let session = null;

  function setStatus(text) {
    $('live-status').textContent = text;
  }

  /** One MediaSource for one init segment: a "live" after "lost" gets a new one (the size may differ). */
  function newPlayer(video, codec) {
    const ms = new MediaSource();
    const player = { ms, buffer: null, queue: [], url: URL.createObjectURL(ms), started: false };
    video.src = player.url;
    ms.addEventListener(
      'sourceopen',
      () => {
        URL.revokeObjectURL(player.url);
        player.buffer = ms.addSourceBuffer(`video/mp4; codecs="${codec}"`);
        player.buffer.addEventListener('updateend', () => pump(video, player));
        pump(video, player);
      },
      { once: true },
    );
    return player;
  }

  function pump(video, player) {
    const sb = player.buffer;
    if (!sb || sb.updating || player.ms.readyState !== 'open') return;
    const b = sb.buffered;
    if (b.length > 0) {
      const end = b.end(b.length - 1);
      // A viewer joining a running pull starts at its first fragment's time, not at 0.
      if (!player.started || end - video.currentTime > MAX_LAG_S) {
        player.started = true;
        video.currentTime = Math.max(b.start(b.length - 1), end - 0.5);
      }
      if (video.currentTime - b.start(0) > KEEP_S * 2) return sb.remove(b.start(0), video.currentTime - KEEP_S);
    }
    const next = player.queue.shift();
    if (next) sb.appendBuffer(next);
  }

  function open(camera, name) {
    close();
    const t = texts();
    const video = $('live-video');
    $('live-title').textContent = name;
    setStatus(t.liveConnecting);
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/cameras/${encodeURIComponent(camera)}/live?profile=main`;
    // The token as a subprotocol: a browser cannot set headers on a WebSocket, and a URL is logged.
    const ws = new WebSocket(url, [PROTOCOL, `loa.bearer.${token()}`]);
    ws.binaryType = 'arraybuffer';
    const s = { ws, player: null, camera };
    session = s;
    ws.addEventListener('message', (ev) => {
      if (session !== s) return;
      if (typeof ev.data === 'string') {
        const status = JSON.parse(ev.data);
        if (status.state === 'live') {
          s.player = newPlayer(video, status.codec);
          setStatus(`${texts().liveOn} · ${status.width}×${status.height}`);
        } else if (status.state === 'lost') {
          s.player = null;
          // The reason in the reader's language (common/i18n/reasons.ts, live.*), English as the fallback.
          const why = reasonText(lang(), status.reasons?.[0], status.reason);
          setStatus(`${texts().liveLost}${why ? ` (${why})` : ''}`);
        } else setStatus(texts().liveConnecting);
        return;
      }
      if (!s.player) return;
      s.player.queue.push(ev.data);
      pump(video, s.player);
    });
    ws.addEventListener('close', (ev) => {
      if (session === s) setStatus(`${texts().liveClosed}${ev.reason ? ` (${ev.reason})` : ''}`);
    });
    video.play().catch(() => {}); // muted autoplay; a refusal leaves the controls to the user
    const dialog = $('live');
    if (!dialog.open) dialog.showModal();
  }

  function close() {
    const s = session;
    session = null;
    if (s) s.ws.close();
    const video = $('live-video');
    video.removeAttribute('src');
    video.load();
    if ($('live').open) $('live').close();
  }

  $('live-close').addEventListener('click', close);
  $('live').addEventListener('close', () => session && close());
  return { open, close };
}

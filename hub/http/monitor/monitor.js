// The monitor page's behaviour: the token, the camera grid with refreshing pictures, the alarm
// lists (alarms.js), Vietnamese or English. Plain browser JavaScript modules, no build step, no
// outside resources; it talks only to this hub's /api/v1 with the bearer token (docs/api.md).
// Status words and reasons come from the catalogue the CLI uses (/monitor/i18n/reasons.js).
import { cameraReasonText, statusWord } from '/monitor/i18n/reasons.js';
import { alarmLists } from '/monitor/alarms.js';
import { liveView } from '/monitor/live.js';

const TZ = 'Asia/Ho_Chi_Minh';
const query = new URLSearchParams(location.search);
// ?refresh=SECONDS: how often the list and the pictures are fetched (default 3 s and 5 s).
const refresh = Number(query.get('refresh'));
const LIST_MS = refresh > 0 ? Math.max(200, refresh * 1000) : 3000;
const PICTURE_MS = refresh > 0 ? Math.max(200, refresh * 1000) : 5000;
const PICTURE_CONCURRENCY = 4;
const TOKEN_KEY = 'loa.monitor.token';
const LANG_KEY = 'loa.monitor.lang';

const TEXTS = {
  vi: {
    languageName: 'Tiếng Việt',
    pageTitle: 'Loa – Giám sát camera',
    title: 'Giám sát camera',
    logout: 'Đổi mã truy cập',
    connectionLost: 'Mất kết nối tới hub; đang thử lại…',
    loginTitle: 'Nhập mã truy cập',
    tokenLabel: 'Mã truy cập',
    open: 'Mở',
    loginHelp: 'Mã truy cập (vai trò police) do người quản lý hệ thống cấp bằng lệnh loa tokens add --role police. Mã được lưu trên trình duyệt này.',
    badToken: 'Hub không chấp nhận mã truy cập này; hãy nhập lại.',
    cameras: 'Camera',
    alarms: 'Cảnh báo',
    noAlarms: 'Chưa có cảnh báo nào.',
    noCameras: 'Chưa có camera nào.',
    alarmsForbidden: 'Mã truy cập này không được xem cảnh báo.',
    picturesForbidden: 'Mã truy cập này không được xem hình ảnh.',
    summary: (online, total) => `(${online}/${total} hoạt động)`,
    village: 'Thôn/bản',
    reason: 'Lý do',
    lastSeen: 'Liên lạc lần cuối',
    pictureTaken: 'Ảnh chụp lúc',
    never: 'chưa bao giờ',
    noPicture: 'Chưa có ảnh',
    noPictureOffline: 'Camera mất kết nối – không có ảnh',
    motion: 'Có chuyển động',
    pictureAlt: (name, at, old) => `Ảnh từ camera ${name}${at ? ` chụp lúc ${at}` : ''}${old ? ' (ảnh cũ)' : ''}`,
    raised: 'Báo động',
    cleared: 'Hết báo động',
    history: 'Lịch sử',
    openTitle: (n) => `Đang mở (${n})`,
    noOpen: 'Không có cảnh báo nào đang mở.',
    watchLive: 'Bấm để xem trực tiếp',
    close: 'Đóng',
    liveConnecting: 'Đang kết nối tới camera…',
    liveOn: 'Trực tiếp',
    liveLost: 'Mất tín hiệu camera; đang thử lại…',
    liveClosed: 'Đã ngắt xem trực tiếp',
  },
  en: {
    languageName: 'English',
    pageTitle: 'Loa – Camera monitor',
    title: 'Camera monitor',
    logout: 'Change token',
    connectionLost: 'Connection to the hub lost; retrying…',
    loginTitle: 'Enter your access token',
    tokenLabel: 'Access token',
    open: 'Open',
    loginHelp: 'The access token (role police) is made by the system manager with loa tokens add --role police. It is kept in this browser.',
    badToken: 'The hub does not accept this token; enter it again.',
    cameras: 'Cameras',
    alarms: 'Alarms',
    noAlarms: 'No alarms yet.',
    noCameras: 'No cameras yet.',
    alarmsForbidden: 'This token may not see alarms.',
    picturesForbidden: 'This token may not see pictures.',
    summary: (online, total) => `(${online}/${total} online)`,
    village: 'Village',
    reason: 'Reason',
    lastSeen: 'Last seen',
    pictureTaken: 'Picture taken',
    never: 'never',
    noPicture: 'No picture yet',
    noPictureOffline: 'Camera offline – no picture',
    motion: 'Motion',
    pictureAlt: (name, at, old) => `Picture from camera ${name}${at ? ` taken at ${at}` : ''}${old ? ' (old)' : ''}`,
    raised: 'Raised',
    cleared: 'Cleared',
    history: 'History',
    openTitle: (n) => `Open now (${n})`,
    noOpen: 'No open alarms.',
    watchLive: 'Click to watch live',
    close: 'Close',
    liveConnecting: 'Connecting to the camera…',
    liveOn: 'Live',
    liveLost: 'Camera signal lost; retrying…',
    liveClosed: 'Live view ended',
  },
};

const $ = (id) => document.getElementById(id);
const state = {
  token: null,
  lang: 'vi',
  session: 0,
  etag: null,
  /** id → { view, card, url, stale, visible, triedLast } */
  cameras: new Map(),
  picturesForbidden: false,
  down: new Set(),
};
const T = () => TEXTS[state.lang];
/** A word from the catalogue at the start of a label: "hoạt động" → "Hoạt động". */
const cap = (s) => (s ? s.charAt(0).toLocaleUpperCase(state.lang) + s.slice(1) : s);
/** A camera the hub says is dark: no fresh picture to ask for, only the last one it kept. */
const darkStatus = (status) => status === 'offline' || status === 'unauthorised';

class Unauthorised extends Error {}
class HttpError extends Error {
  constructor(status) {
    super(`HTTP ${status}`);
    this.status = status;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function api(path, opts = {}) {
  const res = await fetch(path, {
    headers: { authorization: `Bearer ${state.token}`, ...opts.headers },
    cache: 'no-store',
    signal: AbortSignal.timeout(opts.timeoutMs ?? 15000),
  });
  if (res.status === 401) throw new Unauthorised();
  return res;
}

/** Whether the loop should go on; a refused token ends the session. */
function failed(e, loop) {
  if (e instanceof Unauthorised) {
    signOut('badToken');
    return false;
  }
  // No answer, a timeout or a 5xx (a proxy in front of a stopped hub): the hub is out of reach.
  // Other statuses are the hub answering; the loop tries again.
  if (!(e instanceof HttpError) || e.status >= 500) connection(loop, false);
  return true;
}

function connection(loop, ok) {
  if (ok) state.down.delete(loop);
  else state.down.add(loop);
  $('banner').hidden = state.down.size === 0;
}

// One format in both languages (dd/mm hh:mm:ss, 24 h) in the commune's zone, whatever the PC's.
const clock = new Intl.DateTimeFormat('en-GB', {
  timeZone: TZ,
  day: '2-digit',
  month: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});
function fmt(ms) {
  if (ms == null) return T().never;
  const p = Object.fromEntries(clock.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return `${p.day}/${p.month} ${p.hour}:${p.minute}:${p.second}`;
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

// ---- cameras ----

function makeCard(id) {
  const parts = {
    li: el('li', { class: 'camera', 'data-camera-id': id }),
    img: el('img', { class: 'picture', width: '640', height: '360', hidden: '' }),
    placeholder: el('div', { class: 'placeholder' }),
    figure: el('figure'),
    name: el('h3'),
    id: el('span', { class: 'camera-id' }),
    village: el('span', { class: 'village' }),
    badge: el('span', { class: 'badge' }),
    motion: el('span', { class: 'motion', hidden: '' }),
    reasonLabel: el('dt'),
    reason: el('dd', { class: 'reason' }),
    seenLabel: el('dt'),
    seen: el('dd', { class: 'last-seen' }),
    takenLabel: el('dt'),
    taken: el('dd', { class: 'taken' }),
  };
  parts.figure.append(parts.img, parts.placeholder);
  // The picture opens the camera's live video (live.js); the grid itself stays on snapshots.
  parts.figure.addEventListener('click', () => {
    const c = state.cameras.get(id);
    if (c && !state.picturesForbidden) live.open(id, c.view.name || id);
  });
  parts.li.append(
    parts.figure,
    // The id under the name: two cameras of the same name (and village) still read apart.
    parts.name,
    el('p', { class: 'where' }, parts.id, parts.village),
    el('p', {}, parts.badge, ' ', parts.motion),
    el('dl', {}, parts.reasonLabel, parts.reason, parts.seenLabel, parts.seen, parts.takenLabel, parts.taken),
  );
  return parts;
}

function updateCard(c) {
  const { view, card } = c;
  const t = T();
  const name = view.name || view.id;
  const dark = darkStatus(view.status) || c.stale;
  const moving = Array.isArray(view.openAlarms) && view.openAlarms.includes('camera-motion');
  card.li.className = `camera status-${view.status}${dark ? ' stale' : ''}${moving ? ' moving' : ''}`;
  card.name.textContent = name;
  card.id.textContent = view.id;
  card.village.textContent = view.village ? ` · ${t.village}: ${view.village}` : '';
  card.badge.dataset.status = view.status;
  card.badge.className = `badge status-${view.status}`;
  card.badge.textContent = cap(statusWord(state.lang, view.status));
  card.motion.hidden = !moving;
  card.motion.textContent = t.motion;
  card.reasonLabel.textContent = t.reason;
  card.reason.textContent = cameraReasonText(state.lang, view) || '–';
  card.seenLabel.textContent = t.lastSeen;
  card.seen.textContent = fmt(view.lastSeenAt);
  card.takenLabel.textContent = t.pictureTaken;
  card.taken.textContent = c.takenAt ? fmt(c.takenAt) : '–';
  card.img.alt = t.pictureAlt(name, c.takenAt ? fmt(c.takenAt) : '', dark);
  card.figure.title = t.watchLive;
  // A token without pictures: no frame on any card; the note above the grid says it once.
  card.figure.hidden = state.picturesForbidden;
  card.takenLabel.hidden = card.taken.hidden = state.picturesForbidden;
  card.placeholder.textContent = view.status === 'offline' ? t.noPictureOffline : t.noPicture;
  card.placeholder.hidden = Boolean(c.url);
}

const visibility =
  'IntersectionObserver' in window
    ? new IntersectionObserver(
        (entries) => {
          for (const entry of entries) {
            const c = state.cameras.get(entry.target.dataset.cameraId);
            if (!c) continue;
            c.visible = entry.isIntersecting;
            if (c.visible && !c.url && !state.picturesForbidden) void refreshPicture(c, state.session);
          }
        },
        { rootMargin: '200px' },
      )
    : null;

function renderCameras(list) {
  const seen = new Set();
  const grid = $('cameras');
  for (const view of list) {
    seen.add(view.id);
    let c = state.cameras.get(view.id);
    if (!c) {
      c = { view, card: makeCard(view.id), url: null, takenAt: null, stale: false, visible: !visibility, triedLast: false };
      state.cameras.set(view.id, c);
      visibility?.observe(c.card.li);
    }
    // Back from dark: its next picture is a fresh one again, and a later dark spell asks once more.
    if (darkStatus(c.view.status) && !darkStatus(view.status)) c.triedLast = false;
    c.view = view;
    updateCard(c);
    grid.append(c.card.li); // moves it into the list's order
  }
  for (const [id, c] of state.cameras) {
    if (seen.has(id)) continue;
    visibility?.unobserve(c.card.li);
    c.card.li.remove();
    if (c.url) URL.revokeObjectURL(c.url);
    state.cameras.delete(id);
  }
  renderSummary();
}

function renderSummary() {
  const all = [...state.cameras.values()];
  $('camera-summary').textContent = T().summary(all.filter((c) => c.view.status === 'online').length, all.length);
  const note = $('cameras-note');
  note.hidden = all.length > 0 && !state.picturesForbidden;
  note.textContent = all.length === 0 ? T().noCameras : T().picturesForbidden;
}

async function pollCameras(my) {
  while (my === state.session) {
    try {
      const res = await api('/api/v1/cameras', { headers: state.etag ? { 'if-none-match': state.etag } : {} });
      if (my !== state.session) return;
      if (res.status === 200) {
        const body = await res.json();
        state.etag = res.headers.get('etag');
        // A viewer token gets each camera's status only, with no picture address: no pictures.
        const withoutPictures = body.cameras.length > 0 && body.cameras.every((v) => !v.snapshotUrl);
        if (withoutPictures !== state.picturesForbidden) {
          state.picturesForbidden = withoutPictures;
          for (const c of state.cameras.values()) updateCard(c);
        }
        renderCameras(body.cameras);
      } else if (res.status !== 304) {
        throw new HttpError(res.status);
      }
      connection('list', true);
    } catch (e) {
      if (my !== state.session || !failed(e, 'list')) return;
    }
    await sleep(LIST_MS);
  }
}

async function refreshPicture(c, my) {
  if (c.busy || state.picturesForbidden) return;
  c.busy = true;
  try {
    // fallback=last: when the camera cannot give a picture, the hub's last one (marked stale), so a
    // camera that went dark still shows what it last saw, also after a reload of this page.
    const res = await api(`/api/v1/cameras/${encodeURIComponent(c.view.id)}/snapshot?fallback=last`);
    if (my !== state.session) return;
    if (res.status === 403) {
      state.picturesForbidden = true;
      for (const other of state.cameras.values()) updateCard(other);
      renderSummary();
    } else if (!res.ok) {
      c.stale = true; // the hub could not get one: keep the last picture, greyed
    } else {
      const url = URL.createObjectURL(await res.blob());
      const old = c.url;
      const done = () => {
        if (old) URL.revokeObjectURL(old);
      };
      c.card.img.addEventListener('load', done, { once: true });
      c.card.img.addEventListener('error', done, { once: true });
      c.card.img.src = url;
      c.card.img.hidden = false;
      c.url = url;
      c.stale = res.headers.get('x-snapshot-stale') === '1';
      c.takenAt = Date.parse(res.headers.get('x-snapshot-taken-at') || '') || Date.now();
    }
  } catch (e) {
    if (e instanceof Unauthorised) return void signOut('badToken');
    c.stale = true; // the list's poll shows the banner if the hub itself is gone
  } finally {
    c.busy = false;
  }
  if (my === state.session && state.cameras.get(c.view.id) === c) updateCard(c);
}

async function pollPictures(my) {
  while (my === state.session) {
    // A dark camera is asked once (for the hub's last picture); the others at every round.
    const due = state.picturesForbidden ? [] : [...state.cameras.values()].filter((c) => c.visible && (!darkStatus(c.view.status) || (!c.url && !c.triedLast)));
    for (const c of due) if (darkStatus(c.view.status)) c.triedLast = true;
    let next = 0;
    const worker = async () => {
      while (next < due.length && my === state.session) await refreshPicture(due[next++], my);
    };
    await Promise.all(Array.from({ length: PICTURE_CONCURRENCY }, worker));
    await sleep(PICTURE_MS);
  }
}

const live = liveView({ $, texts: T, lang: () => state.lang, token: () => state.token });

// ---- alarms ----

const alarms = alarmLists({
  $,
  el,
  fmt,
  sleep,
  HttpError,
  failed,
  connection,
  api,
  texts: T,
  lang: () => state.lang,
  cameraName: (id) => state.cameras.get(id)?.view.name,
  current: (my) => my === state.session,
});

// ---- session, language ----

function applyLang() {
  const t = T();
  document.documentElement.lang = state.lang;
  document.title = t.pageTitle;
  for (const e of document.querySelectorAll('[data-i18n]')) e.textContent = t[e.dataset.i18n];
  const other = state.lang === 'vi' ? 'en' : 'vi';
  $('lang').textContent = TEXTS[other].languageName;
  $('lang').lang = other;
  for (const c of state.cameras.values()) updateCard(c);
  renderSummary();
  alarms.render();
}

function showLogin(message) {
  $('dashboard').hidden = true;
  $('logout').hidden = true;
  $('login').hidden = false;
  $('login-error').hidden = !message;
  $('login-error').textContent = message || '';
  $('token').value = '';
  $('token').focus();
}

function start() {
  const my = ++state.session;
  Object.assign(state, { etag: null, picturesForbidden: false });
  alarms.reset();
  state.down.clear();
  $('banner').hidden = true;
  $('login').hidden = true;
  $('dashboard').hidden = false;
  $('logout').hidden = false;
  applyLang();
  void pollCameras(my);
  void pollPictures(my);
  void alarms.poll(my);
}

function signOut(reason) {
  state.session++;
  live.close();
  state.token = null;
  localStorage.removeItem(TOKEN_KEY);
  for (const c of state.cameras.values()) if (c.url) URL.revokeObjectURL(c.url);
  visibility?.disconnect();
  state.cameras.clear();
  $('cameras').replaceChildren();
  alarms.reset();
  $('alarms').replaceChildren();
  $('open-alarms').replaceChildren();
  state.down.clear();
  $('banner').hidden = true;
  showLogin(reason ? T()[reason] : '');
}

$('token-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const token = $('token').value.trim();
  if (!token) return;
  state.token = token;
  localStorage.setItem(TOKEN_KEY, token);
  start();
});
$('logout').addEventListener('click', () => signOut(''));
$('lang').addEventListener('click', () => {
  state.lang = state.lang === 'vi' ? 'en' : 'vi';
  localStorage.setItem(LANG_KEY, state.lang);
  applyLang();
});

// A link may carry the token in the fragment (never sent to a server); it is kept and taken out
// of the address bar so it does not stay in the history or get copied along with the link.
const fragment = /^#token=([^&]+)/.exec(location.hash);
if (fragment) {
  localStorage.setItem(TOKEN_KEY, decodeURIComponent(fragment[1]));
  history.replaceState(null, '', location.pathname + location.search);
}
state.lang = localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'vi';
state.token = localStorage.getItem(TOKEN_KEY);
applyLang();
if (state.token) start();
else showLogin('');

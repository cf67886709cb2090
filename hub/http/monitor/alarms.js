// The monitor page's alarm lists: the alarms open now (read from /api/v1/alarms, kept current by
// the feed), then the history of raises and clears (the feed, /api/v1/events, long-polled), newest
// first. Kinds, subjects and details are worded from the codes the hub sends, with the catalogue
// the CLI uses (/monitor/i18n/reasons.js); an unknown code shows the hub's English.
import { detailText, kindWord, subjectWord } from '/monitor/i18n/reasons.js';

const WAIT_S = 25; // long-poll; under the 60 s the hub allows and most proxies' idle limits
const PAGE = 500;
const KEEP = 200; // history entries kept and shown

/**
 * `page` gives what the lists need from the page: api(path, opts), el(tag, attrs, ...children),
 * fmt(ms), texts(), lang(), cameraName(id), current(session), failed(e, loop), connection(loop, ok),
 * sleep(ms), HttpError, $(id).
 */
export function alarmLists(page) {
  const { $, el } = page;
  let open = new Map(); // alarm id → what the list shows of it
  let history = [];
  let forbidden = false;
  let cursor = 0;
  /** Events up to this id are already in `open` (it was read at that point of the feed). */
  let openCursor = 0;

  const cap = (s) => (s ? s.charAt(0).toLocaleUpperCase(page.lang()) + s.slice(1) : s);

  function subject(a) {
    if (a.subjectType === 'camera') {
      const name = page.cameraName(a.subjectId);
      // A name says more than the word "camera" does; the id tells two of the same name apart.
      if (name && name !== a.subjectId) return `${name} (${a.subjectId})`;
    }
    return `${cap(subjectWord(page.lang(), a.subjectType))} ${a.subjectId}`;
  }

  function line(a, what, at) {
    const detail = detailText(page.lang(), a);
    return el(
      'li',
      {
        class: `alarm ${a.type || 'open'} severity-${a.severity}`,
        'data-kind': a.kind,
        'data-subject': a.subjectId,
        ...(a.type ? { 'data-type': a.type } : {}),
      },
      el('time', { datetime: new Date(at).toISOString() }, page.fmt(at)),
      ' ',
      el('strong', { class: 'what' }, what),
      ' ',
      el('span', { class: 'subject' }, subject(a)),
      detail ? el('span', { class: 'detail' }, ` – ${detail}`) : '',
    );
  }

  function render() {
    const t = page.texts();
    const lang = page.lang();
    $('alarm-lists').hidden = forbidden;
    const now = [...open.values()].sort((a, b) => b.raisedAt - a.raisedAt || b.id - a.id);
    $('open-alarms-title').textContent = t.openTitle(now.length);
    $('open-alarms').replaceChildren(...now.map((a) => line(a, kindWord(lang, a.kind), a.raisedAt)));
    $('open-none').hidden = now.length > 0;
    $('open-none').textContent = t.noOpen;
    $('alarms').replaceChildren(...history.map((e) => line(e, `${e.type === 'alarm-cleared' ? t.cleared : t.raised}: ${kindWord(lang, e.kind)}`, e.at)));
    const note = $('alarms-note');
    note.hidden = !forbidden && history.length > 0;
    note.textContent = forbidden ? t.alarmsForbidden : t.noAlarms;
  }

  /** What is open now, and where the feed stood when it was read. */
  async function readOpen(my) {
    const res = await page.api('/api/v1/alarms?limit=1000');
    if (!page.current(my)) return false;
    if (res.status === 403) {
      forbidden = true;
      render();
      return false;
    }
    if (!res.ok) throw new page.HttpError(res.status);
    const body = await res.json();
    open = new Map(body.alarms.map((a) => [a.id, a]));
    openCursor = body.cursor;
    // The history starts a little before that point, so the page opens with recent entries.
    cursor = Math.max(0, body.cursor - KEEP);
    return true;
  }

  function apply(e) {
    history.unshift(e);
    if (e.id <= openCursor) return;
    if (e.type === 'alarm-raised') open.set(e.alarmId, { ...e, id: e.alarmId, raisedAt: e.at, type: undefined });
    else if (e.type === 'alarm-cleared') open.delete(e.alarmId);
  }

  async function poll(my) {
    let ready = false;
    let catchingUp = true;
    while (page.current(my)) {
      try {
        if (!ready) {
          if (!(await readOpen(my))) return;
          ready = true;
        }
        // First read what there is (oldest first, pages of PAGE), then wait for what comes.
        const wait = catchingUp ? 0 : WAIT_S;
        const res = await page.api(`/api/v1/events?after=${cursor}&limit=${PAGE}&wait=${wait}`, { timeoutMs: (wait + 15) * 1000 });
        if (!page.current(my)) return;
        if (res.status === 403) {
          forbidden = true;
          return void render();
        }
        if (!res.ok) throw new page.HttpError(res.status);
        const body = await res.json();
        if (!page.current(my)) return;
        for (const e of body.events) apply(e);
        history.length = Math.min(history.length, KEEP);
        cursor = body.cursor;
        catchingUp = body.events.length === PAGE;
        if (body.events.length > 0 || !catchingUp) render();
        page.connection('events', true);
      } catch (e) {
        if (!page.current(my) || !page.failed(e, 'events')) return;
        await page.sleep(2000);
      }
    }
  }

  function reset() {
    open = new Map();
    history = [];
    forbidden = false;
    cursor = 0;
    openCursor = 0;
  }

  return { poll, render, reset };
}

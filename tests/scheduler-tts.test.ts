// A schedule `tts:` item on the Tú Lệ radio day: applied through the HTTP API, its Vietnamese text
// is read out by espeak-ng once (validate, apply and re-apply share the cached speech), and the
// simulated na-long clusters play it at its slot time on the FakeClock (tests/helpers/radio-day.ts).
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EspeakProvider } from '../hub/tts/espeak.js';
import type { Hub } from '../hub/hub.js';
import { local, restartHub, SCHEDULE_FILE, SITE, endRadioDay, startRadioDay, type RadioDay } from './helpers/radio-day.js';
import { requireTool } from './helpers/tools.js';

let day: RadioDay | null = null;
let extraHub: Hub | null = null;
afterEach(async () => {
  vi.restoreAllMocks();
  await endRadioDay(day, extraHub);
  day = null;
  extraHub = null;
});

const date = '2026-12-02';
const NA_LONG = ['na-long-1', 'na-long-2'];
const WORDS = 'Thông báo: sáng mai bản Nà Lóng tiêm phòng cho trâu bò.';
const withTts = (voice: string) =>
  `${readFileSync(SCHEDULE_FILE, 'utf8').trimEnd()}
  - id: thong-bao-tts
    name: Thông báo đọc tự động
    date: ${date}
    slot: chieu
    zones: [na-long]
    priority: uu-tien
    items:
      - tts: "${WORDS}"
        voice: ${voice}
`;

type Problem = { code: string; line: number; col: number; message: string };

describe.runIf(requireTool('espeak-ng'))('schedule tts items', () => {
  it('are read out once, before validation, and play at their time on their clusters', async () => {
    day = await startRadioDay(local(date, '16:55:00'));
    const { t, clock } = day;
    // A spy that calls through: it only counts the real espeak-ng runs.
    const synth = vi.spyOn(EspeakProvider.prototype, 'synthesize');
    const text = withTts('vi');

    const checked = await t.api<{ ok: boolean; problems: Problem[] }>('POST', '/api/v1/schedules/validate', { text, file: 'lich.yaml' });
    expect(checked.body.problems.filter((p) => p.code === 'SCHEDULE_TTS_FAILED')).toEqual([]);
    expect(checked.body.ok).toBe(true);
    expect(synth).toHaveBeenCalledTimes(1);
    const applied = await t.api<{ version: number }>('POST', '/api/v1/schedules', { text, file: 'lich.yaml' });
    expect(applied.status).toBe(201);
    const again = await t.api<{ version: number }>('POST', '/api/v1/schedules', { text, file: 'lich.yaml' });
    expect(again.status).toBe(201);
    // Validate, apply and re-apply: one synthesis, one library media.
    expect(synth).toHaveBeenCalledTimes(1);
    const speech = t.hub.store.media.list().filter((m) => m.name.startsWith('tts '));
    expect(speech).toHaveLength(1);
    // Vietnamese speech of ~12 words: a few seconds, not a click nor a minute.
    expect(speech[0]!.durationMs).toBeGreaterThan(2000);
    expect(speech[0]!.durationMs).toBeLessThan(20_000);

    const entry = t.hub.schedules.plan(date, 'na-long-1').entries.find((e) => e.programmeId === 'thong-bao-tts')!;
    expect(entry.item.kind).toBe('tts');
    expect(entry.mediaId).toBe(speech[0]!.id);
    // Ưu tiên goes first in the afternoon slot, and lasts as long as the speech.
    expect(entry.startAt).toBe(local(date, '17:00:00'));
    expect(entry.endAt - entry.startAt).toBe(speech[0]!.durationMs);

    await clock.runUntil(entry.endAt + 5000, day.quiet);
    const log = t.hub.store.broadcasts.log({ from: local(date, '16:00:00'), to: entry.endAt + 5000 });
    for (const c of NA_LONG) {
      const played = log.find((x) => x.clusterId === c && x.programmeId === 'thong-bao-tts');
      expect(played?.outcome, c).toBe('played');
      expect(played?.startedAt).toBe(entry.startAt);
      expect(played?.finishedAt).toBe(entry.endAt);
      expect(played?.mediaId).toBe(speech[0]!.id);
      // The afternoon news follows the speech there.
      expect(log.find((x) => x.clusterId === c && x.programmeId === 'tin-xa-chieu')?.startedAt).toBe(entry.endAt);
    }
    for (const c of SITE.clusters.map((x) => x.id).filter((x) => !NA_LONG.includes(x))) {
      expect(
        log.some((x) => x.clusterId === c && x.programmeId === 'thong-bao-tts'),
        c,
      ).toBe(false);
    }

    // After a restart the schedule in force finds its speech again (the cache): nothing is made anew.
    extraHub = await restartHub(day, clock.now() + 2000, 500);
    const after = extraHub.scheduler.wantedAt('na-long-1', entry.startAt + 1000);
    expect(after?.programmeId).toBe('thong-bao-tts');
    expect(after?.mediaId).toBe(speech[0]!.id);
    expect(synth).toHaveBeenCalledTimes(1);
  });

  it('refuses a text that cannot be read out, at the item', async () => {
    day = await startRadioDay(local(date, '16:55:00'));
    const text = withTts('xx-no-such-voice');
    const r = await day.t.api<{ error: { code: string; details: Problem[] } }>('POST', '/api/v1/schedules', { text, file: 'lich.yaml', lang: 'vi' });
    expect(r.status).toBe(422);
    const p = r.body.error.details.find((x) => x.code === 'SCHEDULE_TTS_FAILED')!;
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.includes('- tts:')) + 1;
    expect({ line: p.line, col: p.col }).toEqual({ line, col: lines[line - 1]!.indexOf('"') + 1 });
    expect(p.message).toContain('không đọc được');
    expect(day.t.hub.store.media.list().some((m) => m.name.startsWith('tts '))).toBe(false);
  });
});

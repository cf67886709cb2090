// Every schedule validation rule with a failing example: its code, severity, line and column (the
// issue demands each), plus the Tú Lệ schedule validating clean and messages in Vietnamese.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROBLEM_CODES, WARNINGS } from '../hub/schedule/messages.js';
import type { ScheduleContext } from '../hub/schedule/model.js';
import { validateSchedule } from '../hub/schedule/validate.js';
import { ROOT, smallContext, TU_LE_SCHEDULE, tuLeContext } from './helpers/schedule-fixtures.js';

/** Lines 1–6; the programme of each case starts on line 7. */
const HEAD = ['site: t', 'slots:', '  sang: { start: "05:00", end: "07:30" }', 'zones:', '  xa: [a1, a2]', 'programmes:'];
const prog = (...lines: string[]) => `${[...HEAD, ...lines].join('\n')}\n`;
const P1 = ['  - id: p1', '    slot: sang', '    zones: [xa]', '    items: [quoc-ca]']; // lines 7–10

interface Case {
  code: string;
  text: string;
  line: number;
  col: number;
  ctx?: Partial<ScheduleContext>;
  /** A fragment the message must contain. */
  says?: string;
}

const cases: Case[] = [
  { code: 'SCHEDULE_YAML', text: 'site: t\nsite: u\n', line: 2, col: 1, says: 'Map keys must be unique' },
  { code: 'SCHEDULE_BAD_VALUE', text: prog(...P1, '    repeat: yes'), line: 11, col: 13, says: 'true or false' },
  {
    code: 'SCHEDULE_UNKNOWN_KEY',
    text: prog('  - id: p1', '    slott: sang', '    zones: [xa]', '    items: [quoc-ca]'),
    line: 8,
    col: 5,
    says: 'Did you mean "slot"?',
  },
  { code: 'SCHEDULE_MISSING_KEY', text: prog('  - id: p1', '    slot: sang', '    zones: [xa]'), line: 7, col: 5, says: 'needs `items`' },
  { code: 'SCHEDULE_WRONG_SITE', text: prog(...P1), line: 1, col: 7, ctx: { site: 'tu-le' } },
  { code: 'SCHEDULE_BAD_TIMEZONE', text: 'site: t\ntimezone: Asia/Hanoi\n', line: 2, col: 11 },
  {
    code: 'SCHEDULE_BAD_TIME',
    text: prog('  - id: p1', '    at: "25:00"', '    zones: [xa]', '    items: [quoc-ca]'),
    line: 8,
    col: 9,
    says: '"25:00" is not a time of day',
  },
  { code: 'SCHEDULE_BAD_DATE', text: prog(...P1, '    days: { dates: ["2026-02-30"] }'), line: 11, col: 21 },
  { code: 'SCHEDULE_BAD_RANGE', text: prog(...P1, '    days: { dates: ["2026-12-31..2026-12-01"] }'), line: 11, col: 21 },
  { code: 'SCHEDULE_BAD_DURATION', text: prog('  - id: p1', '    slot: sang', '    zones: [xa]', '    items: [{ silence: 5x }]'), line: 10, col: 24 },
  { code: 'SCHEDULE_BAD_ID', text: prog('  - id: "Quốc ca"', '    slot: sang', '    zones: [xa]', '    items: [quoc-ca]'), line: 7, col: 9 },
  { code: 'SCHEDULE_BAD_VOLUME', text: prog(...P1, '    volume: 120'), line: 11, col: 13 },
  { code: 'SCHEDULE_UNKNOWN_WEEKDAY', text: prog(...P1, '    days: { weekdays: [mon, tuesdy] }'), line: 11, col: 29, says: 'Did you mean "tuesday"?' },
  { code: 'SCHEDULE_UNKNOWN_HOLIDAY', text: prog(...P1, '    days: { except: [tết] }'), line: 11, col: 22 },
  {
    code: 'SCHEDULE_UNKNOWN_ZONE',
    text: prog('  - id: p1', '    slot: sang', '    zones: [xaa]', '    items: [quoc-ca]'),
    line: 9,
    col: 13,
    says: 'Did you mean "xa"?',
  },
  { code: 'SCHEDULE_UNKNOWN_CLUSTER', text: prog('  - id: p1', '    slot: sang', '    clusters: [a1, c9]', '    items: [quoc-ca]'), line: 9, col: 20 },
  { code: 'SCHEDULE_UNKNOWN_CLUSTER', text: 'site: t\nzones:\n  xa: [a1, a7]\n', line: 3, col: 12, says: 'Did you mean "a1"?' },
  {
    code: 'SCHEDULE_UNKNOWN_MEDIA',
    text: prog('  - id: p1', '    slot: sang', '    zones: [xa]', '    items: [quoc-caa]'),
    line: 10,
    col: 13,
    says: 'Did you mean "quoc-ca"?',
  },
  {
    code: 'SCHEDULE_UNKNOWN_SLOT',
    text: prog('  - id: p1', '    slot: sangg', '    zones: [xa]', '    items: [quoc-ca]'),
    line: 8,
    col: 11,
    says: 'Did you mean "sang"?',
  },
  { code: 'SCHEDULE_UNKNOWN_PRIORITY', text: prog(...P1, '    priority: urgent'), line: 11, col: 15 },
  {
    code: 'SCHEDULE_UNKNOWN_PRIORITY',
    text: prog('  - id: p1', '    slot: sang', '    zones: [xa]', '    items: [{ media: quoc-ca, priority: khan-cap }]'),
    line: 10,
    col: 41,
  },
  { code: 'SCHEDULE_RESERVED_ZONE', text: 'site: t\nzones:\n  all: [a1]\n', line: 3, col: 3 },
  { code: 'SCHEDULE_EMPTY_ZONE', text: 'site: t\nzones:\n  empty: []\n', line: 3, col: 10 },
  { code: 'SCHEDULE_EMPTY_SLOT', text: 'site: t\nslots:\n  x: { start: "05:00", end: "05:00" }\n', line: 3, col: 6 },
  { code: 'SCHEDULE_DUPLICATE_ID', text: prog(...P1, ...P1), line: 11, col: 9, says: 'already used on line 7' },
  { code: 'SCHEDULE_NO_TIME', text: prog('  - id: p1', '    zones: [xa]', '    items: [quoc-ca]'), line: 7, col: 5 },
  { code: 'SCHEDULE_AT_AND_SLOT', text: prog(...P1, '    at: "05:00"'), line: 8, col: 5 },
  { code: 'SCHEDULE_NO_TARGET', text: prog('  - id: p1', '    slot: sang', '    items: [quoc-ca]'), line: 7, col: 5 },
  { code: 'SCHEDULE_NO_ITEMS', text: prog('  - id: p1', '    slot: sang', '    zones: [xa]', '    items: []'), line: 10, col: 12 },
  {
    code: 'SCHEDULE_BAD_ITEM',
    text: prog('  - id: p1', '    slot: sang', '    zones: [xa]', '    items: [{ media: quoc-ca, silence: 5s }]'),
    line: 10,
    col: 13,
  },
  {
    code: 'SCHEDULE_BAD_RELAY_URL',
    text: prog('  - id: p1', '    slot: sang', '    zones: [xa]', '    items: [{ relay: "ftp://vov.vn/live", duration: 10m }]'),
    line: 10,
    col: 22,
    says: 'only http://',
  },
  // `tts:` items are made into speech before validation (ctx.speech); a failure is the item's problem.
  {
    code: 'SCHEDULE_TTS_FAILED',
    text: prog('  - id: p1', '    slot: sang', '    zones: [xa]', '    items:', '      - tts: "Kính thưa bà con"', '        voice: xx'),
    line: 11,
    col: 14,
    ctx: { speech: () => ({ error: 'espeak-ng has no voice "xx".' }) },
    says: 'no voice "xx"',
  },
  {
    code: 'SCHEDULE_TTS_FAILED',
    text: prog('  - id: p1', '    slot: sang', '    zones: [xa]', '    items:', '      - tts: "Kính thưa bà con"'),
    line: 11,
    col: 14,
    says: 'was not made',
  },
  { code: 'SCHEDULE_UNTIL_WITHOUT_REPEAT', text: prog(...P1, '    until: "07:00"'), line: 11, col: 5 },
  { code: 'SCHEDULE_UNTIL_OUTSIDE_SLOT', text: prog(...P1, '    repeat: true', '    until: "08:00"'), line: 12, col: 12 },
  {
    code: 'SCHEDULE_UNTIL_OUTSIDE_SLOT',
    text: prog('  - id: p1', '    at: "06:00"', '    zones: [xa]', '    repeat: true', '    until: "05:30"', '    items: [quoc-ca]'),
    line: 11,
    col: 12,
    says: 'outside slot sang (06:00–07:30)',
  },
  {
    code: 'SCHEDULE_REPEAT_NO_END',
    text: prog('  - id: p1', '    at: "12:00"', '    zones: [xa]', '    repeat: true', '    items: [quoc-ca]'),
    line: 8,
    col: 9,
  },
  {
    code: 'SCHEDULE_TOO_LONG',
    line: 8,
    col: 5,
    says: 'lasts 1h20m but slot ngan has only 12m left on',
    text:
      'site: t\nslots:\n  ngan: { start: "05:00", end: "05:12" }\nprogrammes:\n  - id: p1\n    slot: ngan\n    clusters: [a1]\n    items: [ban-tin, ' +
      'ban-tin, ban-tin, ban-tin, ban-tin, ban-tin, ban-tin, ban-tin]\n',
  },
  {
    // Fits alone, but not after p1 on the cluster they share (p2 starts when a1 is free).
    code: 'SCHEDULE_TOO_LONG',
    line: 12,
    col: 5,
    says: 'lasts 5m but slot ngan has only 2m left after p1 on 2026-11-23 (Monday)',
    text:
      'site: t\nslots:\n  ngan: { start: "05:00", end: "05:12" }\nprogrammes:\n  - id: p1\n    slot: ngan\n    clusters: [a1]\n    items: [ban-tin]\n  - ' +
      'id: p2\n    slot: ngan\n    clusters: [a1, b1]\n    items: [tin-xa]\n',
  },
  {
    // Mondays vs a date that is a Monday: they share 2026-11-30.
    code: 'SCHEDULE_OVERLAP',
    line: 13,
    col: 9,
    says: '"p2" and "p1" (both normal) would play at the same time on a1 at 05:05 on 2026-11-30 (Monday)',
    text: prog(
      '  - id: p1',
      '    at: "05:00"',
      '    days: { weekdays: [mon] }',
      '    clusters: [a1]',
      '    items: [ban-tin]',
      '  - id: p2',
      '    at: "05:05"',
      '    days: { dates: [2026-11-30] }',
      '    clusters: [a1, b1]',
      '    items: [quoc-ca]',
    ),
  },
  {
    // A repeating programme fills the rest of its slot, so nothing after it on its clusters gets any time.
    code: 'SCHEDULE_TOO_LONG',
    line: 13,
    col: 5,
    says: '"p2" lasts 5m but slot ngan has only 0s left after p1',
    text:
      'site: t\nslots:\n  ngan: { start: "05:00", end: "05:12" }\nprogrammes:\n  - id: p1\n    slot: ngan\n    clusters: [a1]\n    repeat: true\n    ' +
      'items: [quoc-ca]\n  - id: p2\n    slot: ngan\n    clusters: [a1]\n    items: [tin-xa]\n    repeat: true\n',
  },
  {
    // Apart from 2026-12-01..2028-06-30 the two clash every Tuesday; that date is beyond 400 days from today.
    code: 'SCHEDULE_OVERLAP',
    line: 13,
    col: 9,
    says: 'on 2028-07-04 (Tuesday)',
    text: prog(
      '  - id: p1',
      '    at: "05:00"',
      '    days: { weekdays: [tue], except: ["2026-11-01..2028-06-30"] }',
      '    clusters: [a1]',
      '    items: [quoc-ca]',
      '  - id: p2',
      '    at: "05:00"',
      '    days: { weekdays: [tue] , except: ["2026-11-01..2028-06-30"]}',
      '    clusters: [a1]',
      '    items: [quoc-ca]',
    ),
  },
  { code: 'SCHEDULE_MISSING_KEY', text: '# nothing yet\n', line: 1, col: 1, says: 'the schedule file needs `site`' },
  { code: 'SCHEDULE_OUTSIDE_SLOTS', text: prog('  - id: p1', '    at: "12:00"', '    zones: [xa]', '    items: [quoc-ca]'), line: 8, col: 9 },
  {
    code: 'SCHEDULE_PREEMPTS',
    line: 12,
    col: 9,
    says: '"p2" (priority) interrupts "p1" (normal) on a1 at 05:02',
    text: prog(
      ...P1.slice(0, 3),
      '    items: [ban-tin]',
      '  - id: p2',
      '    at: "05:02"',
      '    priority: uu-tien',
      '    clusters: [a1]',
      '    items: [quoc-ca]',
    ),
  },
  {
    code: 'SCHEDULE_ALWAYS_PREEMPTED',
    line: 13,
    col: 9,
    says: '"p2" is never heard: "p1"',
    text: prog(
      '  - id: p1',
      '    at: "05:00"',
      '    priority: khẩn cấp',
      '    clusters: [a1]',
      '    items: [ban-tin]',
      '  - id: p2',
      '    at: "05:01"',
      '    clusters: [a1]',
      '    items: [quoc-ca]',
    ),
  },
  { code: 'SCHEDULE_NO_DAYS', text: prog(...P1, '    days: { dates: [2026-01-01..2026-03-31] }'), line: 11, col: 5 },
  {
    code: 'SCHEDULE_EVENT_PAST',
    text: [...HEAD.slice(0, 5), 'events:', '  - id: e1', '    date: 2026-11-22', '    slot: sang', '    zones: [xa]', '    items: [quoc-ca]'].join('\n'),
    line: 8,
    col: 11,
  },
  {
    code: 'SCHEDULE_REPEAT_SILENCE',
    text: prog('  - id: p1', '    slot: sang', '    zones: [xa]', '    repeat: true', '    items: [{ silence: 30s }]'),
    line: 10,
    col: 13,
  },
  { code: 'SCHEDULE_LOUD', text: prog(...P1, '    volume: 98'), line: 11, col: 13 },
  { code: 'SCHEDULE_SLOTS_OVERLAP', text: 'site: t\nslots:\n  a: { start: "05:00", end: "07:00" }\n  b: { start: "06:30", end: "08:00" }\n', line: 4, col: 3 },
];

describe('schedule validation rules', () => {
  it('has a failing example for every code', () => {
    const covered = new Set(cases.map((c) => c.code));
    expect(PROBLEM_CODES.filter((c) => !covered.has(c))).toEqual([]);
  });

  for (const c of cases) {
    it(`${c.code} at ${c.line}:${c.col}`, () => {
      const { schedule, problems } = validateSchedule(c.text, 'lich.yaml', smallContext(c.ctx));
      const found = problems.find((p) => p.code === c.code);
      expect(found, JSON.stringify(problems, null, 1)).toBeDefined();
      expect({ line: found!.line, col: found!.col, file: found!.file }).toEqual({ line: c.line, col: c.col, file: 'lich.yaml' });
      const warning = WARNINGS.has(c.code as never);
      expect(found!.severity).toBe(warning ? 'warning' : 'error');
      if (c.says) expect(found!.message).toContain(c.says);
      // An error refuses the whole file; a warning alone does not.
      if (!warning) expect(schedule).toBeNull();
      else if (!problems.some((p) => p.severity === 'error')) expect(schedule).not.toBeNull();
    });
  }

  it('a tts item plays the speech made for it, for as long as it lasts, with its voice', () => {
    const asked: [string, string | null][] = [];
    const ctx = smallContext({
      speech: (text, voice) => {
        asked.push([text, voice]);
        return { id: 'm-tts', durationMs: 7000 };
      },
    });
    const text = prog(
      '  - id: p1',
      '    slot: sang',
      '    zones: [xa]',
      '    items:',
      '      - tts: "Kính thưa bà con"',
      '        voice: vi',
      '      - quoc-ca',
    );
    const { schedule, problems } = validateSchedule(text, 'lich.yaml', ctx);
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(asked[0]).toEqual(['Kính thưa bà con', 'vi']);
    expect(schedule!.programmes[0]!.items[0]).toMatchObject({ kind: 'tts', mediaId: 'm-tts', durationMs: 7000, voice: 'vi' });
  });

  it('the same priority on different days, or on different clusters, is no overlap', () => {
    const text = prog(
      '  - id: p1',
      '    at: "05:00"',
      '    days: { weekdays: [mon] }',
      '    clusters: [a1]',
      '    items: [ban-tin]',
      '  - id: p2',
      '    at: "05:05"',
      '    days: { dates: [2026-12-01] }',
      '    clusters: [a1]',
      '    items: [quoc-ca]',
      '  - id: p3',
      '    at: "05:05"',
      '    clusters: [b1]',
      '    items: [quoc-ca]',
    );
    const { schedule, problems } = validateSchedule(text, 'f.yaml', smallContext());
    expect(problems).toEqual([]);
    expect(schedule?.programmes.map((p) => p.id)).toEqual(['p1', 'p2', 'p3']);
  });

  it('an emergency at a fixed time outside the slots is not a warning', () => {
    const text = prog('  - id: p1', '    at: "12:00"', '    priority: emergency', '    zones: [all]', '    items: [quoc-ca]');
    expect(validateSchedule(text, 'f.yaml', smallContext()).problems).toEqual([]);
  });

  it('reports every problem of a file at once, in line order', () => {
    const text = prog('  - id: p1', '    at: "5h"', '    zones: [nowhere]', '    items: [nothing]');
    const { problems } = validateSchedule(text, 'f.yaml', smallContext());
    expect(problems.map((p) => [p.code, p.line])).toEqual([
      ['SCHEDULE_BAD_TIME', 8],
      ['SCHEDULE_UNKNOWN_ZONE', 9],
      ['SCHEDULE_UNKNOWN_MEDIA', 10],
    ]);
  });

  it('speaks Vietnamese when asked', () => {
    const text = prog('  - id: p1', '    slot: sang', '    zones: [xa]', '    items: [quoc-caa]');
    const [p] = validateSchedule(text, 'f.yaml', smallContext({ lang: 'vi' })).problems;
    expect(p?.message).toBe(
      'thư viện không có tệp âm thanh tên "quoc-caa". Có phải là "quoc-ca" không? `loa media list` liệt kê các tên; nhập tệp bằng `loa media add`.',
    );
  });
});

describe('a broken slot', () => {
  // Three programmes in slot sang, a fixed time inside its hours and one repeating from there.
  const file = (sang: string) =>
    `${[
      'site: t',
      'slots:',
      `  sang: ${sang}`,
      '  chieu: { start: "17:00", end: "19:00" }',
      'zones:',
      '  xa: [a1, a2]',
      'programmes:',
      '  - { id: p1, slot: sang, zones: [xa], items: [quoc-ca] }',
      '  - { id: p2, slot: sang, zones: [xa], items: [tin-xa] }',
      '  - { id: p3, slot: sang, zones: [xa], priority: filler, repeat: true, items: [nhac] }',
      '  - { id: p4, at: "06:00", clusters: [b1], items: [quoc-ca] }',
      '  - { id: p5, at: "06:30", clusters: [b1], repeat: true, items: [nhac] }',
      '  - { id: p6, slot: sangg, zones: [xa], items: [quoc-ca] }',
    ].join('\n')}\n`;
  const problems = (sang: string) => validateSchedule(file(sang), 'lich.yaml', smallContext()).problems.map((p) => `${p.line}:${p.col} ${p.code}`);

  it('is reported once, where it is broken; the programmes naming it are not said to name no slot', () => {
    // The officer wrote 5h00: one error at the time; a real typo of the name is still one.
    expect(problems('{ start: "5h00", end: "07:30" }')).toEqual(['3:18 SCHEDULE_BAD_TIME', '13:21 SCHEDULE_UNKNOWN_SLOT']);
    expect(problems('{ start: "05:00", end: "7h30" }')).toEqual(['3:32 SCHEDULE_BAD_TIME', '13:21 SCHEDULE_UNKNOWN_SLOT']);
    expect(problems('{ start: "05:00", end: "05:00" }')).toEqual(['3:9 SCHEDULE_EMPTY_SLOT', '13:21 SCHEDULE_UNKNOWN_SLOT']);
    expect(problems('{ start: "05:00" }')).toEqual(['3:9 SCHEDULE_MISSING_KEY', '13:21 SCHEDULE_UNKNOWN_SLOT']);
    expect(problems('"05:00-07:30"')).toEqual(['3:9 SCHEDULE_BAD_VALUE', '13:21 SCHEDULE_UNKNOWN_SLOT']);
  });

  it('once mended, only the misspelt slot name is left', () => {
    expect(problems('{ start: "05:00", end: "07:30" }')).toEqual(['13:21 SCHEDULE_UNKNOWN_SLOT']);
  });
});

describe('the Tú Lệ schedule', () => {
  it('validates clean against the 12 clusters and a plausible library', () => {
    const { schedule, problems } = validateSchedule(readFileSync(TU_LE_SCHEDULE, 'utf8'), TU_LE_SCHEDULE, tuLeContext());
    expect(problems).toEqual([]);
    expect(schedule!.timezone).toBe('Asia/Ho_Chi_Minh');
    expect(schedule!.slots.map((s) => `${s.name} ${s.start.text}-${s.end.text}`)).toEqual(['sang 05:00-07:30', 'chieu 17:00-19:00']);
    expect(Object.keys(schedule!.zones)).toHaveLength(9);
    const event = schedule!.programmes.find((p) => p.oneOff)!;
    expect(event).toMatchObject({ id: 'hop-dan-na-long', priority: 'priority', clusters: ['na-long-1', 'na-long-2'], days: { dates: ['2026-12-05'] } });
  });

  it('is refused when a media it names is missing from the library', () => {
    const ctx = tuLeContext();
    ctx.media.delete('tin-xa');
    const { schedule, problems } = validateSchedule(readFileSync(TU_LE_SCHEDULE, 'utf8'), 'schedule.yaml', ctx);
    expect(schedule).toBeNull();
    // tin-xa-sang and tin-xa-chieu, each at its own line.
    expect(problems.filter((p) => p.code === 'SCHEDULE_UNKNOWN_MEDIA').map((p) => p.line)).toEqual([47, 67]);
  });
});

describe('docs/schedules.md', () => {
  const doc = readFileSync(`${ROOT}docs/schedules.md`, 'utf8');

  it('documents every code, and only those', () => {
    const documented = [...doc.matchAll(/^\| `(SCHEDULE_[A-Z_]+)` \| (error|warning) \|/gm)].map((m) => [m[1], m[2]]);
    expect(documented).toEqual(PROBLEM_CODES.map((c) => [c, WARNINGS.has(c) ? 'warning' : 'error']));
  });

  it('has a complete example that validates clean', () => {
    const example = /```yaml\n([\s\S]*?)```/.exec(doc)![1]!;
    const { schedule, problems } = validateSchedule(example, 'docs/schedules.md', tuLeContext());
    expect(problems).toEqual([]);
    expect(schedule!.programmes.map((p) => p.id)).toEqual(['quoc-ca-sang', 'tin-xa', 'thong-bao-trung-tam', 'nhac-nen-chieu', 'hop-dan-na-long']);
  });
});

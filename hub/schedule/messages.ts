// Every schedule-file problem: its stable code, whether it stops the file, and its sentence in
// English and Vietnamese. One typed catalogue per language, so a missing translation does not compile.

import type { Priority } from './model.js';

export type Lang = 'en' | 'vi';
type S = string;

/** Why a relay address was refused, in the English message. */
const RELAY_URL_WHY: Record<Params['SCHEDULE_BAD_RELAY_URL']['why'], string> = {
  scheme: 'only http:// and https:// stream addresses are read',
  length: 'the address is longer than 2048 characters',
  url: 'it is not a valid address',
};

/** The parameters of each code's message. `hint` is a "did you mean" candidate. */
export interface Params {
  SCHEDULE_YAML: { detail: S };
  SCHEDULE_BAD_VALUE: { key: S; expected: 'list' | 'mapping' | 'text' | 'number' | 'boolean' | 'textOrList' };
  SCHEDULE_UNKNOWN_KEY: { key: S; where: Where; allowed: S; hint?: S };
  SCHEDULE_MISSING_KEY: { key: S; where: Where };
  SCHEDULE_WRONG_SITE: { site: S; expected: S };
  SCHEDULE_BAD_TIMEZONE: { zone: S };
  SCHEDULE_BAD_TIME: { value: S };
  SCHEDULE_BAD_DATE: { value: S };
  SCHEDULE_BAD_RANGE: { from: S; to: S };
  SCHEDULE_BAD_DURATION: { value: S };
  SCHEDULE_BAD_ID: { value: S };
  SCHEDULE_BAD_VOLUME: { value: S };
  SCHEDULE_UNKNOWN_WEEKDAY: { value: S; hint?: S };
  SCHEDULE_UNKNOWN_HOLIDAY: { value: S; hint?: S };
  SCHEDULE_UNKNOWN_ZONE: { value: S; hint?: S };
  SCHEDULE_UNKNOWN_CLUSTER: { value: S; hint?: S };
  SCHEDULE_UNKNOWN_MEDIA: { value: S; hint?: S };
  SCHEDULE_UNKNOWN_SLOT: { value: S; hint?: S };
  SCHEDULE_UNKNOWN_PRIORITY: { value: S; allowed: S };
  SCHEDULE_RESERVED_ZONE: Record<string, never>;
  SCHEDULE_EMPTY_ZONE: { zone: S };
  SCHEDULE_EMPTY_SLOT: { slot: S };
  SCHEDULE_DUPLICATE_ID: { id: S; line: number };
  SCHEDULE_NO_TIME: { id: S };
  SCHEDULE_AT_AND_SLOT: { id: S };
  SCHEDULE_NO_TARGET: { id: S };
  SCHEDULE_NO_ITEMS: { id: S };
  SCHEDULE_BAD_ITEM: { found: S };
  SCHEDULE_BAD_RELAY_URL: { value: S; why: 'scheme' | 'length' | 'url' };
  SCHEDULE_TTS_FAILED: { detail: S };
  SCHEDULE_UNTIL_WITHOUT_REPEAT: { id: S };
  SCHEDULE_UNTIL_OUTSIDE_SLOT: { id: S; until: S; slot: S; start: S; end: S };
  SCHEDULE_REPEAT_NO_END: { id: S; at: S };
  SCHEDULE_TOO_LONG: { id: S; need: S; left: S; slot: S; date: S; weekday: number; after: S };
  SCHEDULE_OVERLAP: { id: S; other: S; priority: Priority; clusters: S; date: S; weekday: number; time: S };
  // Warnings from here on.
  SCHEDULE_OUTSIDE_SLOTS: { id: S; at: S };
  SCHEDULE_PREEMPTS: { id: S; other: S; higher: Priority; lower: Priority; clusters: S; date: S; weekday: number; time: S };
  SCHEDULE_ALWAYS_PREEMPTED: { id: S; by: S };
  SCHEDULE_NO_DAYS: { id: S };
  SCHEDULE_EVENT_PAST: { id: S; date: S };
  SCHEDULE_REPEAT_SILENCE: { id: S };
  SCHEDULE_LOUD: { value: number };
  SCHEDULE_SLOTS_OVERLAP: { slot: S; other: S };
}
export type ProblemCode = keyof Params;

/** Every code, in the order docs/schedules.md lists them. */
export const PROBLEM_CODES = Object.keys({
  SCHEDULE_YAML: 1,
  SCHEDULE_BAD_VALUE: 1,
  SCHEDULE_UNKNOWN_KEY: 1,
  SCHEDULE_MISSING_KEY: 1,
  SCHEDULE_WRONG_SITE: 1,
  SCHEDULE_BAD_TIMEZONE: 1,
  SCHEDULE_BAD_TIME: 1,
  SCHEDULE_BAD_DATE: 1,
  SCHEDULE_BAD_RANGE: 1,
  SCHEDULE_BAD_DURATION: 1,
  SCHEDULE_BAD_ID: 1,
  SCHEDULE_BAD_VOLUME: 1,
  SCHEDULE_UNKNOWN_WEEKDAY: 1,
  SCHEDULE_UNKNOWN_HOLIDAY: 1,
  SCHEDULE_UNKNOWN_ZONE: 1,
  SCHEDULE_UNKNOWN_CLUSTER: 1,
  SCHEDULE_UNKNOWN_MEDIA: 1,
  SCHEDULE_UNKNOWN_SLOT: 1,
  SCHEDULE_UNKNOWN_PRIORITY: 1,
  SCHEDULE_RESERVED_ZONE: 1,
  SCHEDULE_EMPTY_ZONE: 1,
  SCHEDULE_EMPTY_SLOT: 1,
  SCHEDULE_DUPLICATE_ID: 1,
  SCHEDULE_NO_TIME: 1,
  SCHEDULE_AT_AND_SLOT: 1,
  SCHEDULE_NO_TARGET: 1,
  SCHEDULE_NO_ITEMS: 1,
  SCHEDULE_BAD_ITEM: 1,
  SCHEDULE_BAD_RELAY_URL: 1,
  SCHEDULE_TTS_FAILED: 1,
  SCHEDULE_UNTIL_WITHOUT_REPEAT: 1,
  SCHEDULE_UNTIL_OUTSIDE_SLOT: 1,
  SCHEDULE_REPEAT_NO_END: 1,
  SCHEDULE_TOO_LONG: 1,
  SCHEDULE_OVERLAP: 1,
  SCHEDULE_OUTSIDE_SLOTS: 1,
  SCHEDULE_PREEMPTS: 1,
  SCHEDULE_ALWAYS_PREEMPTED: 1,
  SCHEDULE_NO_DAYS: 1,
  SCHEDULE_EVENT_PAST: 1,
  SCHEDULE_REPEAT_SILENCE: 1,
  SCHEDULE_LOUD: 1,
  SCHEDULE_SLOTS_OVERLAP: 1,
} satisfies Record<ProblemCode, 1>) as ProblemCode[];

export const WARNINGS: ReadonlySet<ProblemCode> = new Set<ProblemCode>([
  'SCHEDULE_OUTSIDE_SLOTS',
  'SCHEDULE_PREEMPTS',
  'SCHEDULE_ALWAYS_PREEMPTED',
  'SCHEDULE_NO_DAYS',
  'SCHEDULE_EVENT_PAST',
  'SCHEDULE_REPEAT_SILENCE',
  'SCHEDULE_LOUD',
  'SCHEDULE_SLOTS_OVERLAP',
]);

/** Which part of the file a key belongs to, for "unknown key" and "missing key". */
export type Where = 'file' | 'slot' | 'programme' | 'event' | 'days' | 'item';

type Catalogue = {
  [K in ProblemCode]: (p: Params[K]) => string;
} & {
  where: Record<Where, string>;
  priorities: Record<Priority, string>;
  expected: Record<Params['SCHEDULE_BAD_VALUE']['expected'], string>;
  weekdays: string[];
};

const hint = (h: string | undefined, lang: Lang) => (h === undefined ? '' : lang === 'en' ? ` Did you mean "${h}"?` : ` Có phải là "${h}" không?`);

const en: Catalogue = {
  where: { file: 'the schedule file', slot: 'a slot', programme: 'a programme', event: 'an event', days: '`days`', item: 'an item' },
  expected: {
    list: 'a list, e.g. [a, b]',
    mapping: 'a group of keys (key: value lines)',
    text: 'text',
    number: 'a number',
    boolean: 'true or false',
    textOrList: 'a name or a list of names',
  },
  priorities: { emergency: 'emergency', live: 'live', priority: 'priority', normal: 'normal', filler: 'filler' },
  weekdays: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
  SCHEDULE_YAML: (p) => `the file is not valid YAML: ${p.detail}. Check indentation, colons and quotes on this line.`,
  SCHEDULE_BAD_VALUE: (p) => `\`${p.key}\` must be ${en.expected[p.expected]}.`,
  SCHEDULE_UNKNOWN_KEY: (p) => `\`${p.key}\` is not a key of ${en.where[p.where]}.${hint(p.hint, 'en')} Allowed: ${p.allowed}.`,
  SCHEDULE_MISSING_KEY: (p) => `${en.where[p.where]} needs \`${p.key}\`.`,
  SCHEDULE_WRONG_SITE: (p) =>
    `this file is for site "${p.site}" but this hub runs site "${p.expected}"; check you have the right file (a hub moves to another site only by \`site:\` ` +
    `in its config).`,
  SCHEDULE_BAD_TIMEZONE: (p) => `"${p.zone}" is not a time zone; write a name like Asia/Ho_Chi_Minh.`,
  SCHEDULE_BAD_TIME: (p) => `"${p.value}" is not a time of day; write HH:MM or HH:MM:SS between 00:00 and 23:59:59, in quotes, e.g. "05:30".`,
  SCHEDULE_BAD_DATE: (p) => `"${p.value}" is not a date; write YYYY-MM-DD, e.g. 2026-12-01, or a range 2026-12-01..2026-12-31.`,
  SCHEDULE_BAD_RANGE: (p) => `the range ${p.from}..${p.to} ends before it starts; put the earlier date first.`,
  SCHEDULE_BAD_DURATION: (p) => `"${p.value}" is not a length of time; write e.g. 5s, 90s, 1m30s.`,
  SCHEDULE_BAD_ID: (p) => `"${p.value}" cannot be an id; use lower-case letters without accents, digits and dashes, e.g. quoc-ca-sang.`,
  SCHEDULE_BAD_VOLUME: (p) => `volume "${p.value}" must be a whole number from 0 to 100.`,
  SCHEDULE_UNKNOWN_WEEKDAY: (p) =>
    `"${p.value}" is not a day of the week.${hint(p.hint, 'en')} Write mon, tue, wed, thu, fri, sat, sun (or t2…t7, cn), or a range like mon..fri.`,
  SCHEDULE_UNKNOWN_HOLIDAY: (p) => `"${p.value}" is neither a date nor a holiday listed under \`holidays\`.${hint(p.hint, 'en')}`,
  SCHEDULE_UNKNOWN_ZONE: (p) => `there is no zone "${p.value}" under \`zones\`.${hint(p.hint, 'en')} \`all\` means every cluster.`,
  SCHEDULE_UNKNOWN_CLUSTER: (p) => `there is no cluster "${p.value}" on this hub.${hint(p.hint, 'en')} \`loa clusters list\` shows the ids.`,
  SCHEDULE_UNKNOWN_MEDIA: (p) =>
    `there is no media named "${p.value}" in the library.${hint(p.hint, 'en')} \`loa media list\` shows the names; import it with \`loa media add\`.`,
  SCHEDULE_UNKNOWN_SLOT: (p) => `there is no slot "${p.value}" under \`slots\`.${hint(p.hint, 'en')}`,
  SCHEDULE_UNKNOWN_PRIORITY: (p) => `"${p.value}" is not a priority here; write one of ${p.allowed}.`,
  SCHEDULE_RESERVED_ZONE: () => '`all` is built in (every cluster of the hub); give your zone another name.',
  SCHEDULE_EMPTY_ZONE: (p) => `zone "${p.zone}" has no clusters; list at least one, or remove the zone.`,
  SCHEDULE_EMPTY_SLOT: (p) => `slot "${p.slot}" starts and ends at the same time; give it a length.`,
  SCHEDULE_DUPLICATE_ID: (p) => `the id "${p.id}" is already used on line ${p.line}; every programme and event needs its own id.`,
  SCHEDULE_NO_TIME: (p) => `"${p.id}" needs a start: \`at: "HH:MM"\` or \`slot: NAME\`.`,
  SCHEDULE_AT_AND_SLOT: (p) => `"${p.id}" has both \`at\` and \`slot\`; keep only one.`,
  SCHEDULE_NO_TARGET: (p) => `"${p.id}" does not say where to play: add \`zones: [...]\` or \`clusters: [...]\` (zones: [all] for every cluster).`,
  SCHEDULE_NO_ITEMS: (p) => `"${p.id}" has no items; list at least one \`media:\` or \`silence:\`.`,
  SCHEDULE_BAD_ITEM: (p) => `an item needs exactly one of media, silence, relay or tts (found: ${p.found || 'none'}).`,
  SCHEDULE_BAD_RELAY_URL: (p) =>
    `"${p.value}" cannot be relayed: ${RELAY_URL_WHY[p.why]}; give the station's stream URL, e.g. https://stream.example.vn/vov1.mp3.`,
  SCHEDULE_TTS_FAILED: (p) => `this text could not be read out: ${p.detail} Fix the text or the \`voice\`, or check the text-to-speech settings of the hub.`,
  SCHEDULE_UNTIL_WITHOUT_REPEAT: (p) => `"${p.id}" has \`until\` but does not repeat; add \`repeat: true\` or remove \`until\`.`,
  SCHEDULE_UNTIL_OUTSIDE_SLOT: (p) => `"${p.id}": until ${p.until} is outside slot ${p.slot} (${p.start}–${p.end}).`,
  SCHEDULE_REPEAT_NO_END: (p) => `"${p.id}" repeats from ${p.at}, which is in no slot, so it would never stop; add \`until: "HH:MM"\`.`,
  SCHEDULE_TOO_LONG: (p) =>
    `"${p.id}" lasts ${p.need} but slot ${p.slot} has only ${p.left} left${p.after ? ` after ${p.after}` : ''} on ${p.date} (${en.weekdays[p.weekday]}); ` +
    `shorten it, move it to another slot, or remove something before it.`,
  SCHEDULE_OVERLAP: (p) =>
    `"${p.id}" and "${p.other}" (both ${en.priorities[p.priority]}) would play at the same time on ${p.clusters} at ${p.time} on ${p.date} ` +
    `(${en.weekdays[p.weekday]}); move one, or give one a different priority.`,
  SCHEDULE_OUTSIDE_SLOTS: (p) => `"${p.id}" starts at ${p.at}, outside every slot; people will hear it outside the broadcast hours. Check the time.`,
  SCHEDULE_PREEMPTS: (p) =>
    `"${p.id}" (${en.priorities[p.higher]}) interrupts "${p.other}" (${en.priorities[p.lower]}) on ${p.clusters} at ${p.time} on ${p.date} ` +
    `(${en.weekdays[p.weekday]}); "${p.other}" resumes after it if its slot is still open.`,
  SCHEDULE_ALWAYS_PREEMPTED: (p) => `"${p.id}" is never heard: ${p.by} always plays over it with a higher priority.`,
  SCHEDULE_NO_DAYS: (p) => `"${p.id}" does not run on any day ahead (its dates are past or all excepted).`,
  SCHEDULE_EVENT_PAST: (p) => `event "${p.id}" is on ${p.date}, which has passed; remove it when you next edit the file.`,
  SCHEDULE_REPEAT_SILENCE: (p) => `"${p.id}" repeats only silence; the clusters will be silent until it ends.`,
  SCHEDULE_LOUD: (p) => `volume ${p.value} is near the maximum; the horns may distort. 80–90 is usual.`,
  SCHEDULE_SLOTS_OVERLAP: (p) => `slot "${p.slot}" overlaps slot "${p.other}"; check their times (programmes of both could play at once).`,
};

const vi: Catalogue = {
  where: { file: 'tệp lịch phát', slot: 'khung giờ', programme: 'chương trình', event: 'sự kiện', days: '`days`', item: 'mục phát' },
  expected: {
    list: 'một danh sách, ví dụ [a, b]',
    mapping: 'một nhóm khoá (các dòng khoá: giá trị)',
    text: 'chữ',
    number: 'một số',
    boolean: 'true hoặc false',
    textOrList: 'một tên hoặc danh sách tên',
  },
  priorities: { emergency: 'khẩn cấp', live: 'trực tiếp', priority: 'ưu tiên', normal: 'thông thường', filler: 'nền' },
  weekdays: ['Chủ nhật', 'Thứ hai', 'Thứ ba', 'Thứ tư', 'Thứ năm', 'Thứ sáu', 'Thứ bảy'],
  SCHEDULE_YAML: (p) => `tệp không đúng cú pháp YAML: ${p.detail}. Hãy kiểm tra thụt lề, dấu hai chấm và dấu nháy ở dòng này.`,
  SCHEDULE_BAD_VALUE: (p) => `\`${p.key}\` phải là ${vi.expected[p.expected]}.`,
  SCHEDULE_UNKNOWN_KEY: (p) => `\`${p.key}\` không phải là khoá của ${vi.where[p.where]}.${hint(p.hint, 'vi')} Các khoá được dùng: ${p.allowed}.`,
  SCHEDULE_MISSING_KEY: (p) => `${vi.where[p.where]} cần có \`${p.key}\`.`,
  SCHEDULE_WRONG_SITE: (p) =>
    `tệp này dành cho đơn vị "${p.site}" nhưng hub này là của "${p.expected}"; hãy kiểm tra lại tệp (muốn chuyển hub sang đơn vị khác thì sửa \`site:\` ` +
    `trong cấu hình của hub).`,
  SCHEDULE_BAD_TIMEZONE: (p) => `"${p.zone}" không phải múi giờ; hãy viết tên như Asia/Ho_Chi_Minh.`,
  SCHEDULE_BAD_TIME: (p) => `"${p.value}" không phải giờ hợp lệ; hãy viết HH:MM hoặc HH:MM:SS từ 00:00 đến 23:59:59, trong dấu nháy, ví dụ "05:30".`,
  SCHEDULE_BAD_DATE: (p) => `"${p.value}" không phải ngày hợp lệ; hãy viết YYYY-MM-DD, ví dụ 2026-12-01, hoặc khoảng 2026-12-01..2026-12-31.`,
  SCHEDULE_BAD_RANGE: (p) => `khoảng ngày ${p.from}..${p.to} kết thúc trước khi bắt đầu; hãy đặt ngày sớm hơn lên trước.`,
  SCHEDULE_BAD_DURATION: (p) => `"${p.value}" không phải độ dài thời gian; hãy viết ví dụ 5s, 90s, 1m30s.`,
  SCHEDULE_BAD_ID: (p) => `"${p.value}" không dùng làm mã được; hãy dùng chữ thường không dấu, chữ số và dấu gạch ngang, ví dụ quoc-ca-sang.`,
  SCHEDULE_BAD_VOLUME: (p) => `âm lượng "${p.value}" phải là số nguyên từ 0 đến 100.`,
  SCHEDULE_UNKNOWN_WEEKDAY: (p) =>
    `"${p.value}" không phải thứ trong tuần.${hint(p.hint, 'vi')} Hãy viết t2, t3, t4, t5, t6, t7, cn (hoặc mon…sun), hoặc khoảng như t2..t6.`,
  SCHEDULE_UNKNOWN_HOLIDAY: (p) => `"${p.value}" không phải ngày, cũng không phải ngày lễ có trong \`holidays\`.${hint(p.hint, 'vi')}`,
  SCHEDULE_UNKNOWN_ZONE: (p) => `không có vùng phát "${p.value}" trong \`zones\`.${hint(p.hint, 'vi')} \`all\` là tất cả các cụm loa.`,
  SCHEDULE_UNKNOWN_CLUSTER: (p) => `hub không có cụm loa "${p.value}".${hint(p.hint, 'vi')} \`loa clusters list\` liệt kê các mã.`,
  SCHEDULE_UNKNOWN_MEDIA: (p) =>
    `thư viện không có tệp âm thanh tên "${p.value}".${hint(p.hint, 'vi')} \`loa media list\` liệt kê các tên; nhập tệp bằng \`loa media add\`.`,
  SCHEDULE_UNKNOWN_SLOT: (p) => `không có khung giờ "${p.value}" trong \`slots\`.${hint(p.hint, 'vi')}`,
  SCHEDULE_UNKNOWN_PRIORITY: (p) => `"${p.value}" không phải mức ưu tiên dùng được ở đây; hãy viết một trong ${p.allowed}.`,
  SCHEDULE_RESERVED_ZONE: () => '`all` là vùng có sẵn (tất cả các cụm loa); hãy đặt tên khác cho vùng của bạn.',
  SCHEDULE_EMPTY_ZONE: (p) => `vùng phát "${p.zone}" không có cụm loa nào; hãy thêm ít nhất một cụm, hoặc xoá vùng.`,
  SCHEDULE_EMPTY_SLOT: (p) => `khung giờ "${p.slot}" bắt đầu và kết thúc cùng lúc; hãy cho nó độ dài.`,
  SCHEDULE_DUPLICATE_ID: (p) => `mã "${p.id}" đã được dùng ở dòng ${p.line}; mỗi chương trình và sự kiện cần một mã riêng.`,
  SCHEDULE_NO_TIME: (p) => `"${p.id}" cần giờ bắt đầu: \`at: "HH:MM"\` hoặc \`slot: TÊN\`.`,
  SCHEDULE_AT_AND_SLOT: (p) => `"${p.id}" có cả \`at\` và \`slot\`; chỉ giữ một.`,
  SCHEDULE_NO_TARGET: (p) => `"${p.id}" chưa nói phát ở đâu: thêm \`zones: [...]\` hoặc \`clusters: [...]\` (zones: [all] cho mọi cụm loa).`,
  SCHEDULE_NO_ITEMS: (p) => `"${p.id}" không có mục phát nào; hãy thêm ít nhất một \`media:\` hoặc \`silence:\`.`,
  SCHEDULE_BAD_ITEM: (p) => `mỗi mục phát cần đúng một trong media, silence, relay hoặc tts (đang có: ${p.found || 'không có'}).`,
  SCHEDULE_BAD_RELAY_URL: (p) =>
    `không tiếp sóng được "${p.value}": ` +
    `${p.why === 'scheme' ? 'chỉ đọc được địa chỉ http:// và https://' : p.why === 'length' ? 'địa chỉ dài quá 2048 ký tự' : 'địa chỉ không hợp lệ'}; hãy ` +
    `ghi địa chỉ luồng phát của đài, ví dụ https://stream.example.vn/vov1.mp3.`,
  SCHEDULE_TTS_FAILED: (p) =>
    `không đọc được văn bản này thành giọng nói: ${p.detail} Hãy sửa văn bản hoặc \`voice\`, hoặc kiểm tra cấu hình chuyển văn bản thành giọng nói của hub.`,
  SCHEDULE_UNTIL_WITHOUT_REPEAT: (p) => `"${p.id}" có \`until\` nhưng không lặp lại; hãy thêm \`repeat: true\` hoặc bỏ \`until\`.`,
  SCHEDULE_UNTIL_OUTSIDE_SLOT: (p) => `"${p.id}": giờ kết thúc ${p.until} nằm ngoài khung giờ ${p.slot} (${p.start}–${p.end}).`,
  SCHEDULE_REPEAT_NO_END: (p) => `"${p.id}" lặp lại từ ${p.at}, giờ này không thuộc khung giờ nào nên sẽ không bao giờ dừng; hãy thêm \`until: "HH:MM"\`.`,
  SCHEDULE_TOO_LONG: (p) =>
    `"${p.id}" dài ${p.need} nhưng khung giờ ${p.slot} chỉ còn ${p.left}${p.after ? ` sau ${p.after}` : ''} vào ${vi.weekdays[p.weekday]} ${p.date}; hãy rút ` +
    `ngắn, chuyển sang khung giờ khác, hoặc bớt chương trình phía trước.`,
  SCHEDULE_OVERLAP: (p) =>
    `"${p.id}" và "${p.other}" (cùng mức ${vi.priorities[p.priority]}) sẽ phát cùng lúc trên ${p.clusters} lúc ${p.time} ${vi.weekdays[p.weekday]} ` +
    `${p.date}; hãy dời một chương trình, hoặc đặt mức ưu tiên khác.`,
  SCHEDULE_OUTSIDE_SLOTS: (p) => `"${p.id}" bắt đầu lúc ${p.at}, ngoài mọi khung giờ; người dân sẽ nghe ngoài giờ phát thanh. Hãy kiểm tra lại giờ.`,
  SCHEDULE_PREEMPTS: (p) =>
    `"${p.id}" (${vi.priorities[p.higher]}) ngắt "${p.other}" (${vi.priorities[p.lower]}) trên ${p.clusters} lúc ${p.time} ${vi.weekdays[p.weekday]} ` +
    `${p.date}; "${p.other}" phát tiếp sau đó nếu khung giờ còn mở.`,
  SCHEDULE_ALWAYS_PREEMPTED: (p) => `"${p.id}" không bao giờ được nghe: ${p.by} luôn phát đè lên với mức ưu tiên cao hơn.`,
  SCHEDULE_NO_DAYS: (p) => `"${p.id}" không phát vào ngày nào sắp tới (các ngày đã qua hoặc đều bị loại trừ).`,
  SCHEDULE_EVENT_PAST: (p) => `sự kiện "${p.id}" vào ngày ${p.date} đã qua; hãy xoá nó khi sửa tệp lần sau.`,
  SCHEDULE_REPEAT_SILENCE: (p) => `"${p.id}" chỉ lặp lại khoảng lặng; các cụm loa sẽ im lặng cho tới khi nó kết thúc.`,
  SCHEDULE_LOUD: (p) => `âm lượng ${p.value} gần mức tối đa; loa có thể bị rè. Thường dùng 80–90.`,
  SCHEDULE_SLOTS_OVERLAP: (p) => `khung giờ "${p.slot}" trùng với khung giờ "${p.other}"; hãy kiểm tra giờ (chương trình của hai khung có thể phát cùng lúc).`,
};

const catalogues: Record<Lang, Catalogue> = { en, vi };

export function message<K extends ProblemCode>(lang: Lang, code: K, params: Params[K]): string {
  return (catalogues[lang][code] as (p: Params[K]) => string)(params);
}

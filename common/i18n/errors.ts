// The hub's error sentences an operator meets most, in English and Vietnamese. The hub sends
// each error with its stable code, its English message and this sentence's code and parameters
// (`error.sentence` in the API's answer); the CLI, and later the console, say it in the reader's
// language. A sentence this file does not know (a newer hub) falls back to the English message.
// No imports of Node: like reasons.ts, a page can load it compiled.
import { type Catalogue, type Coded, type Lang, type Params, say } from './catalogue.js';

const en = {
  'cluster.not-found': 'cluster {id} does not exist; `loa clusters list` shows the ids.',
  'cluster.unknown': 'clusters {ids} do not exist; `loa clusters list` shows the ids.',
  'cluster.exists': 'cluster {id} already exists; pick another id or `loa clusters rotate-secret {id}`.',
  'cluster.bad-id': '"{id}" is not a valid cluster id: use 1-63 lowercase letters, digits and dashes, starting with a letter or digit (e.g. ban-muong-1).',
  'clusters.none': 'no clusters to play on; give --clusters or --all (and add clusters first).',
  'target.unknown':
    '"{name}" is not a cluster, a zone of the schedule in force or a village. Zones: {zones}; villages: {villages}; `loa clusters list` shows the cluster ids.',
  'target.unknown-near':
    '"{name}" is not a cluster, a zone of the schedule in force or a village. Did you mean "{near}"? Zones: {zones}; villages: {villages}; `loa clusters ' +
    'list` shows the cluster ids.',
  'zones.empty': 'those zones hold no clusters.',
  'media.not-in-library': 'media {id} is not in the library; `loa media list` shows what is.',
  'broadcast.not-found': 'broadcast {id} does not exist; `loa broadcast list` shows them.',
  'start.past': 'the start time {at} has passed; give a time in the future.',
  'end.past': 'the end time {at} has passed; give a time in the future.',
  'camera.not-found': 'camera {id} does not exist; `loa cameras list` shows the ids.',
  'token.not-found': 'token {id} does not exist; `loa tokens list` shows them.',
  'auth.no-token': 'this needs a bearer token (Authorization: Bearer …); `loa tokens add` makes one.',
  'auth.unknown-token': 'the token is not known to this hub; check --token or LOA_TOKEN.',
  'auth.forbidden': 'a {role} token may not do this; it needs one of: {roles}.',
  'schedule.none': 'no schedule has been applied yet; `loa schedule apply FILE` puts one in force.',
  'request.invalid': 'invalid {what}: {detail}',
  internal: 'the hub failed to handle this request; its log has the details.',
} as const;

export type ErrorSentence = keyof typeof en;

const vi: Record<ErrorSentence, string> = {
  'cluster.not-found': 'không có cụm loa {id}; `loa clusters list` cho xem các mã cụm.',
  'cluster.unknown': 'không có các cụm loa {ids}; `loa clusters list` cho xem các mã cụm.',
  'cluster.exists': 'cụm loa {id} đã có; chọn mã khác hoặc dùng `loa clusters rotate-secret {id}`.',
  'cluster.bad-id': '"{id}" không phải mã cụm hợp lệ: dùng 1–63 chữ thường không dấu, chữ số và dấu gạch ngang, bắt đầu bằng chữ hoặc số (ví dụ ban-muong-1).',
  'clusters.none': 'không có cụm loa nào để phát; thêm --clusters hoặc --all (và thêm cụm loa trước).',
  'target.unknown':
    '"{name}" không phải mã cụm loa, vùng của lịch phát đang dùng hay thôn/bản. Các vùng: {zones}; các thôn/bản: {villages}; `loa clusters list` cho xem các ' +
    'mã cụm.',
  'target.unknown-near':
    '"{name}" không phải mã cụm loa, vùng của lịch phát đang dùng hay thôn/bản. Có phải ý bạn là "{near}"? Các vùng: {zones}; các thôn/bản: {villages}; `loa ' +
    'clusters list` cho xem các mã cụm.',
  'zones.empty': 'các vùng này không có cụm loa nào.',
  'media.not-in-library': 'thư viện không có tệp âm thanh {id}; `loa media list` cho xem những gì đang có.',
  'broadcast.not-found': 'không có lượt phát {id}; `loa broadcast list` cho xem các lượt phát.',
  'start.past': 'giờ bắt đầu {at} đã qua; hãy cho một giờ trong tương lai.',
  'end.past': 'giờ kết thúc {at} đã qua; hãy cho một giờ trong tương lai.',
  'camera.not-found': 'không có camera {id}; `loa cameras list` cho xem các mã camera.',
  'token.not-found': 'không có mã truy cập {id}; `loa tokens list` cho xem các mã.',
  'auth.no-token': 'việc này cần mã truy cập (Authorization: Bearer …); `loa tokens add` tạo một mã.',
  'auth.unknown-token': 'trạm trung tâm không biết mã truy cập này; kiểm tra --token hoặc LOA_TOKEN.',
  'auth.forbidden': 'mã truy cập vai trò {role} không được làm việc này; cần một trong các vai trò: {roles}.',
  'schedule.none': 'chưa áp dụng lịch phát nào; `loa schedule apply TỆP` đưa một lịch vào sử dụng.',
  'request.invalid': 'yêu cầu không hợp lệ ({what}): {detail}',
  internal: 'trạm trung tâm không xử lý được yêu cầu này; nhật ký của trạm có chi tiết.',
};

export const ERROR_SENTENCES: Catalogue<ErrorSentence> = { en, vi };

/** The sentence in `lang`, or `fallback` (the hub's English message) when it is not known here. */
export const errorText = (lang: Lang, sentence: Coded | null | undefined, fallback: string): string => say(ERROR_SENTENCES, lang, sentence, fallback);

/** The English text of a sentence (the message the hub logs and sends beside the code). */
export const errorEnglish = (sentence: ErrorSentence, params: Params = {}): string => say(ERROR_SENTENCES, 'en', { code: sentence, params });

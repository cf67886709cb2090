// The words and sentences of cameras and alarms, in English and Vietnamese: camera statuses and
// reasons, alarm kinds, subjects and details. One source for the hub (its English `reason` and
// `detail` texts), the CLI (`loa cameras`, `loa alarms`, `loa status`) and the monitor page, which
// loads this file compiled from dist/ as an ES module (/monitor/i18n/reasons.js).
import { knows, say, type Catalogue, type Coded, type Lang, type Params } from './catalogue.js';

const en = {
  // camera statuses (the badge on the monitor, the status column of `loa cameras list`)
  'status.unknown': 'not checked yet',
  'status.online': 'online',
  'status.degraded': 'degraded',
  'status.unauthorised': 'wrong password',
  'status.offline': 'offline',

  // alarm kinds and what they are about
  'kind.cluster-offline': 'offline too long',
  'kind.temperature': 'too hot',
  'kind.throttled': 'throttled (power)',
  'kind.play-failed': 'item failed to play',
  'kind.cache-insufficient': 'cache cannot hold the plan',
  'kind.hub-key-refused': "refuses the hub's signature",
  'kind.camera-offline': 'camera offline',
  'kind.camera-unauthorised': 'camera refuses the password',
  'kind.camera-motion': 'motion detected',
  'subject.cluster': 'cluster',
  'subject.camera': 'camera',

  // why a camera has its status (several of a degraded camera are joined with "; ")
  'camera.timeout': 'no answer within {ms} ms',
  'camera.refused': 'connection refused (ECONNREFUSED)',
  'camera.reset': 'connection reset (ECONNRESET)',
  'camera.unreachable': 'no route to the camera ({error})',
  'camera.unknown-host': 'host name not found ({error})',
  'camera.dropped': 'connection dropped ({error})',
  'camera.stopped': 'check stopped',
  'camera.no-connection': 'no connection',
  'camera.unauthorised': 'user name or password refused ({via})',
  'camera.secret-unreadable': 'the stored password cannot be decrypted (camera-secrets.key changed?)',
  'camera.bad-reply': 'bad reply to {action}: {detail}',
  'camera.fault': 'bad reply to {action}: fault {fault}',
  'camera.reply-too-large': 'bad reply to {action}: over {bytes} bytes',
  'camera.reply-too-complex': 'bad reply to {action}: XML too complex (over {depth} levels deep or {elements} elements and attributes)',
  'camera.no-date': 'bad reply to GetSystemDateAndTime: no date',
  'camera.no-device-info': 'bad reply to GetDeviceInformation: no information',
  'camera.no-media-service': 'no media service',
  'camera.no-profiles': 'no video profiles',
  'camera.no-stream-address': 'no stream address',
  'camera.no-snapshot-address': 'no snapshot address',
  'camera.clock-skew': 'clock skew {s} s',
  'camera.slow': 'slow answer ({ms} ms)',

  // alarm details: what raised an alarm, and what cleared it
  'alarm.back-online': 'online again',
  'camera.offline': 'offline',
  'camera.credentials-accepted': 'credentials accepted',
  'camera.motion': 'reported by {topic}',
  'camera.motion-over': 'motion over',
  'camera.motion-unknown-offline': 'motion unknown: camera offline',
  'camera.motion-unknown-unauthorised': 'motion unknown: password refused',
  'camera.removed': 'camera removed',
  'cluster.lost': 'connection lost',
  'cluster.disconnected': 'disconnected',
  'cluster.shutdown': 'the box shut down',
  'cluster.hub-start': 'not back since the hub restarted',
  'cluster.offline': 'offline',
  'cluster.offline-other': 'offline ({reason})',
  'cluster.removed': 'cluster removed',
  'cluster.too-hot': '{celsius} °C > {limit} °C',
  'cluster.temperature': '{celsius} °C',
  'cluster.throttled': 'under-voltage or overheating (get_throttled {raw})',
  'cluster.not-throttled': 'power and heat normal (get_throttled {raw})',
  'cluster.cache-short': '{missing} of the plan missing; cache {used} / {capacity}',
  'cluster.cache-ok': 'plan cached; cache {used} / {capacity}',
  'cluster.hub-key-refused': "the box does not trust the hub's signing key: put it in hubKeys in the box's config (after a key rotation?)",
  'cluster.hub-key-unsigned': "the box received a command without the hub's signature: something between them removed it",
  'cluster.hub-key-ok': 'the box took a signed command again',
  'play.media-fetch-failed': 'could not download the audio',
  'play.media-corrupt': 'the audio file is damaged',
  'play.player-error': 'the player failed',
  'play.no-audio-device': 'no sound card',
  'play.failed': 'could not play',
  'play.started': 'playing again',
  'play.finished': 'played to the end',

  // why a camera's live view is lost (hub/video/, the monitor's player)
  'live.no-video-start': 'no video from the camera within {s} s',
  'live.no-video': 'no video from the camera for {s} s',
  'live.ended': 'the stream ended: {detail}',
  'live.closed': 'the camera closed the stream',
  'live.not-video': 'the stream is not usable video: {detail}',
  'live.no-address': 'no stream address: {detail}',
  'live.ffmpeg': 'ffmpeg could not read the stream ({detail})',
  'live.removed': 'the camera was removed or changed',
};

export type ReasonCode = keyof typeof en;

// Typed as the English one: a code missing here does not compile (tests check the placeholders).
const vi: Record<ReasonCode, string> = {
  'status.unknown': 'chưa kiểm tra',
  'status.online': 'hoạt động',
  'status.degraded': 'kém ổn định',
  'status.unauthorised': 'sai mật khẩu',
  'status.offline': 'mất kết nối',

  'kind.cluster-offline': 'mất kết nối quá lâu',
  'kind.temperature': 'quá nóng',
  'kind.throttled': 'bị hạ xung (nguồn điện)',
  'kind.play-failed': 'không phát được bài',
  'kind.cache-insufficient': 'bộ nhớ đệm không đủ cho lịch',
  'kind.hub-key-refused': 'từ chối chữ ký của trung tâm',
  'kind.camera-offline': 'camera mất kết nối',
  'kind.camera-unauthorised': 'camera từ chối mật khẩu',
  'kind.camera-motion': 'phát hiện chuyển động',
  'subject.cluster': 'cụm loa',
  'subject.camera': 'camera',

  'camera.timeout': 'không trả lời trong {ms} ms',
  'camera.refused': 'camera từ chối kết nối (ECONNREFUSED)',
  'camera.reset': 'kết nối bị ngắt giữa chừng (ECONNRESET)',
  'camera.unreachable': 'không có đường mạng tới camera ({error})',
  'camera.unknown-host': 'không tìm thấy tên máy ({error})',
  'camera.dropped': 'kết nối bị đứt ({error})',
  'camera.stopped': 'đã dừng kiểm tra',
  'camera.no-connection': 'không có kết nối',
  'camera.unauthorised': 'camera từ chối tên đăng nhập hoặc mật khẩu ({via})',
  'camera.secret-unreadable': 'không giải mã được mật khẩu đã lưu (tệp camera-secrets.key đã đổi?)',
  'camera.bad-reply': 'trả lời sai cho {action}: {detail}',
  'camera.fault': 'camera báo lỗi khi trả lời {action}: {fault}',
  'camera.reply-too-large': 'trả lời cho {action} quá lớn (trên {bytes} byte)',
  'camera.reply-too-complex': 'trả lời cho {action} có XML quá phức tạp (sâu quá {depth} tầng hoặc quá {elements} phần tử và thuộc tính)',
  'camera.no-date': 'trả lời GetSystemDateAndTime không có ngày giờ',
  'camera.no-device-info': 'trả lời GetDeviceInformation không có thông tin thiết bị',
  'camera.no-media-service': 'không có dịch vụ hình ảnh',
  'camera.no-profiles': 'không có cấu hình hình ảnh',
  'camera.no-stream-address': 'không có địa chỉ luồng video',
  'camera.no-snapshot-address': 'không có địa chỉ ảnh chụp',
  'camera.clock-skew': 'lệch giờ {s} giây',
  'camera.slow': 'phản hồi chậm ({ms} ms)',

  'alarm.back-online': 'hoạt động trở lại',
  'camera.offline': 'mất kết nối',
  'camera.credentials-accepted': 'camera đã chấp nhận mật khẩu',
  'camera.motion': 'báo từ {topic}',
  'camera.motion-over': 'hết chuyển động',
  'camera.motion-unknown-offline': 'không rõ chuyển động: camera mất kết nối',
  'camera.motion-unknown-unauthorised': 'không rõ chuyển động: camera từ chối mật khẩu',
  'camera.removed': 'camera đã bị xoá',
  'cluster.lost': 'mất tín hiệu kết nối',
  'cluster.disconnected': 'ngắt kết nối',
  'cluster.shutdown': 'hộp điều khiển đã tắt',
  'cluster.hub-start': 'chưa kết nối lại từ khi hub khởi động lại',
  'cluster.offline': 'mất kết nối',
  'cluster.offline-other': 'mất kết nối ({reason})',
  'cluster.removed': 'cụm loa đã bị xoá',
  'cluster.too-hot': '{celsius} °C, quá ngưỡng {limit} °C',
  'cluster.temperature': '{celsius} °C',
  'cluster.throttled': 'thiếu điện áp hoặc quá nhiệt (get_throttled {raw})',
  'cluster.not-throttled': 'nguồn điện và nhiệt độ bình thường (get_throttled {raw})',
  'cluster.cache-short': 'thiếu {missing} của lịch phát; bộ nhớ đệm {used} / {capacity}',
  'cluster.cache-ok': 'đã lưu đủ lịch phát; bộ nhớ đệm {used} / {capacity}',
  'cluster.hub-key-refused': 'thiết bị không tin khoá ký của trung tâm: thêm khoá vào hubKeys trong cấu hình thiết bị (sau khi đổi khoá?)',
  'cluster.hub-key-unsigned': 'thiết bị nhận lệnh không có chữ ký của trung tâm: có thứ gì ở giữa đã bỏ chữ ký',
  'cluster.hub-key-ok': 'thiết bị đã nhận lại lệnh có chữ ký',
  'play.media-fetch-failed': 'không tải được tệp âm thanh',
  'play.media-corrupt': 'tệp âm thanh bị hỏng',
  'play.player-error': 'trình phát bị lỗi',
  'play.no-audio-device': 'không có thiết bị âm thanh',
  'play.failed': 'không phát được',
  'play.started': 'đã phát lại được',
  'play.finished': 'đã phát hết bài',

  'live.no-video-start': 'không nhận được hình từ camera trong {s} giây',
  'live.no-video': 'camera không gửi hình trong {s} giây',
  'live.ended': 'luồng video bị ngắt: {detail}',
  'live.closed': 'camera đã đóng luồng video',
  'live.not-video': 'luồng không phải video dùng được: {detail}',
  'live.no-address': 'không có địa chỉ luồng video: {detail}',
  'live.ffmpeg': 'ffmpeg không đọc được luồng video ({detail})',
  'live.removed': 'camera đã bị xoá hoặc thay đổi',
};

export const REASONS: Catalogue<ReasonCode> = { en, vi };

/** A coded sentence of this catalogue, as the hub makes one (typed: an unknown code does not compile). */
export interface Reason extends Coded {
  code: ReasonCode;
  params: Params;
}

export const reason = (code: ReasonCode, params: Params = {}): Reason => ({ code, params });

/** The English text the hub sends beside a code, for API clients that do not translate. */
export const english = (r: Coded): string => say(REASONS, 'en', r);

/** One reason in `lang`; an unknown code gives `fallback` (the hub's English). */
export const reasonText = (lang: Lang, r: Coded | null | undefined, fallback?: string | null): string => say(REASONS, lang, r, fallback);

/** A camera's reasons in `lang`, joined as the hub joins them; any unknown code: the hub's English. */
export function cameraReasonText(lang: Lang, c: { reason: string | null; reasons?: readonly Coded[] | null }): string {
  const list = Array.isArray(c.reasons) ? c.reasons : [];
  if (list.length === 0 || !list.every((r) => knows(REASONS, r?.code))) return c.reason ?? '';
  return list.map((r) => say(REASONS, lang, r)).join('; ');
}

/** What an alarm or feed event says, with an operator's technical extra (the broadcast, the box's own words) in brackets. */
export function detailText(lang: Lang, d: { detail: string; detailCode?: string | null; detailParams?: Params | null; detailExtra?: string | null }): string {
  // Rows from before codes, and codes of a newer hub: the hub's English as it is.
  if (!d.detailCode || !knows(REASONS, d.detailCode)) return d.detail;
  const text = say(REASONS, lang, { code: d.detailCode, params: d.detailParams ?? {} });
  return d.detailExtra ? `${text} (${d.detailExtra})` : text;
}

/** The clear detail of an alarm, likewise. */
export function clearText(
  lang: Lang,
  a: { clearDetail: string | null; clearCode?: string | null; clearParams?: Params | null; clearExtra?: string | null },
): string {
  if (a.clearDetail === null) return '';
  return detailText(lang, { detail: a.clearDetail, detailCode: a.clearCode ?? null, detailParams: a.clearParams ?? null, detailExtra: a.clearExtra ?? null });
}

/** A word (status, kind, subject); an unknown one is shown as the hub names it. */
const word =
  (prefix: string) =>
  (lang: Lang, name: string): string =>
    say(REASONS, lang, { code: `${prefix}.${name}` }, name);

export const statusWord = word('status');
export const kindWord = word('kind');
export const subjectWord = word('subject');

// The words of the broadcast log: why an item on a cluster ended as it did (the `reason` of a
// target, docs/errors.md "Per-cluster broadcast outcomes"), in English and Vietnamese, for
// `loa log`, `loa broadcast show` and the coming console. A reason not listed (a newer hub or
// box) is shown as it came. No Node imports: a page can load it compiled, as reasons.ts.
import { knows, type Catalogue, type Lang } from './catalogue.js';

const en = {
  // sent by a box (protocol ACK_REASONS)
  expired: 'expired',
  replay: 'replayed command',
  invalid: 'invalid command',
  unsigned: 'command not signed by the hub',
  'bad-signature': 'hub signature wrong',
  'media-fetch-failed': 'audio not downloaded',
  'media-corrupt': 'audio damaged',
  'player-error': 'player error',
  'no-audio-device': 'no sound card',
  'stop-command': 'stopped by the operator',
  replaced: 'replaced by the next item',
  shutdown: 'box shut down',
  'stream-ended': 'stream ended',
  // given by the hub
  'cluster-offline': 'cluster offline',
  'cluster-removed': 'cluster removed',
  'send-failed': 'not sent',
  'no-answer': 'no answer',
  'no-finish-report': 'end not reported',
  'hub-down': 'hub was down',
  'hub-restart': 'hub restarted',
  'not-sent': 'not sent',
  'played-offline': 'played while offline',
  'preempted-by-normal': 'cut by a programme',
  'preempted-by-priority': 'cut by a priority item',
  'preempted-by-live': 'cut by a live announcement',
  'preempted-by-emergency': 'cut by an emergency',
  'source-failed': 'source failed',
  'start-failed': 'could not start',
  'push-aborted': 'push aborted',
  'push-stalled': 'push stalled',
} as const;

export type OutcomeReason = keyof typeof en;

const vi: Record<OutcomeReason, string> = {
  expired: 'quá hạn',
  replay: 'lệnh cũ gửi lại',
  invalid: 'lệnh không hợp lệ',
  unsigned: 'lệnh không có chữ ký của trạm trung tâm',
  'bad-signature': 'chữ ký của trạm trung tâm sai',
  'media-fetch-failed': 'không tải được âm thanh',
  'media-corrupt': 'tệp âm thanh hỏng',
  'player-error': 'lỗi trình phát',
  'no-audio-device': 'không có card âm thanh',
  'stop-command': 'người vận hành dừng',
  replaced: 'nội dung sau thay thế',
  shutdown: 'thiết bị tắt',
  'stream-ended': 'luồng phát đã kết thúc',
  'cluster-offline': 'cụm loa mất kết nối',
  'cluster-removed': 'cụm loa đã bị xoá',
  'send-failed': 'không gửi được',
  'no-answer': 'không trả lời',
  'no-finish-report': 'không báo kết thúc',
  'hub-down': 'trạm trung tâm ngừng chạy',
  'hub-restart': 'trạm trung tâm khởi động lại',
  'not-sent': 'chưa gửi',
  'played-offline': 'đã phát khi mất kết nối',
  'preempted-by-normal': 'bị chương trình ngắt',
  'preempted-by-priority': 'bị nội dung ưu tiên ngắt',
  'preempted-by-live': 'bị thông báo trực tiếp ngắt',
  'preempted-by-emergency': 'bị phát khẩn cấp ngắt',
  'source-failed': 'nguồn phát lỗi',
  'start-failed': 'không bắt đầu được',
  'push-aborted': 'luồng đẩy bị huỷ',
  'push-stalled': 'luồng đẩy bị treo',
};

export const OUTCOME_REASONS: Catalogue<OutcomeReason> = { en, vi };

/** The reason in `lang`; one this catalogue does not know is returned as it came. */
export function outcomeReason(lang: Lang, reason: string | null | undefined): string {
  if (!reason) return '';
  return knows(OUTCOME_REASONS, reason) ? OUTCOME_REASONS[lang][reason as OutcomeReason] : reason;
}

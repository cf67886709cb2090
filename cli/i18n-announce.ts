// Operator-facing text of `loa announce`, in English and Vietnamese. Kept beside (not in) the one
// catalogue of i18n.ts; `announceVi` has the type of `announceEn`, so a missing key does not compile.
import type { Lang } from './i18n.js';

export const announceEn = {
  textOrFile: 'give the announcement as --text "…", --file FILE or --mic (one of them).',
  emptyText: 'the text after --text is empty; write the words to read out.',
  liveNeedsFile: '--live goes with --file (the file is pushed in real time); for the microphone use --mic.',
  micDeviceNeedsMic: '--mic-device only applies to --mic.',
  badDuration: '--duration takes a number of seconds and applies to --mic or --file --live.',
  liveOptions: '--voice is for text read out; a live announcement (--mic, --live) is your own voice.',
  captureFailed: (why: string) =>
    `ffmpeg could not capture the audio${why ? ` (${why})` : ''}; check the microphone (--mic-device, \`arecord -l\`) or the file.`,
  micStarted: 'On air from the microphone: speak now; Ctrl-C ends the announcement.',
  liveFileStarted: 'On air: the file is playing live; Ctrl-C ends it early.',
  liveEnded: (id: string, n: number, seconds: string, end: string) => `Live announcement ${id} on ${n} cluster(s) ended after ${seconds} s (${end}).`,
  voiceWithFile: '--voice only applies to --text (a file is played as it is).',
  synthesising: 'Reading the text out and preparing the announcement…',
  announced: (id: string, n: number) => `Announcement on air as broadcast ${id} on ${n} cluster(s).`,
  announcedEmergency: (id: string, n: number) => `EMERGENCY ${id} started with the announcement on ${n} cluster(s); stop it with \`loa emergency stop\`.`,
  mediaLine: (name: string, seconds: string) => `Media: ${name} (${seconds} s)`,
};

export const announceVi: typeof announceEn = {
  textOrFile: 'hãy cho nội dung thông báo bằng --text "…", --file TỆP hoặc --mic (chỉ một trong số đó).',
  emptyText: 'nội dung sau --text đang trống; hãy viết lời cần đọc.',
  liveNeedsFile: '--live dùng cùng --file (tệp được gửi theo thời gian thực); để nói qua micro hãy dùng --mic.',
  micDeviceNeedsMic: '--mic-device chỉ dùng với --mic.',
  badDuration: '--duration nhận số giây và dùng với --mic hoặc --file --live.',
  liveOptions: '--voice chỉ dùng cho văn bản đọc tự động; thông báo trực tiếp (--mic, --live) là giọng của bạn.',
  captureFailed: (why) => `ffmpeg không thu được âm thanh${why ? ` (${why})` : ''}; hãy kiểm tra micro (--mic-device, \`arecord -l\`) hoặc tệp.`,
  micStarted: 'Đang phát trực tiếp từ micro: hãy nói; nhấn Ctrl-C để kết thúc thông báo.',
  liveFileStarted: 'Đang phát trực tiếp tệp; nhấn Ctrl-C để dừng sớm.',
  liveEnded: (id, n, seconds, end) => `Thông báo trực tiếp ${id} trên ${n} cụm loa đã kết thúc sau ${seconds} giây (${end}).`,
  voiceWithFile: '--voice chỉ dùng với --text (tệp âm thanh được phát nguyên như vậy).',
  synthesising: 'Đang chuyển văn bản thành giọng nói và chuẩn bị thông báo…',
  announced: (id, n) => `Thông báo đang phát (lượt phát ${id}) trên ${n} cụm loa.`,
  announcedEmergency: (id, n) => `Đã bắt đầu KHẨN CẤP ${id} với thông báo trên ${n} cụm loa; dừng bằng \`loa emergency stop\`.`,
  mediaLine: (name, seconds) => `Tệp: ${name} (${seconds} giây)`,
};

export type AnnounceTexts = typeof announceEn;

export function announceTexts(lang: Lang): AnnounceTexts {
  return lang === 'vi' ? announceVi : announceEn;
}

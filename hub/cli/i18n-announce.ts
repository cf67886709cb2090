// Operator-facing text of `loa announce`, in English and Vietnamese. Kept beside (not in) the one
// catalogue of i18n.ts; `announceVi` has the type of `announceEn`, so a missing key does not compile.
import type { Lang } from './i18n.js';

export const announceEn = {
  textOrFile: 'give the announcement as --text "…", --file FILE or --mic (one of them).',
  emptyText: 'the text after --text is empty; write the words to read out.',
  micNotYet: 'reading out the microphone (--mic) is not supported yet; record the announcement and use --file, or type it with --text.',
  voiceWithFile: '--voice only applies to --text (a file is played as it is).',
  synthesising: 'Reading the text out and preparing the announcement…',
  announced: (id: string, n: number) => `Announcement on air as broadcast ${id} on ${n} cluster(s).`,
  announcedEmergency: (id: string, n: number) => `EMERGENCY ${id} started with the announcement on ${n} cluster(s); stop it with \`loa emergency stop\`.`,
  mediaLine: (name: string, seconds: string) => `Media: ${name} (${seconds} s)`,
};

export const announceVi: typeof announceEn = {
  textOrFile: 'hãy cho nội dung thông báo bằng --text "…", --file TỆP hoặc --mic (chỉ một trong số đó).',
  emptyText: 'nội dung sau --text đang trống; hãy viết lời cần đọc.',
  micNotYet: 'đọc trực tiếp qua micro (--mic) chưa được hỗ trợ; hãy ghi âm rồi dùng --file, hoặc gõ nội dung bằng --text.',
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

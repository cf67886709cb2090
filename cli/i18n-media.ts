// Operator-facing text of `loa media` about names, replacing and removing media in use, in English
// and Vietnamese. Kept beside (not in) the catalogue of i18n.ts, as i18n-announce.ts is;
// `mediaVi` has the type of `mediaEn`, so a missing key does not compile.
import type { Lang } from './i18n.js';

export const mediaEn = {
  nameTaken: (name: string, id: string) =>
    `"${name}" is already in the library (id ${id}); choose another --name, or add --replace to put the new audio in its place.`,
  nothingToReplace: (name: string) => `there is no media named "${name}" to replace; check the name with \`loa media list\`, or leave out --replace to add it.`,
  duplicate: (file: string, existing: string, id: string) =>
    `${file}: this audio is already in the library as "${existing}" (id ${id}); nothing was added. Play and schedule it as "${existing}".`,
  inUse: (name: string, uses: string) =>
    `"${name}" is used by ${uses}; nothing was removed. Change the schedule or stop the broadcast first, or add --force to remove it anyway (its schedule ` +
    `items then play nothing, its broadcasts are stopped).`,
  inEmergency: (name: string, id: string) =>
    `"${name}" is on air in emergency ${id}; stop the emergency first with \`loa emergency stop\` (--force does not end an emergency).`,
  programmes: (list: string) => `programme(s) ${list} of the schedule in force`,
  broadcasts: (list: string) => `broadcast(s) ${list} on air or due`,
  and: ' and ',
  replaced: (name: string, oldId: string, newId: string) =>
    `Media "${name}" replaced (${oldId} → ${newId}): schedules that name it play the new audio from their next item; boxes fetch it by its new id.`,
  playlist: (file: string, format: string) =>
    `${file}: this is a playlist (${format}) that names other files; the hub imports only the file uploaded and never opens the files a list names: upload ` +
    `the audio file itself.`,
  unchanged: (name: string) => `Media "${name}" is already in the library with this audio; nothing changed.`,
  forced: (name: string, uses: string) => `"${name}" was used by ${uses}: those schedule items play nothing until the schedule names other media.`,
  stoppedPlays: (n: number) => `stopped ${n} playback(s) of it.`,
  removedInPlan: (name: string) => `${name} (removed: silent)`,
  oldOnAir: (ids: string) =>
    `broadcast(s) ${ids} of the old audio, on air or due, play it to their end; to hear the new audio there, stop them (\`loa broadcast stop --broadcast ` +
    `ID\`) and play it again.`,
};

export const mediaVi: typeof mediaEn = {
  nameTaken: (name, id) => `thư viện đã có tệp âm thanh tên "${name}" (mã ${id}); hãy chọn --name khác, hoặc thêm --replace để thay bằng âm thanh mới.`,
  nothingToReplace: (name) => `không có tệp âm thanh nào tên "${name}" để thay; hãy kiểm tra tên bằng \`loa media list\`, hoặc bỏ --replace để thêm mới.`,
  duplicate: (file, existing, id) =>
    `${file}: âm thanh này đã có trong thư viện với tên "${existing}" (mã ${id}); không thêm gì. Hãy phát và xếp lịch với tên "${existing}".`,
  inUse: (name, uses) =>
    `"${name}" đang được dùng: ${uses}; chưa xoá gì. Hãy sửa lịch phát hoặc dừng lượt phát trước, hoặc thêm --force để vẫn xoá (các mục đó trong lịch sẽ im ` +
    `lặng, các lượt phát bị dừng).`,
  inEmergency: (name, id) =>
    `"${name}" đang phát trong tình huống khẩn cấp ${id}; hãy dừng khẩn cấp trước bằng \`loa emergency stop\` (--force không dừng khẩn cấp).`,
  programmes: (list) => `chương trình ${list} của lịch phát đang áp dụng`,
  broadcasts: (list) => `lượt phát ${list} đang phát hoặc sắp phát`,
  and: ' và ',
  replaced: (name, oldId, newId) =>
    `Đã thay tệp âm thanh "${name}" (${oldId} → ${newId}): lịch phát dùng tên này sẽ phát âm thanh mới từ mục kế tiếp; các cụm loa tải về theo mã mới.`,
  playlist: (file, format) =>
    `${file}: đây là một danh sách phát (${format}) ghi tên các tệp khác; trạm trung tâm chỉ nhập đúng tệp được tải lên và không bao giờ mở các tệp trong ` +
    `danh sách: hãy tải lên chính tệp âm thanh.`,
  unchanged: (name) => `Tệp âm thanh "${name}" đã có trong thư viện với đúng âm thanh này; không có gì thay đổi.`,
  forced: (name, uses) => `"${name}" đã được dùng bởi ${uses}: các mục đó trong lịch sẽ im lặng cho tới khi lịch phát dùng tệp khác.`,
  stoppedPlays: (n) => `đã dừng ${n} lượt phát của tệp này.`,
  removedInPlan: (name) => `${name} (đã xoá: im lặng)`,
  oldOnAir: (ids) =>
    `lượt phát ${ids} của âm thanh cũ, đang phát hoặc sắp phát, sẽ phát âm thanh cũ đến hết; muốn phát âm thanh mới thì dừng chúng (\`loa broadcast stop ` +
    `--broadcast MÃ\`) rồi phát lại.`,
};

export type MediaTexts = typeof mediaEn;

export function mediaTexts(lang: Lang): MediaTexts {
  return lang === 'vi' ? mediaVi : mediaEn;
}

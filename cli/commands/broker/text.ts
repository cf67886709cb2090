// Operator-facing text of `loa broker`, in English and Vietnamese. Kept beside the command (not in
// i18n.ts) and picked by the catalogue's `lang`; `brokerVi` has the type of `brokerEn`.
import type { Catalogue } from '../../i18n.js';

const brokerEn = {
  written: (clusters: number) => `Mosquitto files written for ${clusters} ${clusters === 1 ? 'cluster' : 'clusters'}.`,
  passwordFile: 'Password file',
  aclFile: 'ACL file',
  reload: 'Broker reload',
  reloadHow: { signal: 'signal sent (SIGHUP)', command: 'reload command run', none: 'not configured: reload Mosquitto yourself' } as Record<string, string>,
  needsRotation: (ids: string[]) =>
    `${ids.length} ${ids.length === 1 ? 'cluster has' : 'clusters have'} a secret older than external broker mode and cannot log into Mosquitto: ` +
    `${ids.join(', ')}. Run \`loa clusters rotate-secret ID\` for each and give the box its new secret.`,
  conflicts: (ids: string[]) => `Left out because the id is the hub's own broker user name: ${ids.join(', ')}.`,
};

const brokerVi: typeof brokerEn = {
  written: (clusters) => `Đã ghi tệp Mosquitto cho ${clusters} cụm loa.`,
  passwordFile: 'Tệp mật khẩu',
  aclFile: 'Tệp phân quyền (ACL)',
  reload: 'Nạp lại broker',
  reloadHow: { signal: 'đã gửi tín hiệu (SIGHUP)', command: 'đã chạy lệnh nạp lại', none: 'chưa cấu hình: hãy tự nạp lại Mosquitto' },
  needsRotation: (ids) =>
    `${ids.length} cụm loa có khóa bí mật cũ hơn chế độ broker ngoài nên không đăng nhập được Mosquitto: ${ids.join(', ')}. Chạy \`loa clusters ` +
    `rotate-secret ID\` cho từng cụm và cài khóa mới vào hộp.`,
  conflicts: (ids) => `Bỏ qua vì mã trùng tên người dùng broker của hub: ${ids.join(', ')}.`,
};

export function brokerText(t: Catalogue): typeof brokerEn {
  return t.lang === 'vi' ? brokerVi : brokerEn;
}

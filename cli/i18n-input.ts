// Operator-facing text about values typed on the command line (usage errors, exit 2) and the
// broadcast list, in English and Vietnamese; spread into the catalogue of i18n.ts.

type IdKind = 'cluster' | 'camera';

export const inputEn = {
  badId: (kind: IdKind, v: string, example: string) =>
    `"${v}" is not a valid ${kind} id: use 1–63 lowercase letters, digits and dashes, starting with a letter or digit, e.g. "${example}"`,
  badText: (what: string, max: number) => `${what} must be 1 to ${max} characters, without control characters`,
  badUrl: (v: string) => `"${v}" is not a stream address: give an http:// or https:// URL, e.g. http://radio.example/live.mp3`,
  badHost: (v: string) => `"${v}" is not a host name or IP address, e.g. 192.168.1.64`,
  badPath: (v: string) => `"${v}" is not a device service path: it starts with / and has no spaces, ? or #, e.g. /onvif/device_service`,
  badUser: (v: string) => `the user name "${v}" may not be empty nor contain : < > & "`,
  badAddressRange: (v: string, max: number) => `"${v}" is not an address range: write 192.168.1.10-192.168.1.60 or 192.168.1.0/24, at most ${max} addresses`,
  // loa broadcast list
  badListStatus: (v: string, all: string) => `--status "${v}" is not a broadcast status; use ${all} or all, comma-separated`,
  badListKind: (v: string) => `--kind "${v}" is not a kind of broadcast; use ad-hoc, schedule or emergency, comma-separated`,
  broadcastListNote: 'On air first, then the most recent; `--status scheduled` lists those still to come.',
  noBroadcastsMatch: 'No broadcasts match.',
};

export const inputVi: typeof inputEn = {
  badId: (kind, v, example) =>
    `"${v}" không phải mã ${kind === 'cluster' ? 'cụm loa' : 'camera'} hợp lệ: dùng 1–63 chữ thường không dấu, chữ số và dấu gạch ngang, bắt đầu bằng chữ ` +
    `hoặc số, ví dụ "${example}"`,
  badText: (what, max) => `${what} phải có từ 1 đến ${max} ký tự, không có ký tự điều khiển`,
  badUrl: (v) => `"${v}" không phải địa chỉ luồng phát: hãy cho địa chỉ http:// hoặc https://, ví dụ http://radio.example/live.mp3`,
  badHost: (v) => `"${v}" không phải tên máy hay địa chỉ IP, ví dụ 192.168.1.64`,
  badPath: (v) => `"${v}" không phải đường dẫn dịch vụ: phải bắt đầu bằng / và không có dấu cách, ? hay #, ví dụ /onvif/device_service`,
  badUser: (v) => `tên đăng nhập "${v}" không được để trống và không được chứa : < > & "`,
  badAddressRange: (v, max) => `"${v}" không phải dải địa chỉ: hãy viết 192.168.1.10-192.168.1.60 hoặc 192.168.1.0/24, tối đa ${max} địa chỉ`,
  badListStatus: (v, all) => `--status "${v}" không phải trạng thái lượt phát; dùng ${all} hoặc all, cách nhau bằng dấu phẩy`,
  badListKind: (v) => `--kind "${v}" không phải loại lượt phát; dùng ad-hoc, schedule hoặc emergency, cách nhau bằng dấu phẩy`,
  broadcastListNote: 'Đang phát ở trên, rồi tới các lượt gần nhất; `--status scheduled` liệt kê các lượt sắp phát.',
  noBroadcastsMatch: 'Không có lượt phát nào khớp.',
};

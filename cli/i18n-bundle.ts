// Operator-facing text of the provisioning bundle `loa clusters add` prints or writes (what a new
// box needs: its config and the hub's CA), in English and Vietnamese; `bundleVi` has the type of
// `bundleEn`, so a missing key does not compile.
export const bundleEn = {
  bundleHeading: 'For the box: /etc/loa/edge.yaml (the secret above is in it):',
  bundleCaHeading: "and the hub's CA certificate, which the box trusts alone, as /etc/loa/hub-ca.pem:",
  bundleWritten: (dir: string, files: string) => `Provisioning bundle written to ${dir}: ${files}. Copy them to /etc/loa/ on the box.`,
  bundleExists: (file: string) => `${file} already exists; nothing was registered. Choose an empty --bundle folder.`,
  bundleUnwritable: (dir: string, why: string, id: string) =>
    `cannot write the bundle in ${dir} (${why}); cluster ${id} is registered but its secret is not kept: run \`loa clusters rotate-secret ${id}\` for a new ` +
    `one.`,
  hubUntrusted: (url: string, why: string) =>
    `the hub at ${url} answered with a certificate this computer does not trust (${why}); give the hub's CA certificate (tls/ca.pem in its data dir) with ` +
    `--ca or LOA_HUB_CA.`,
};

export const bundleVi: typeof bundleEn = {
  bundleHeading: 'Cho hộp điều khiển: /etc/loa/edge.yaml (đã có mã bí mật ở trên):',
  bundleCaHeading: 'và chứng chỉ CA của trạm trung tâm, chứng chỉ duy nhất hộp tin cậy, lưu thành /etc/loa/hub-ca.pem:',
  bundleWritten: (dir, files) => `Đã ghi bộ cấu hình vào ${dir}: ${files}. Hãy chép chúng vào /etc/loa/ trên hộp điều khiển.`,
  bundleExists: (file) => `${file} đã tồn tại; chưa đăng ký gì. Hãy chọn một thư mục --bundle trống.`,
  bundleUnwritable: (dir, why, id) =>
    `không ghi được bộ cấu hình vào ${dir} (${why}); cụm loa ${id} đã được đăng ký nhưng mã bí mật không được lưu: hãy chạy \`loa clusters rotate-secret ` +
    `${id}\` để lấy mã mới.`,
  hubUntrusted: (url, why) =>
    `trạm trung tâm tại ${url} trả lời bằng một chứng chỉ mà máy này không tin cậy (${why}); hãy đưa chứng chỉ CA của trạm (tls/ca.pem trong thư mục dữ liệu ` +
    `của nó) bằng --ca hoặc LOA_HUB_CA.`,
};

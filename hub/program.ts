// loa-hub's command line: its options and their help, in English and (LOA_LANG=vi, or a LANG that
// starts with "vi") in Vietnamese, for the commune's installer.
import { Command } from 'commander';
import { chooseLang } from '../common/i18n/catalogue.js';
import { translateHelp } from '../common/i18n/help.js';
import { VERSION } from '../common/version.js';

export interface HubOptions {
  config?: string;
  dataDir?: string;
  mqttPort?: number;
  httpPort?: number;
  check?: boolean;
  newSigningKey?: boolean;
  switchSigningKey?: boolean;
}

/** English help text → Vietnamese (tests/help-vi-programs.test.ts checks that none is missing);
 *  commander's own texts are in common/i18n/help.ts. */
export const HUB_HELP_VI: ReadonlyMap<string, string> = new Map([
  [
    'Loa hub: embedded MQTT broker, scheduler and HTTP API for the commune radio',
    'Trạm trung tâm Loa: máy chủ MQTT tích hợp, bộ lập lịch và API HTTP cho hệ thống truyền thanh của xã',
  ],
  [
    'YAML config file (defaults apply to anything it leaves out; no file: all defaults)',
    'tệp cấu hình YAML (phần nào tệp không ghi thì dùng giá trị mặc định; không có tệp: mọi giá trị đều mặc định)',
  ],
  ['override dataDir from the config', 'dùng thư mục này thay cho dataDir trong tệp cấu hình'],
  ['override mqtt.tls.port (MQTT over TLS)', 'dùng cổng này thay cho mqtt.tls.port (MQTT qua TLS)'],
  ['override http.port', 'dùng cổng này thay cho http.port'],
  ['validate the config and exit', 'kiểm tra tệp cấu hình rồi thoát'],
  [
    'make the next signing key in the data dir (a key rotation, docs/install.md), print its public key and exit',
    'tạo khoá ký tiếp theo trong thư mục dữ liệu (đổi khoá, xem docs/install.md), in khoá công khai của nó rồi thoát',
  ],
  [
    'sign with the next key from the next start on (the current one is kept as signing-key.old.pem), print both and exit',
    'từ lần khởi động sau, ký bằng khoá tiếp theo (khoá hiện tại được giữ lại thành signing-key.old.pem), in cả hai khoá rồi thoát',
  ],
]);

export function hubProgram(env: NodeJS.ProcessEnv = process.env): Command {
  const program = new Command('loa-hub')
    .description('Loa hub: embedded MQTT broker, scheduler and HTTP API for the commune radio')
    .version(VERSION)
    .option('-c, --config <file>', 'YAML config file (defaults apply to anything it leaves out; no file: all defaults)')
    .option('--data-dir <dir>', 'override dataDir from the config')
    .option('--mqtt-port <port>', 'override mqtt.tls.port (MQTT over TLS)', (v) => Number.parseInt(v, 10))
    .option('--http-port <port>', 'override http.port', (v) => Number.parseInt(v, 10))
    .option('--check', 'validate the config and exit')
    .option('--new-signing-key', 'make the next signing key in the data dir (a key rotation, docs/install.md), print its public key and exit')
    .option('--switch-signing-key', 'sign with the next key from the next start on (the current one is kept as signing-key.old.pem), print both and exit')
    .showHelpAfterError();
  if (chooseLang(undefined, env) === 'vi') translateHelp(program, HUB_HELP_VI);
  return program;
}

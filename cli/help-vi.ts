// `loa --help` in Vietnamese: the help texts stay written once, in English, where each command is
// registered (commander prints them); under `--lang vi` this table puts each into Vietnamese, and
// commander's own words (Usage, Options, …) too. A text missing here stays English: the test
// (tests/cli-help-vi.test.ts) walks every command so that none is missing.
import type { Command } from 'commander';
import { translateHelp } from '../common/i18n/help.js';

export { helpTexts } from '../common/i18n/help.js';

/** English help text → Vietnamese (commander's own texts are in common/i18n/help.ts). */
export const HELP_VI: ReadonlyMap<string, string> = new Map([
  [
    'Loa operator CLI: clusters, media, broadcasts, schedules, emergencies, log, report, status and cameras of a Loa hub',
    'Chương trình dòng lệnh cho người vận hành Loa: cụm loa, thư viện âm thanh, lượt phát, lịch phát, phát khẩn cấp, nhật ký, báo cáo, trạng thái và camera ' +
      'của một trạm trung tâm Loa',
  ],
  [
    'hub HTTP address (else LOA_HUB, <data dir>/hub.json, https://127.0.0.1:8080)',
    'địa chỉ HTTP của trạm trung tâm (nếu không: LOA_HUB, <thư mục dữ liệu>/hub.json, https://127.0.0.1:8080)',
  ],
  [
    "the hub's CA certificate, trusted for https:// (else LOA_HUB_CA, the caFile in <data dir>/hub.json)",
    'chứng chỉ CA của trạm trung tâm, được tin cậy cho https:// (nếu không: LOA_HUB_CA, caFile trong <thư mục dữ liệu>/hub.json)',
  ],
  ['API token (else LOA_TOKEN, <data dir>/operator.token)', 'mã truy cập API (nếu không: LOA_TOKEN, <thư mục dữ liệu>/operator.token)'],
  ["the hub's data directory (else LOA_DATA_DIR, ./data)", 'thư mục dữ liệu của trạm trung tâm (nếu không: LOA_DATA_DIR, ./data)'],
  ['machine-readable output', 'kết quả dạng máy đọc (JSON)'],
  ['language of the output (else LOA_LANG, LANG)', 'ngôn ngữ hiển thị (nếu không: LOA_LANG, LANG)'],
  ['time zone for dates typed and shown (else LOA_TZ, Asia/Ho_Chi_Minh)', 'múi giờ của ngày giờ nhập và hiển thị (nếu không: LOA_TZ, Asia/Ho_Chi_Minh)'],
  ['register and manage loudspeaker clusters', 'đăng ký và quản lý các cụm loa'],
  ['register a cluster and print its secret (shown only once)', 'đăng ký một cụm loa và in mật khẩu của nó (chỉ hiện một lần)'],
  ['display name', 'tên hiển thị'],
  ['village (thôn/bản) the cluster serves', 'thôn/bản mà cụm loa phục vụ'],
  [
    "write the box's edge.yaml, edge.secret and hub-ca.pem into this folder instead of printing them",
    'ghi edge.yaml, edge.secret và hub-ca.pem của hộp điều khiển vào thư mục này thay vì in ra',
  ],
  ['cluster id, e.g. ban-hon', 'mã cụm loa, ví dụ ban-hon'],
  ['list clusters with their connection state', 'danh sách cụm loa và trạng thái kết nối'],
  ['show one cluster: what it plays, its last health report', 'xem một cụm loa: đang phát gì, báo cáo tình trạng gần nhất'],
  ['cluster id', 'mã cụm loa'],
  ['remove a cluster (asks nothing)', 'xoá một cụm loa (không hỏi lại)'],
  ['give a cluster a new secret (printed once); its box is disconnected', 'cấp mật khẩu mới cho cụm loa (in một lần); thiết bị của nó bị ngắt kết nối'],
  ["set a cluster's volume", 'đặt âm lượng của một cụm loa'],
  ['volume from 0 to 100', 'âm lượng từ 0 đến 100'],
  ['import and manage audio', 'nhập và quản lý tệp âm thanh'],
  [
    'import an audio file (any format ffmpeg reads); shows progress on stderr',
    'nhập một tệp âm thanh (mọi định dạng ffmpeg đọc được); tiến độ hiện trên stderr',
  ],
  ['name to show and to play it by (default: from the file name)', 'tên để hiển thị và để phát (mặc định: theo tên tệp)'],
  [
    'put this audio in place of the item that has --name (schedules naming it play the new audio)',
    'dùng âm thanh này thay cho mục mang tên --name (lịch phát gọi tên đó sẽ phát âm thanh mới)',
  ],
  ['local audio file', 'tệp âm thanh trên máy này'],
  ['list the media library', 'danh sách thư viện âm thanh'],
  ['remove a media item', 'xoá một tệp âm thanh'],
  [
    'remove it although the schedule in force or a broadcast uses it (not during an emergency)',
    'xoá dù lịch phát đang dùng hay một lượt phát đang dùng nó (trừ khi đang phát khẩn cấp)',
  ],
  ['media id, unique start of the id, or exact name', 'mã tệp âm thanh, phần đầu duy nhất của mã, hoặc đúng tên'],
  ['play media on clusters and follow what happened', 'phát âm thanh trên các cụm loa và theo dõi kết quả'],
  ['play a media item on some clusters or all of them', 'phát một tệp âm thanh trên một số cụm loa hoặc tất cả'],
  [
    'comma-separated cluster ids, zones of the schedule in force or villages (e.g. na-long-1,na-long or "Bản Nà Lóng")',
    'mã cụm loa, vùng của lịch phát đang dùng hoặc thôn/bản, cách nhau bằng dấu phẩy (ví dụ na-long-1,na-long hoặc "Bản Nà Lóng")',
  ],
  ['the same as --clusters: zones, villages or cluster ids', 'giống --clusters: vùng, thôn/bản hoặc mã cụm loa'],
  ['every cluster', 'tất cả các cụm loa'],
  [
    'start time: HH:MM (next one), YYYY-MM-DD HH:MM, or ISO; default now',
    'giờ bắt đầu: HH:MM (lần tới), YYYY-MM-DD HH:MM, hoặc giờ ISO; mặc định là ngay bây giờ',
  ],
  ['volume 0–100 for this broadcast', 'âm lượng 0–100 cho lượt phát này'],
  [
    'replace what plays by hand on these clusters now, instead of waiting for it to end',
    'thay ngay nội dung đang phát thủ công trên các cụm loa này, thay vì chờ nó phát xong',
  ],
  [
    'stop a broadcast, what plays on some clusters, or (with nothing named) everything',
    'dừng một lượt phát, nội dung đang phát trên một số cụm loa, hoặc (không nêu gì) tất cả',
  ],
  ['broadcast id', 'mã lượt phát'],
  [
    "relay a station's stream (or a library file, as live) through the hub to clusters; or list or stop relays",
    'tiếp sóng một đài (hoặc một tệp trong thư viện, như phát trực tiếp) qua trạm trung tâm tới các cụm loa; hoặc liệt kê, dừng các lượt tiếp sóng',
  ],
  ['a library media item played as live instead of a URL', 'một tệp trong thư viện phát như trực tiếp thay cho một địa chỉ URL'],
  [
    'end time: HH:MM (next one), YYYY-MM-DD HH:MM, or ISO; default until stopped',
    'giờ kết thúc: HH:MM (lần tới), YYYY-MM-DD HH:MM, hoặc giờ ISO; mặc định là đến khi dừng',
  ],
  ['stop this relay', 'dừng lượt tiếp sóng này'],
  ['the relays with their state, listeners and gaps', 'các lượt tiếp sóng với trạng thái, số người nghe và khoảng mất sóng'],
  ['the stream address: Icecast/HTTP MP3 or AAC, or HLS (.m3u8)', 'địa chỉ luồng phát: Icecast/HTTP MP3 hoặc AAC, hoặc HLS (.m3u8)'],
  ['recent broadcasts, newest first', 'các lượt phát gần đây, mới nhất trước'],
  ['how many (1–1000)', 'bao nhiêu (1–1000)'],
  ['one broadcast with the outcome on each cluster', 'một lượt phát với kết quả trên từng cụm loa'],
  [
    'the weekly programme: check and apply a schedule file, show it, plan a day',
    'chương trình hằng tuần: kiểm tra và áp dụng tệp lịch phát, xem lịch, lên kế hoạch một ngày',
  ],
  [
    'check a schedule file; every problem with file:line:column (exit 1 on errors)',
    'kiểm tra một tệp lịch phát; mọi lỗi kèm tệp:dòng:cột (mã thoát 1 nếu có lỗi)',
  ],
  ['schedule file (YAML, see docs/schedules.md)', 'tệp lịch phát (YAML, xem docs/schedules.md)'],
  [
    'put a schedule file in force as a new version (refused whole if it has errors)',
    'đưa một tệp lịch phát vào sử dụng thành phiên bản mới (từ chối cả tệp nếu có lỗi)',
  ],
  ['only show what would change; apply nothing', 'chỉ cho xem những gì sẽ thay đổi; không áp dụng gì'],
  ['schedule file (YAML)', 'tệp lịch phát (YAML)'],
  ['the schedule in force: version, who applied it and when, its programmes', 'lịch phát đang dùng: phiên bản, ai áp dụng và khi nào, các chương trình'],
  ['list every version applied, newest first', 'liệt kê mọi phiên bản đã áp dụng, mới nhất trước'],
  ['print the stored file exactly as it was applied', 'in đúng tệp đã lưu như khi được áp dụng'],
  ["one day's timeline per cluster, from the schedule in force", 'dòng thời gian một ngày của từng cụm loa, theo lịch phát đang dùng'],
  ["the day, YYYY-MM-DD (default: today in the hub's time zone)", 'ngày, YYYY-MM-DD (mặc định: hôm nay theo múi giờ của trạm trung tâm)'],
  ['only this cluster', 'chỉ cụm loa này'],
  [
    'every item on every cluster (default: the rounds of a repeating programme in one row, clusters with the same day together)',
    'mọi mục trên mọi cụm loa (mặc định: các lượt lặp của một chương trình gộp một dòng, các cụm loa có cùng lịch trong ngày gộp chung)',
  ],
  ['khẩn cấp: an announcement on air at once, over everything, until stopped', 'khẩn cấp: một thông báo phát ngay, trên mọi nội dung khác, đến khi dừng'],
  ['start an emergency broadcast now on some zones or on all clusters', 'bắt đầu phát khẩn cấp ngay trên một số vùng hoặc trên mọi cụm loa'],
  [
    'comma-separated zones of the schedule in force, villages or cluster ids',
    'các vùng của lịch phát đang dùng, thôn/bản hoặc mã cụm loa, cách nhau bằng dấu phẩy',
  ],
  ['the same as --zones', 'giống --zones'],
  ['loop the media until `loa emergency stop`', 'phát lặp lại tệp âm thanh đến khi có `loa emergency stop`'],
  ['volume 0–100 for the emergency', 'âm lượng 0–100 khi phát khẩn cấp'],
  [
    'stop the emergency (or, without --id, every one on air); the schedule resumes',
    'dừng phát khẩn cấp (hoặc, không có --id, mọi lượt đang phát); lịch phát tiếp tục',
  ],
  ['emergency id (from `loa emergency status`)', 'mã lượt phát khẩn cấp (từ `loa emergency status`)'],
  ['the emergencies on air now', 'các lượt phát khẩn cấp đang phát'],
  [
    'put an announcement on air now: text read out (text-to-speech) or an audio file; priority live, or --emergency',
    'phát ngay một thông báo: văn bản được đọc (chuyển văn bản thành giọng nói) hoặc một tệp âm thanh; mức trực tiếp, hoặc --emergency',
  ],
  ['the words to read out (Vietnamese by default)', 'lời cần đọc (mặc định tiếng Việt)'],
  [
    'a local audio file to play (any format ffmpeg reads); shows upload progress on stderr',
    'một tệp âm thanh trên máy này để phát (mọi định dạng ffmpeg đọc được); tiến độ tải lên hiện trên stderr',
  ],
  [
    'speak live through the microphone (ALSA, captured by ffmpeg here); Ctrl-C ends it',
    'nói trực tiếp qua micrô (ALSA, ffmpeg thu tại máy này); Ctrl-C để kết thúc',
  ],
  ['ALSA capture device for --mic, e.g. hw:1,0 (default: default)', 'thiết bị thu ALSA cho --mic, ví dụ hw:1,0 (mặc định: default)'],
  [
    'with --file: play the file as a live stream from this machine, in real time, instead of importing it',
    'với --file: phát tệp như luồng trực tiếp từ máy này, theo thời gian thực, thay vì nhập vào thư viện',
  ],
  ['with --mic or --live: end after this many seconds', 'với --mic hoặc --live: kết thúc sau bấy nhiêu giây'],
  [
    'voice of the text-to-speech provider (default: the hub config, vi)',
    'giọng đọc của dịch vụ chuyển văn bản thành giọng nói (mặc định: theo cấu hình trạm, vi)',
  ],
  ['a short chime before and after', 'một tiếng chuông ngắn trước và sau'],
  [
    'start it as an emergency: over everything (an imported one until `loa emergency stop`; a live one while you speak)',
    'phát như khẩn cấp: trên mọi nội dung khác (tệp đã nhập thì đến khi có `loa emergency stop`; phát trực tiếp thì trong khi bạn nói)',
  ],
  [
    "per-cluster broadcast outcomes (dates in the hub's time zone, see --tz)",
    'kết quả phát trên từng cụm loa (ngày theo múi giờ của trạm trung tâm, xem --tz)',
  ],
  ['first day (YYYY-MM-DD) or time (ISO), inclusive', 'ngày đầu (YYYY-MM-DD) hoặc thời điểm (ISO), tính cả ngày đó'],
  ['last day (YYYY-MM-DD, the whole day) or time (ISO), inclusive', 'ngày cuối (YYYY-MM-DD, cả ngày) hoặc thời điểm (ISO), tính cả ngày đó'],
  ['CSV for a spreadsheet (RFC 4180, times in ISO 8601)', 'CSV cho bảng tính (RFC 4180, giờ theo ISO 8601)'],
  [
    'monthly broadcast report per cluster and in total (for the district office)',
    'báo cáo phát thanh hằng tháng theo từng cụm loa và tổng (gửi phòng văn hoá huyện)',
  ],
  ["YYYY-MM (default: this month in the hub's time zone)", 'YYYY-MM (mặc định: tháng này theo múi giờ của trạm trung tâm)'],
  ['CSV for a spreadsheet (RFC 4180, English column names)', 'CSV cho bảng tính (RFC 4180, tên cột tiếng Anh)'],
  ['clusters online/offline, what they play, their last health', 'cụm loa trực tuyến/ngoại tuyến, đang phát gì, tình trạng gần nhất'],
  [
    'open alarms: clusters offline too long, too hot, throttled, items that failed to play, caches too small',
    'cảnh báo đang mở: cụm loa mất kết nối quá lâu, quá nóng, bị hạ xung, nội dung không phát được, bộ nhớ đệm không đủ',
  ],
  ['cleared alarms too, newest first', 'cả các cảnh báo đã đóng, mới nhất trước'],
  ['how many (1–1000, default 100)', 'bao nhiêu (1–1000, mặc định 100)'],
  ['ONVIF cameras for the police post: add, list, show, snapshot, discover, remove', 'camera ONVIF cho công an xã: thêm, liệt kê, xem, chụp ảnh, dò tìm, xoá'],
  [
    'register a camera (the hub checks it at once; its password is never shown again)',
    'đăng ký một camera (trạm kiểm tra ngay; mật khẩu không bao giờ hiện lại)',
  ],
  ['camera address (IP or host name)', 'địa chỉ camera (IP hoặc tên máy)'],
  ['ONVIF HTTP port (default 80)', 'cổng HTTP ONVIF (mặc định 80)'],
  ['device service path (default /onvif/device_service)', 'đường dẫn dịch vụ thiết bị (mặc định /onvif/device_service)'],
  ['camera user name', 'tên đăng nhập camera'],
  ['camera password (visible in shell history: prefer --password-stdin)', 'mật khẩu camera (lưu lại trong lịch sử lệnh: nên dùng --password-stdin)'],
  ['read the password from standard input', 'đọc mật khẩu từ đầu vào chuẩn'],
  ['village (thôn/bản) where it is', 'thôn/bản đặt camera'],
  ['replace a camera of the same id (e.g. a new password)', 'thay camera cùng mã (ví dụ khi đổi mật khẩu)'],
  ['camera id, e.g. cam-cong-cho', 'mã camera, ví dụ cam-cong-cho'],
  ['list cameras: status, reason, last seen, clock skew', 'danh sách camera: trạng thái, lý do, lần thấy cuối, lệch giờ'],
  ['show one camera: device, profiles, stream address, open alarms', 'xem một camera: thiết bị, các cấu hình hình ảnh, địa chỉ luồng, cảnh báo đang mở'],
  ['camera id', 'mã camera'],
  ['remove a camera (asks nothing)', 'xoá một camera (không hỏi lại)'],
  ['save a fresh picture from a camera as a JPEG file', 'lưu một ảnh mới từ camera thành tệp JPEG'],
  ['where to write it (default ID-<date>T<time>.jpg here)', 'nơi ghi tệp (mặc định ID-<ngày>T<giờ>.jpg tại đây)'],
  [
    'find ONVIF cameras on the network (WS-Discovery) and offer to add the new ones',
    'tìm camera ONVIF trên mạng (WS-Discovery) và đề nghị thêm các camera mới',
  ],
  [
    'also probe these addresses, e.g. 192.168.1.10-192.168.1.60 or 10.0.0.0/28 (repeatable)',
    'dò thêm các địa chỉ này, ví dụ 192.168.1.10-192.168.1.60 hoặc 10.0.0.0/28 (có thể lặp lại)',
  ],
  ['how long to listen for answers (default 3)', 'thời gian chờ trả lời (mặc định 3)'],
  ['only probe the --range addresses', 'chỉ dò các địa chỉ --range'],
  ['UDP port to probe (default 3702)', 'cổng UDP để dò (mặc định 3702)'],
  [
    'add the new cameras (ids from their names), with --user and --password-stdin/--password',
    'thêm các camera mới (mã theo tên của chúng), với --user và --password-stdin/--password',
  ],
  ['user name of the cameras to add', 'tên đăng nhập của các camera sẽ thêm'],
  ['their password (visible in shell history: prefer --password-stdin)', 'mật khẩu của chúng (lưu lại trong lịch sử lệnh: nên dùng --password-stdin)'],
  ['read their password from standard input', 'đọc mật khẩu của chúng từ đầu vào chuẩn'],
  ['API tokens with roles', 'mã truy cập API theo vai trò'],
  ['list tokens', 'danh sách mã truy cập'],
  ['create a token and print it (shown only once)', 'tạo một mã truy cập và in ra (chỉ hiện một lần)'],
  ['what it may do', 'được phép làm gì'],
  ['who or what uses it', 'ai hoặc cái gì dùng nó'],
  ['revoke a token', 'thu hồi một mã truy cập'],
  ['token id', 'mã của mã truy cập'],
  ['the external MQTT broker (broker.mode: external)', 'máy chủ MQTT bên ngoài (broker.mode: external)'],
  ["rewrite Mosquitto's password and ACL files from the clusters and reload it", 'ghi lại tệp mật khẩu và ACL của Mosquitto từ danh sách cụm loa rồi nạp lại'],
  [
    'what is on air, then the most recent broadcasts, newest first (--status scheduled: those to come)',
    'những gì đang phát, rồi các lượt phát gần đây nhất, mới nhất trước (--status scheduled: các lượt sắp tới)',
  ],
  ['how many (1–1000, default 50)', 'bao nhiêu (1–1000, mặc định 50)'],
  [
    'scheduled, running, done, stopped or all, comma-separated (default running,done,stopped)',
    'scheduled, running, done, stopped hoặc all, cách nhau bằng dấu phẩy (mặc định running,done,stopped)',
  ],
  [
    "started at or after: a day (YYYY-MM-DD) or a time (2026-11-23T05:00), in the hub's time zone",
    'bắt đầu từ: một ngày (YYYY-MM-DD) hoặc một thời điểm (2026-11-23T05:00), theo múi giờ của trạm trung tâm',
  ],
  [
    'only broadcasts to these clusters: ids, zones or villages, comma-separated',
    'chỉ các lượt phát tới những cụm loa này: mã cụm, vùng hoặc thôn/bản, cách nhau bằng dấu phẩy',
  ],
  ['ad-hoc, schedule or emergency, comma-separated', 'ad-hoc (thủ công), schedule (theo lịch) hoặc emergency (khẩn cấp), cách nhau bằng dấu phẩy'],
]);

/** Puts the whole command tree's help into Vietnamese. */
export function helpInVietnamese(program: Command): void {
  translateHelp(program, HELP_VI);
}

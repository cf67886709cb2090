// Operator-facing text of `loa alarms` and the alarms section of `loa status`, in English and
// Vietnamese. Spread into the one catalogue of i18n.ts (kept apart only for length); `alarmsVi`
// has the type of `alarmsEn`, so a key missing in either language does not compile.

export const alarmsEn = {
  hAlarmSubject: 'Subject',
  hAlarmKind: 'Alarm',
  hAlarmSeverity: 'Severity',
  hAlarmSince: 'Since',
  hAlarmDetail: 'Detail',
  hAlarmCleared: 'Cleared',
  /** Kinds the hub raises; an unknown one (a newer hub) is shown as the hub names it. */
  alarmKind: {
    'cluster-offline': 'offline too long',
    temperature: 'too hot',
    throttled: 'throttled (power)',
    'play-failed': 'item failed to play',
    'cache-insufficient': 'cache cannot hold the plan',
    'camera-offline': 'camera offline',
    'camera-unauthorised': 'camera refuses the password',
    'camera-motion': 'motion',
    motion: 'motion',
  } as Record<string, string>,
  alarmSeverity: { warning: 'warning', critical: 'CRITICAL' } as Record<string, string>,
  /** Subjects other than clusters are named with their type. */
  alarmSubject: { cluster: 'cluster', camera: 'camera' } as Record<string, string>,
  alarmStillOpen: 'still open',
  noOpenAlarms: 'No open alarms.',
  noAlarms: 'No alarms recorded.',
  openAlarmsTitle: (n: number) => `Open alarms: ${n}`,
  alarmsSummary: (open: number, shown: number) => `${open} open of ${shown} shown`,
};

export const alarmsVi: typeof alarmsEn = {
  hAlarmSubject: 'Đối tượng',
  hAlarmKind: 'Cảnh báo',
  hAlarmSeverity: 'Mức độ',
  hAlarmSince: 'Từ lúc',
  hAlarmDetail: 'Chi tiết',
  hAlarmCleared: 'Hết lúc',
  alarmKind: {
    'cluster-offline': 'mất kết nối quá lâu',
    temperature: 'quá nóng',
    throttled: 'bị hạ xung (nguồn điện)',
    'play-failed': 'không phát được bài',
    'cache-insufficient': 'bộ nhớ đệm không đủ cho lịch',
    'camera-offline': 'camera mất kết nối',
    'camera-unauthorised': 'camera từ chối mật khẩu',
    'camera-motion': 'có chuyển động',
    motion: 'có chuyển động',
  },
  alarmSeverity: { warning: 'cảnh báo', critical: 'NGHIÊM TRỌNG' },
  alarmSubject: { cluster: 'cụm loa', camera: 'camera' },
  alarmStillOpen: 'chưa hết',
  noOpenAlarms: 'Không có cảnh báo nào đang mở.',
  noAlarms: 'Chưa có cảnh báo nào.',
  openAlarmsTitle: (n) => `Cảnh báo đang mở: ${n}`,
  alarmsSummary: (open, shown) => `${open} đang mở trong ${shown} cảnh báo`,
};

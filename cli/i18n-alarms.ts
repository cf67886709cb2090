// Operator-facing text of `loa alarms` and the alarms section of `loa status`, in English and
// Vietnamese. Spread into the one catalogue of i18n.ts (kept apart only for length); `alarmsVi`
// has the type of `alarmsEn`, so a key missing in either language does not compile. Alarm kinds,
// subjects and details are worded by the catalogue the monitor page shares, common/i18n/reasons.ts.

export const alarmsEn = {
  hAlarmSubject: 'Subject',
  hAlarmKind: 'Alarm',
  hAlarmSeverity: 'Severity',
  hAlarmSince: 'Since',
  hAlarmDetail: 'Detail',
  hAlarmCleared: 'Cleared',
  alarmSeverity: { warning: 'warning', critical: 'CRITICAL' } as Record<string, string>,
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
  alarmSeverity: { warning: 'cảnh báo', critical: 'NGHIÊM TRỌNG' },
  alarmStillOpen: 'chưa hết',
  noOpenAlarms: 'Không có cảnh báo nào đang mở.',
  noAlarms: 'Chưa có cảnh báo nào.',
  openAlarmsTitle: (n) => `Cảnh báo đang mở: ${n}`,
  alarmsSummary: (open, shown) => `${open} đang mở trong ${shown} cảnh báo`,
};

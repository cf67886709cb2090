// The hub's alarm answers as the CLI reads them (docs/api.md, "Alarms").

export interface ApiAlarm {
  id: number;
  kind: string;
  severity: 'warning' | 'critical';
  subjectType: string;
  subjectId: string;
  detail: string;
  raisedAt: number;
  clearedAt: number | null;
  clearDetail: string | null;
}

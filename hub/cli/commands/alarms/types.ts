// The hub's alarm answers as the CLI reads them (docs/api.md, "Alarms").

export interface ApiAlarm {
  id: number;
  kind: string;
  severity: 'warning' | 'critical';
  subjectType: string;
  subjectId: string;
  /** English; with detailCode (null on alarms stored by older hubs) the CLI words it itself. */
  detail: string;
  detailCode?: string | null;
  detailParams?: Record<string, string | number>;
  /** Operators only: the broadcast, what the box said. */
  detailExtra?: string | null;
  raisedAt: number;
  clearedAt: number | null;
  clearDetail: string | null;
  clearCode?: string | null;
  clearParams?: Record<string, string | number>;
  clearExtra?: string | null;
}

// The schedule as the runtime sees it: what a parsed, validated schedule file becomes, and the
// expanded timeline of one day. hub/schedule/format.ts, validate.ts and expand.ts produce these;
// the scheduler (hub/scheduler/) and `loa schedule plan` consume them.

/**
 * Priority levels after Thông tư 39/2020/TT-BTTTT: khẩn cấp (emergency), ưu tiên (priority),
 * thông thường (normal); a live announcement ranks just below emergency, background filler
 * below normal. A higher rank preempts a lower one on the clusters both cover.
 */
export const PRIORITIES = ['filler', 'normal', 'priority', 'live', 'emergency'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const priorityRank = (p: Priority): number => PRIORITIES.indexOf(p);
/** A priority as stored (a broadcast row's text): an unknown one counts as ưu tiên (`priority`),
 *  what a broadcast by hand ranks. */
export const asPriority = (p: string): Priority => ((PRIORITIES as readonly string[]).includes(p) ? (p as Priority) : 'priority');

/** Wall-clock time of day in the site's time zone, as minutes and seconds past midnight. */
export interface TimeOfDay {
  /** Seconds after local midnight, 0 ≤ s < 86400. */
  seconds: number;
  /** As written, "05:00" or "05:00:30". */
  text: string;
}

/** Where something stands in the schedule file, for messages (1-based). */
export interface SourcePos {
  line: number;
  col: number;
}

export type ScheduleItem =
  | { kind: 'media'; media: string; pos: SourcePos }
  | { kind: 'silence'; durationMs: number; pos: SourcePos }
  /** Relay a station's stream through the hub's live service for `durationMs` (docs/live.md). */
  | { kind: 'relay'; url: string; durationMs: number; pos: SourcePos }
  /** Text read out: synthesised into a library media before validation (ScheduleContext.speech),
   *  so it plays like a media item; `voice` null = the hub's default voice. */
  | { kind: 'tts'; text: string; voice: string | null; mediaId: string; durationMs: number; pos: SourcePos };

export interface DaySelector {
  /** 0 = Sunday … 6 = Saturday (as Date.getUTCDay of the local date); empty = none by weekday. */
  weekdays: number[];
  /** Local dates "YYYY-MM-DD" and inclusive ranges. */
  dates: string[];
  ranges: { from: string; to: string }[];
  /** Dates (and ranges) on which it does not run, e.g. holidays; wins over everything else. */
  except: { from: string; to: string }[];
}

export interface Programme {
  id: string;
  name: string;
  /** One-off events have exactly one date and no weekdays. */
  oneOff: boolean;
  days: DaySelector;
  /** A fixed start, or a place in a slot: programmes "in slot S" run one after another, in file order. */
  when: { at: TimeOfDay } | { slot: string };
  /** Clusters after expanding zones (ids, sorted). */
  clusters: string[];
  priority: Priority;
  /** 0–100; absent = each cluster's own volume. */
  volume: number | null;
  /** Repeat the items until the slot (or `until`) ends. */
  repeat: boolean;
  /** End for a repeating programme with a fixed start: "until". */
  until: TimeOfDay | null;
  /** In play order: items marked `priority: priority` in the file come first (file order kept otherwise). */
  items: ScheduleItem[];
  pos: SourcePos;
}

export interface Slot {
  name: string;
  start: TimeOfDay;
  /** May be earlier than start: the slot then crosses midnight. */
  end: TimeOfDay;
}

export interface Schedule {
  site: string;
  timezone: string;
  zones: Record<string, string[]>;
  slots: Slot[];
  programmes: Programme[];
}

/** What the validator needs to know about the hub. */
export interface ScheduleContext {
  clusterIds: string[];
  /** Media by name (the library's `name`), with their length; id null: removed since the schedule
   *  was applied (the item keeps its time and plays nothing). */
  media: Map<string, { id: string | null; durationMs: number }>;
  /** Today's local date "YYYY-MM-DD" in the schedule's zone: checks start here, and dates before
   *  it count as past (warnings). Absent: checks start at the earliest date the file names. */
  today?: string;
  /** The hub's site id: a file for another site is refused. Absent: not checked. */
  site?: string;
  /** Language of problem messages; default English. */
  lang?: 'en' | 'vi';
  /** The library media a `tts:` text was made into, or why it could not be; undefined when it
   *  was not made (the hub synthesises every text of a file before validating it). */
  speech?: (text: string, voice: string | null) => SpeechResult | undefined;
}

export type SpeechResult = { id: string; durationMs: number } | { error: string };

export interface ScheduleProblem {
  severity: 'error' | 'warning';
  /** A stable code, e.g. SCHEDULE_UNKNOWN_CLUSTER. */
  code: string;
  file: string;
  line: number;
  col: number;
  message: string;
}

/** One item of one programme on one day, on one cluster: the unit of the broadcast log. */
export interface TimelineEntry {
  /** Stable across runs: `${programmeId}@${localDate}#${itemIndex}.${repeatRound}`. */
  key: string;
  programmeId: string;
  programmeName: string;
  clusterId: string;
  priority: Priority;
  /** Absolute times, ms since the epoch. */
  startAt: number;
  endAt: number;
  item: ScheduleItem;
  /** Resolved for media items. */
  mediaId: string | null;
  volume: number | null;
  /** The local date of the programme's day (a programme crossing midnight keeps its start date). */
  localDate: string;
}

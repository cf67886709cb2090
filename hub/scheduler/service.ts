// Schedules and emergencies as the operator sees them: validate and apply a schedule file (stored
// as a new version with who and when, in force at once), show it, expand a day's plan, and start
// or stop an emergency. The Scheduler does the playing.
import { randomBytes } from 'node:crypto';
import { isScalar, parseDocument, visit } from 'yaml';
import type { Clock } from '../../common/clock.js';
import { badRequest, LoaError, sentenceError } from '../../common/errors.js';
import { clusterErrors } from '../clusters/errors.js';
import { mediaErrors } from '../media/errors.js';
import type { Logger } from '../../common/logger.js';
import { epochToZoned } from '../schedule/calendar.js';
import { expandDay } from '../schedule/expand.js';
import type { Programme, Schedule, ScheduleContext, ScheduleItem, ScheduleProblem, SpeechResult, TimelineEntry } from '../schedule/model.js';
import { validateSchedule } from '../schedule/validate.js';
import { resolveTargets } from '../clusters/targets.js';
import type { EmergencyRow, MediaRow, Store } from '../store/index.js';
import type { EventBus } from '../events.js';

export interface ApplyResult {
  version: number | null;
  dryRun: boolean;
  problems: ScheduleProblem[];
  changes: { added: string[]; removed: string[]; changed: string[]; unchanged: string[] };
}

/** Makes and finds the speech of `tts:` items (the announce service: hub/announce/service.ts). */
export interface SpeechSource {
  speechMedia(text: string, voice?: string): Promise<MediaRow>;
  cachedSpeech(text: string, voice?: string): MediaRow | undefined;
}

/** Speech made for one file's `tts:` items, by speechKey. */
export type PreparedSpeech = ReadonlyMap<string, SpeechResult>;
const speechKey = (text: string, voice: string | null): string => `${voice ?? ''}\u0000${text}`;

export class ScheduleService {
  private cached: { signature: string; schedule: Schedule | null } | null = null;
  private readonly speechSource: SpeechSource | null;

  constructor(
    /** `site`: the hub config's, if it names one. */
    /** `bus`: the scheduler hears there when the schedule in force or the emergencies change. */
    /** `speech`: makes `tts:` items into speech (the announce service); without it they fail validation. */
    private readonly deps: {
      store: Store;
      bus: EventBus;
      clock: Clock;
      logger: Logger;
      timezone: string;
      site?: string | undefined;
      speech?: SpeechSource | undefined;
    },
  ) {
    this.speechSource = deps.speech ?? null;
  }

  /** The hub's site: its config's `site`, else the site of the schedule in force (so the first
   *  file applied sets it); undefined while neither says (any site's file is then taken). */
  site(): string | undefined {
    if (this.deps.site) return this.deps.site;
    const current = this.deps.store.schedules.current();
    const site: unknown = current ? parseDocument(current.text).get('site') : undefined;
    return typeof site === 'string' ? site : undefined;
  }

  /**
   * Makes the speech of every distinct `tts:` text (with its `voice:`) of a schedule file, before
   * it is validated: the item's length is needed to plan its slot. Each is made once (the announce
   * service caches by provider+voice+text), so validating or applying the same file again costs
   * nothing. A failure is kept and becomes the item's SCHEDULE_TTS_FAILED problem.
   */
  async prepareSpeech(text: string): Promise<PreparedSpeech> {
    const out = new Map<string, SpeechResult>();
    const doc = parseDocument(text);
    if (doc.errors.length > 0) return out; // validation reports the YAML problem
    const wanted: { text: string; voice: string | null }[] = [];
    visit(doc, {
      Map(_, node) {
        const t = node.get('tts', true);
        if (!isScalar(t) || (typeof t.value !== 'string' && typeof t.value !== 'number')) return;
        const v = node.get('voice', true);
        const voice = isScalar(v) && (typeof v.value === 'string' || typeof v.value === 'number') ? String(v.value) : null;
        wanted.push({ text: String(t.value), voice });
      },
    });
    for (const w of wanted) {
      const key = speechKey(w.text, w.voice);
      if (out.has(key)) continue;
      if (!this.speechSource) {
        out.set(key, { error: 'this hub has no text-to-speech.' });
        continue;
      }
      try {
        const m = await this.speechSource.speechMedia(w.text, w.voice ?? undefined);
        out.set(key, { id: m.id, durationMs: m.durationMs });
      } catch (err) {
        out.set(key, { error: err instanceof Error ? err.message : String(err) });
      }
    }
    return out;
  }

  /** What a schedule is checked against: the hub's clusters, its media library by name and the
   *  speech made for `tts:` items (`prepared` for a new file, else what was made before). */
  context(opts: { includeRemovedMedia?: boolean; prepared?: PreparedSpeech } = {}): ScheduleContext {
    const { store, clock } = this.deps;
    const media = new Map<string, { id: string | null; durationMs: number }>();
    for (const m of store.media.list()) media.set(m.name, { id: m.id, durationMs: m.durationMs });
    // A name whose media was removed is known (the schedule in force still validates) but never
    // resolves: its items keep their time and play nothing.
    if (opts.includeRemovedMedia)
      for (const m of store.media.all()) if (m.removedAt && !media.get(m.name)?.id) media.set(m.name, { id: null, durationMs: m.durationMs });
    const speech = (text: string, voice: string | null): SpeechResult | undefined => {
      const made = opts.prepared?.get(speechKey(text, voice));
      if (made) return made;
      const m = this.speechSource?.cachedSpeech(text, voice ?? undefined);
      return m ? { id: m.id, durationMs: m.durationMs } : undefined;
    };
    return { clusterIds: store.clusters.list().map((c) => c.id), media, today: epochToZoned(this.deps.timezone, clock.now()).date, speech };
  }

  /**
   * The schedule in force, for the scheduler. Media removed since it was applied (`loa media
   * remove --force`) does not silence the whole schedule: its items play nothing, in their place.
   */
  load(): { schedule: Schedule | null; ctx: ScheduleContext } {
    const ctx = this.context({ includeRemovedMedia: true });
    const current = this.deps.store.schedules.current();
    if (!current) return { schedule: null, ctx };
    // Validation takes tens of ms: reuse it while the version, the clusters and the media are the same.
    const signature = JSON.stringify([current.version, ctx.today, ctx.clusterIds, [...ctx.media.entries()]]);
    if (this.cached?.signature === signature) return { schedule: this.cached.schedule, ctx };
    const { schedule, problems } = validateSchedule(current.text, current.file, ctx);
    const errors = problems.filter((p) => p.severity === 'error');
    if (errors.length > 0) {
      this.deps.logger.error(
        { version: current.version, errors: errors.slice(0, 5) },
        'the schedule in force no longer validates; nothing scheduled plays until a corrected file is applied',
      );
    }
    this.cached = { signature, schedule };
    return { schedule, ctx };
  }

  /** `prepared`: from prepareSpeech (the HTTP routes always pass it); without it `tts:` items
   *  resolve only to speech made before. */
  validate(text: string, file: string, lang?: 'vi' | 'en', prepared?: PreparedSpeech): { problems: ScheduleProblem[]; schedule: Schedule | null } {
    // Only a new file is checked against the site: the one in force plays on (load) even when the
    // config has just moved the hub to another site.
    const site = this.site();
    return validateSchedule(text, file, { ...this.context(prepared ? { prepared } : {}), ...(lang ? { lang } : {}), ...(site ? { site } : {}) });
  }

  apply(text: string, file: string, by: string, dryRun: boolean, lang?: 'vi' | 'en', prepared?: PreparedSpeech): ApplyResult {
    const { schedule, problems } = this.validate(text, file, lang, prepared);
    const errors = problems.filter((p) => p.severity === 'error');
    if (errors.length > 0 || !schedule) {
      throw new LoaError(
        'LOA_SCHEDULE_INVALID',
        `${file} has ${errors.length} error(s); nothing was applied. First: ` +
          `${errors[0] ? `${errors[0].file}:${errors[0].line}:${errors[0].col}: ${errors[0].message}` : 'unknown'}`,
        {
          status: 422,
          details: problems,
        },
      );
    }
    const before = this.load().schedule;
    const changes = diffProgrammes(before?.programmes ?? [], schedule.programmes);
    if (dryRun) return { version: null, dryRun, problems, changes };
    if (this.site() === undefined) this.deps.logger.info({ site: schedule.site, file }, "the first schedule applied sets this hub's site");
    const v = this.deps.store.schedules.addVersion({ file, text, appliedBy: by, appliedAt: this.deps.clock.now() });
    this.deps.logger.info({ version: v.version, file, by, ...Object.fromEntries(Object.entries(changes).map(([k, l]) => [k, l.length])) }, 'schedule applied');
    this.deps.bus.emit('scheduleInForceChanged', {});
    return { version: v.version, dryRun, problems, changes };
  }

  current() {
    const v = this.deps.store.schedules.current();
    if (!v) throw sentenceError('LOA_NO_SCHEDULE', 'schedule.none', {}, { status: 404 });
    const { schedule } = this.load();
    return { ...v, site: this.site() ?? null, timezone: schedule?.timezone ?? this.deps.timezone, programmes: (schedule?.programmes ?? []).map(summary) };
  }

  versions() {
    return this.deps.store.schedules.versions();
  }

  /** Programmes of the schedule in force that play this media: by name, or as a `tts:` item's
   *  speech. One-off events already past do not count. */
  programmesUsing(media: { id: string; name: string }): { id: string; name: string }[] {
    const { schedule, ctx } = this.load();
    if (!schedule) return [];
    const plays = (i: ScheduleItem): boolean => (i.kind === 'media' && i.media === media.name) || (i.kind === 'tts' && i.mediaId === media.id);
    return schedule.programmes
      .filter((p) => !(p.oneOff && ctx.today !== undefined && p.days.dates.every((d) => d < ctx.today!)) && p.items.some(plays))
      .map((p) => ({ id: p.id, name: p.name }));
  }

  /** A day's expanded timeline, per cluster, from the schedule in force. */
  plan(localDate: string, clusterId?: string): { date: string; timezone: string; entries: TimelineEntry[] } {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(localDate)) throw badRequest(`"${localDate}" is not a date; use YYYY-MM-DD.`);
    const { schedule, ctx } = this.load();
    if (!schedule) return { date: localDate, timezone: this.deps.timezone, entries: [] };
    const entries = expandDay(schedule, ctx, localDate).filter((e) => !clusterId || e.clusterId === clusterId);
    return { date: localDate, timezone: schedule.timezone, entries };
  }

  /** The clusters that names from an operator mean: cluster ids, zones of the schedule in force,
   *  villages, `all` (hub/clusters/targets.ts); what every route that chooses clusters calls. */
  resolveTargets(names: readonly string[]): string[] {
    return resolveTargets(names, { clusters: this.deps.store.clusters.list(), zones: this.load().schedule?.zones ?? {} });
  }

  /** `zones`: the names the operator gave (kept on the record); `clusterIds` when they are resolved already. */
  startEmergency(req: { zones: string[]; clusterIds?: string[]; mediaId: string; repeat: boolean; volume: number | null; by: string }): EmergencyRow {
    const { store, clock } = this.deps;
    const media = store.media.get(req.mediaId);
    if (!media || media.removedAt) throw mediaErrors.notFound(req.mediaId);
    const clusters = [...(req.clusterIds ?? this.resolveTargets(req.zones))].sort();
    if (clusters.length === 0) throw clusterErrors.zonesEmpty();
    const e = store.schedules.startEmergency({
      id: `e-${randomBytes(5).toString('hex')}`,
      mediaId: media.id,
      clusters,
      zones: req.zones,
      repeat: req.repeat,
      volume: req.volume,
      startedAt: clock.now(),
      startedBy: req.by,
    });
    this.deps.logger.warn({ emergencyId: e.id, clusters: clusters.length, media: media.name, by: req.by, repeat: req.repeat }, 'EMERGENCY started');
    this.deps.bus.emit('emergenciesChanged', {});
    return e;
  }

  stopEmergency(by: string, id?: string): EmergencyRow[] {
    const stopped = this.deps.store.schedules.stopEmergencies(this.deps.clock.now(), by, id);
    if (stopped.length > 0) this.deps.logger.warn({ emergencies: stopped.map((e) => e.id), by }, 'EMERGENCY stopped');
    this.deps.bus.emit('emergenciesChanged', {});
    return stopped;
  }
}

function summary(p: Programme) {
  return {
    id: p.id,
    name: p.name,
    oneOff: p.oneOff,
    priority: p.priority,
    clusters: p.clusters.length,
    items: p.items.length,
    when: 'at' in p.when ? p.when.at.text : `slot ${p.when.slot}`,
  };
}

function comparable(p: Programme): string {
  return JSON.stringify(p, (k, v: unknown) => (k === 'pos' ? undefined : v));
}

function diffProgrammes(before: Programme[], after: Programme[]): ApplyResult['changes'] {
  const old = new Map(before.map((p) => [p.id, comparable(p)]));
  const next = new Map(after.map((p) => [p.id, comparable(p)]));
  return {
    added: [...next.keys()].filter((id) => !old.has(id)),
    removed: [...old.keys()].filter((id) => !next.has(id)),
    changed: [...next.keys()].filter((id) => old.has(id) && old.get(id) !== next.get(id)),
    unchanged: [...next.keys()].filter((id) => old.get(id) === next.get(id)),
  };
}

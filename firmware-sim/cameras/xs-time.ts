// XML Schema time values as ONVIF event requests carry them: xs:duration (PT60S, PT1M30.5S, P1D)
// for relative termination times and timeouts, xs:dateTime for absolute ones.

// Years and months have no fixed length; a camera only needs an order of magnitude for them.
const DURATION = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Milliseconds of a non-negative xs:duration, or null when the text is not one. */
export function parseDuration(text: string): number | null {
  const t = text.trim();
  const m = DURATION.exec(t);
  // "P" and "PT" alone match the pattern but are not valid durations.
  if (!m || t === 'P' || t.endsWith('T')) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v))) as number[];
  return Math.round(((((y! * 365 + mo! * 30 + d!) * 24 + h!) * 60 + mi!) * 60 + s!) * 1000);
}

/** Epoch ms of an xs:dateTime; one without a zone is taken as UTC (ONVIF devices keep UTC). */
export function parseDateTime(text: string): number | null {
  const t = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?$/.test(t)) return null;
  const ms = Date.parse(/(?:Z|[+-]\d{2}:\d{2})$/.test(t) ? t : `${t}Z`);
  return Number.isFinite(ms) ? ms : null;
}

export type TerminationTime = { kind: 'relative'; ms: number } | { kind: 'absolute'; at: number };

/** A WS-BaseNotification termination time: a duration from now, or an instant. */
export function parseTermination(text: string): TerminationTime | null {
  const rel = parseDuration(text);
  if (rel !== null) return { kind: 'relative', ms: rel };
  const at = parseDateTime(text);
  return at === null ? null : { kind: 'absolute', at };
}

/** xs:dateTime in UTC as ONVIF devices write it. */
export const isoTime = (ms: number) => new Date(ms).toISOString();

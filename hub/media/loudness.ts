// EBU R128 loudness: the filter that measures an input (pass 1, loudnorm with print_format=json),
// reading its report, and the filter chains that apply the correction.
//
// The correction is applied as a constant gain (`volume`) rather than by handing the measurements
// back to loudnorm with linear=true. Measured on the two ffmpegs we run (docs/media.md): the 2018
// static build applies no gain at all to items shorter than 3 s in linear mode; loudnorm silently
// switches to its dynamic mode whenever the measured LRA is 0 (steady tones, some text-to-speech)
// or the gain would exceed the true-peak ceiling; and that dynamic mode overshoots on short
// speech (−14.5 LUFS, +0.2 dBTP for a 2 s phrase aimed at −16 / −1.5). A constant gain is what
// linear mode means; doing it ourselves behaves the same everywhere.
//
// When the gain would push peaks over the ceiling (most speech: its peaks stand 15–20 dB above
// its loudness), a true-peak limiter follows the gain. Limiting lowers the loudness a little
// (0.7–2 LU measured), so such items get one more measuring pass through gain + limiter, and the
// shortfall is made up (at most MAX_MAKEUP_DB) before encoding.
import type { LoudnessTarget } from './settings.js';

export interface LoudnessMeasurement {
  /** Integrated loudness of the input, LUFS; -Infinity for digital silence. */
  inputI: number;
  /** True peak of the input, dBTP. */
  inputTp: number;
  inputLra: number;
  inputThresh: number;
}

export interface LoudnessPlan {
  /** Gain applied in pass 2, dB (0 when the input is silent). */
  gainDb: number;
  /** True when the gain would push peaks over the ceiling, so the limiter is in the chain. */
  limited: boolean;
  /** False for silence: there is nothing to measure, so nothing is changed. */
  normalised: boolean;
}

const num = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(2));

/** Downmix first in both passes, so what is measured is exactly what is encoded. */
const TO_MONO = 'aformat=channel_layouts=mono';
/** The encoder's input: Opus runs at 48 kHz; the explicit layout keeps old ffmpegs from guessing. */
const TO_OPUS_INPUT = 'aresample=48000,aformat=sample_rates=48000:channel_layouts=mono';

function loudnormReport(target: LoudnessTarget): string {
  return `loudnorm=I=${num(target.integratedLufs)}:TP=${num(target.truePeakDbtp)}:LRA=${num(target.lra)}:print_format=json`;
}

/** Pass 1: the input as it will be encoded (mono), measured. */
export function measureFilter(target: LoudnessTarget): string {
  return `${TO_MONO},${loudnormReport(target)}`;
}

function parseDb(v: unknown): number {
  if (typeof v !== 'string' && typeof v !== 'number') return Number.NaN;
  const s = String(v).trim();
  if (s === '-inf') return Number.NEGATIVE_INFINITY;
  if (s === 'inf') return Number.POSITIVE_INFINITY;
  return Number(s);
}

/** Reads loudnorm's JSON report from the last lines of ffmpeg's stderr; null if there is none. */
export function parseMeasurement(stderrLines: string[]): LoudnessMeasurement | null {
  const start = stderrLines.findLastIndex((l) => l.trim() === '{');
  if (start < 0) return null;
  const end = stderrLines.findIndex((l, i) => i > start && l.trim() === '}');
  if (end < 0) return null;
  let report: Record<string, unknown>;
  try {
    report = JSON.parse(stderrLines.slice(start, end + 1).join('\n')) as Record<string, unknown>;
  } catch {
    return null;
  }
  const m = {
    inputI: parseDb(report.input_i),
    inputTp: parseDb(report.input_tp),
    inputLra: parseDb(report.input_lra),
    inputThresh: parseDb(report.input_thresh),
  };
  return Number.isNaN(m.inputI) || Number.isNaN(m.inputTp) ? null : m;
}

/** Anything quieter than the R128 absolute gate (−70 LUFS) is silence: no gain is applied. */
const SILENCE_LUFS = -70;

export function planLoudness(m: LoudnessMeasurement, target: LoudnessTarget): LoudnessPlan {
  if (!Number.isFinite(m.inputI) || m.inputI <= SILENCE_LUFS) return { gainDb: 0, limited: false, normalised: false };
  const gainDb = Math.round((target.integratedLufs - m.inputI) * 100) / 100;
  const limited = Number.isFinite(m.inputTp) && m.inputTp + gainDb > target.truePeakDbtp;
  return { gainDb, limited, normalised: true };
}

/** Most extra gain added to make up for what the limiter took; more would only squash harder. */
export const MAX_MAKEUP_DB = 4;

function gainChain(plan: LoudnessPlan, target: LoudnessTarget): string[] {
  const parts = [TO_MONO];
  if (plan.normalised && plan.gainDb !== 0) parts.push(`volume=${num(plan.gainDb)}dB`);
  if (plan.limited) {
    // At 4× the sample rate, sample peaks are close to true peaks (as loudnorm does at 192 kHz);
    // level=false keeps alimiter from re-normalising its output to the ceiling. A 1 ms look-ahead
    // and 10 ms release shave peaks and let go at once: measured on speech, that costs 0.2–0.5 LU
    // less loudness than alimiter's 5/50 ms defaults, which the make-up gain then has to recover.
    const ceiling = Math.max(0.0625, 10 ** (target.truePeakDbtp / 20));
    parts.push('aresample=192000', `alimiter=limit=${ceiling.toFixed(4)}:attack=1:release=10:level=false`);
  }
  return parts;
}

/** The limited check pass: gain and limiter as planned, then measured again. */
export function checkFilter(plan: LoudnessPlan, target: LoudnessTarget): string {
  return [...gainChain(plan, target), loudnormReport(target)].join(',');
}

/** Adds back what the limiter took, from the check pass's measurement. */
export function makeUp(plan: LoudnessPlan, afterLimit: LoudnessMeasurement, target: LoudnessTarget): LoudnessPlan {
  if (!Number.isFinite(afterLimit.inputI)) return plan;
  const shortfall = Math.min(MAX_MAKEUP_DB, Math.max(0, target.integratedLufs - afterLimit.inputI));
  return { ...plan, gainDb: Math.round((plan.gainDb + shortfall) * 100) / 100 };
}

/** The encoding pass's audio filter chain for a plan. */
export function applyFilter(plan: LoudnessPlan, target: LoudnessTarget): string {
  return [...gainChain(plan, target), TO_OPUS_INPUT].join(',');
}

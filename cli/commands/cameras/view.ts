// How cameras read in tables: the list's rows, the fields of `show`, and the small formatters
// (status words, clock skew, address) both use.
import { cameraReasonText, kindWord, statusWord as said } from '../../../common/i18n/reasons.js';
import type { Camera } from '../../../hub/http/api.js';
import type { CommandContext } from '../../context.js';
import { ago, maybe, when } from '../../format.js';
import type { Block } from '../../output.js';

type View = Pick<CommandContext, 't' | 'tz' | 'clock'>;

/** Status words and reasons come from the catalogue the monitor page uses too (common/i18n). */
export function statusWord(status: string, ctx: Pick<CommandContext, 't'>): string {
  return said(ctx.t.lang, status);
}

/** Camera clock minus hub clock: "+95 s", "-0.4 s", "0 s". */
export function skew(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  const s = ms / 1000;
  const text = Math.abs(s) >= 10 ? String(Math.round(s)) : s.toFixed(1).replace(/\.0$/, '');
  return `${s > 0 ? '+' : ''}${text} s`;
}

export function address(c: { host: string; port: number }): string {
  return c.host.includes(':') ? `[${c.host}]:${c.port}` : `${c.host}:${c.port}`;
}

export function camerasTable(cameras: Camera[], ctx: View): Block {
  const { t } = ctx;
  const now = ctx.clock.now();
  return {
    kind: 'table',
    head: [t.hId, t.hName, t.hVillage, t.hStatus, t.hReason, t.hLastSeen, t.hSkew],
    rows: cameras.map((c) => [
      c.id,
      c.name,
      c.village ?? '',
      statusWord(c.status, ctx),
      cameraReasonText(t.lang, c),
      ago(c.lastSeenAt, now, t),
      skew(c.clockSkewMs),
    ]),
    empty: t.noCameras,
  };
}

export function cameraFields(c: Camera, hubUrl: string, ctx: View): Block {
  const { t, tz } = ctx;
  const now = ctx.clock.now();
  const d = c.device;
  const profiles = c.profiles.map((p) => `${p.name}${p.width && p.height ? ` ${p.width}×${p.height}` : ''}${p.encoding ? ` ${p.encoding}` : ''}`).join(', ');
  const rows: Array<[string, string]> = [
    [t.hId, c.id],
    [t.hName, c.name],
    [t.hVillage, c.village ?? t.none],
    [t.hAddress, `${address(c)}${c.path}`],
    [t.hSource, t.camSource[c.source] ?? c.source],
    [t.hStatus, statusWord(c.status, ctx)],
    [t.hReason, cameraReasonText(t.lang, c) || t.none],
    [t.hStatusSince, when(c.statusSince, tz, t)],
    [t.hLastSeen, c.lastSeenAt === null ? t.never : `${when(c.lastSeenAt, tz, t)} (${ago(c.lastSeenAt, now, t)})`],
    [t.hLastChecked, when(c.lastCheckedAt, tz, t)],
    [t.hSkew, skew(c.clockSkewMs)],
    [t.hLatency, maybe(c.latencyMs, t, (v) => `${Math.round(v)} ms`)],
    [t.hDevice, d ? `${d.manufacturer} ${d.model} (firmware ${d.firmwareVersion})` : t.none],
    [t.hSerial, d?.serialNumber || t.none],
    [t.hProfiles, profiles || t.none],
    [t.hStream, c.streamUri ?? t.none],
    [t.hSnapshotUrl, `${hubUrl}${c.snapshotUrl}`],
    [t.hOpenAlarms, c.openAlarms.length ? c.openAlarms.map((k) => kindWord(t.lang, k)).join(', ') : t.none],
  ];
  return { kind: 'fields', rows };
}

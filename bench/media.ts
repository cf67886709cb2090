// media: how fast the hub imports audio (times real time) and how large an hour of audio is in the
// delivery format (Ogg/Opus, docs/media.md), for the kinds of file an operator brings: a WAV of
// speech, an MP3 of music, and a long programme. Sources are generated here (espeak-ng speech,
// ffmpeg lavfi music) and sent through the hub's real import: HTTP POST /api/v1/media to a
// loa-hub process, which runs its two-pass loudness normalisation and the encode with ffmpeg.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateFfmpeg } from '../common/ffmpeg.js';
import { startHubProcess } from '../harness/hub-process.js';

export interface MediaOptions {
  /** Length of the long programme, in minutes. */
  longMinutes: number;
}

interface Source {
  kind: string;
  file: string;
  describe: string;
}

// A Vietnamese announcement of the kind the commune reads out (about 20 s of speech).
/** Length of the two short sources, seconds. */
const SHORT_S = 180;

const SPEECH =
  'Thông báo của Ủy ban nhân dân xã Tú Lệ. Từ ngày mai, các thôn bản tổ chức tiêm phòng cho gia súc, gia cầm. ' +
  'Đề nghị bà con đưa vật nuôi đến điểm tiêm của thôn từ bảy giờ sáng. Xin cảm ơn bà con đã lắng nghe.';

/** CPU seconds of a process and of the children it has waited for (ffmpeg runs as its child). */
function cpuWithChildren(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
}

function makeSources(dir: string, longMinutes: number, log: (s: string) => void): Source[] {
  const ff = locateFfmpeg().path;
  const run = (args: string[]) => execFileSync(ff, ['-v', 'error', '-y', ...args]);
  log('generating sources (espeak-ng speech, lavfi music)');
  // espeak-ng speech, looped to SHORT_S and stored as a recorder would: 44.1 kHz 16-bit mono WAV.
  const phrase = join(dir, 'phrase.wav');
  execFileSync('espeak-ng', ['-v', 'vi', '-w', phrase, SPEECH]);
  const speechWav = join(dir, 'speech.wav');
  run(['-stream_loop', '-1', '-i', phrase, '-t', String(SHORT_S), '-ar', '44100', '-ac', '1', '-c:a', 'pcm_s16le', speechWav]);
  // Music-like: a chord with a slow tremolo and a beat, over pink noise; stereo MP3 at 192 kbit/s.
  const musicMp3 = join(dir, 'music.mp3');
  const chord = '0.25*sin(2*PI*220*t)+0.2*sin(2*PI*277.2*t)+0.2*sin(2*PI*329.6*t)';
  run([
    '-f',
    'lavfi',
    '-i',
    `aevalsrc=(${chord})*(0.7+0.3*sin(2*PI*0.5*t))*(0.6+0.4*lt(mod(t\\,0.5)\\,0.1))|(${chord})*(0.7+0.3*cos(2*PI*0.5*t)):s=44100:d=${SHORT_S}`,
    '-f',
    'lavfi',
    '-i',
    `anoisesrc=c=pink:a=0.05:d=${SHORT_S}:r=44100`,
    '-filter_complex',
    '[0][1]amix=inputs=2,volume=2',
    '-ac',
    '2',
    '-c:a',
    'libmp3lame',
    '-b:a',
    '192k',
    musicMp3,
  ]);
  // The long programme: the speech over a quiet music bed, as a 128 kbit/s stereo MP3.
  const longMp3 = join(dir, 'long.mp3');
  run([
    '-stream_loop',
    '-1',
    '-i',
    speechWav,
    '-stream_loop',
    '-1',
    '-i',
    musicMp3,
    '-filter_complex',
    '[1]volume=0.2[bed];[0][bed]amix=inputs=2,volume=2',
    '-t',
    String(longMinutes * 60),
    '-ac',
    '2',
    '-c:a',
    'libmp3lame',
    '-b:a',
    '128k',
    longMp3,
  ]);
  return [
    { kind: 'wav speech', file: speechWav, describe: `espeak-ng vi, ${SHORT_S / 60} min, 44.1 kHz 16-bit mono PCM` },
    { kind: 'mp3 music', file: musicMp3, describe: `lavfi chord + pink noise, ${SHORT_S / 60} min, 192 kbit/s stereo` },
    { kind: `long mp3 (${longMinutes} min)`, file: longMp3, describe: `speech over a music bed, ${longMinutes} min, 128 kbit/s stereo` },
  ];
}

interface Imported {
  durationMs: number;
  bytes: number;
  format: string;
}

// transcode.ts reports the first (measuring) pass as 0–40 %, then a limiter check pass if the
// gain needs one, then the encode; the NDJSON progress lines show when each one starts.
const FIRST_PASS_PERCENT = 40;

/**
 * POST /api/v1/media with NDJSON progress, timing its phases on this side: upload (until the
 * first progress line), the measuring pass, the limiter check pass (when the plan needs one), the encode.
 */
async function importWithPhases(httpUrl: string, token: string, name: string, body: Buffer): Promise<{ media: Imported; phases: Record<string, number> }> {
  const t0 = performance.now();
  const res = await fetch(`${httpUrl}/api/v1/media?name=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', accept: 'application/x-ndjson' },
    body,
  });
  if (!res.ok || !res.body) throw new Error(`import of ${name} failed: ${res.status} ${await res.text()}`);
  const marks: Record<string, number> = {};
  const mark = (k: string) => (marks[k] ??= performance.now() - t0);
  let media: Imported | null = null;
  let carry = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    const lines = (carry + Buffer.from(chunk).toString('utf8')).split('\n');
    carry = lines.pop() ?? '';
    for (const l of lines.filter(Boolean)) {
      const e = JSON.parse(l) as { event: string; phase?: string; percent?: number; media?: Imported; error?: unknown };
      if (e.event === 'progress') {
        mark('firstProgress');
        if (e.phase === 'measure' && (e.percent ?? 0) >= FIRST_PASS_PERCENT) mark('measured');
        if (e.phase === 'measure' && (e.percent ?? 0) > FIRST_PASS_PERCENT) mark('checkStarted');
        if (e.phase === 'encode') mark('encodeStarted');
      } else if (e.event === 'done') {
        mark('done');
        media = e.media ?? null;
      } else {
        throw new Error(`import of ${name} failed: ${JSON.stringify(e.error)}`);
      }
    }
  }
  if (!media) throw new Error(`import of ${name}: no "done" line`);
  const at = (k: string) => marks[k] ?? Number.NaN;
  const encodeFrom = Math.min(at('encodeStarted'), at('done'));
  const phases = {
    upload: Math.round(at('firstProgress')),
    measurePass: Math.round(at('measured') - at('firstProgress')),
    limiterCheckPass: marks.checkStarted !== undefined ? Math.round(encodeFrom - at('measured')) : 0,
    encodePass: Math.round(at('done') - encodeFrom),
  };
  return { media, phases };
}

export async function media(o: MediaOptions): Promise<Record<string, unknown>> {
  const log = (s: string) => process.stderr.write(`[media] ${s}\n`);
  const tmp = mkdtempSync(join(tmpdir(), 'loa-bench-media-'));
  const hub = await startHubProcess();
  try {
    const sources = makeSources(tmp, o.longMinutes, log);
    const results: Record<string, unknown>[] = [];
    for (const s of sources) {
      const body = readFileSync(s.file);
      const cpuBefore = cpuWithChildren(hub.pid);
      const t0 = performance.now();
      const { media: m, phases } = await importWithPhases(hub.httpUrl, hub.token, s.kind, body);
      const wallMs = performance.now() - t0;
      const cpuS = cpuWithChildren(hub.pid) - cpuBefore;
      const hours = m.durationMs / 3_600_000;
      const r = {
        kind: s.kind,
        source: s.describe,
        sourceBytes: statSync(s.file).size,
        durationS: Math.round(m.durationMs / 100) / 10,
        importMs: Math.round(wallMs),
        timesRealTime: Math.round(m.durationMs / wallMs),
        phasesMs: phases,
        hubCpuSeconds: Number(cpuS.toFixed(2)),
        deliveryFormat: m.format,
        deliveryBytes: m.bytes,
        mbPerHour: Number((m.bytes / 1e6 / hours).toFixed(1)),
        kbitPerSecond: Number(((m.bytes * 8) / 1000 / (m.durationMs / 1000)).toFixed(1)),
      };
      log(`${s.kind}: ${r.durationS} s in ${r.importMs} ms (${r.timesRealTime}× real time), ${r.mbPerHour} MB per hour`);
      results.push(r);
    }
    const worst = Math.min(...results.map((r) => r.timesRealTime as number));
    return {
      imports: results,
      slowestTimesRealTime: worst,
      loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
      note: 'import = upload over loopback, the loudness measuring pass, a limiter check pass when the gain needs the limiter, the encode; timed by the client',
    };
  } finally {
    await hub.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

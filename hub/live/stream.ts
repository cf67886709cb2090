// One live stream: ONE ffmpeg process reads the source and encodes it once into the delivery
// format; every listening box gets the same frames. A listener joining late starts at the newest
// frame (the live point). When the source stalls or ffmpeg dies, listeners keep their connection
// and get encoded silence while ffmpeg is started again with backoff; the gap is logged.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { FrameSplitter, splitFrames, type Frame } from './frames.js';
import type { LiveSettings } from './settings.js';

/** push: audio sent by the operator (an HTTP request body), fed to ffmpeg's stdin; it cannot be
 *  read again, so it is never restarted and its end (or ffmpeg's failure) ends the stream. */
export type LiveSource = { kind: 'url'; url: string } | { kind: 'file'; path: string; mediaId?: string } | { kind: 'push'; input: Readable };

export type LiveEndReason = 'stopped' | 'source-ended' | 'source-failed';

/** A listener's connection: what the stream writes to (an HTTP response in the hub). */
export interface LiveSink {
  write(data: Buffer): boolean;
  end(): void;
  /** Bytes queued and not yet sent; a listener too far behind skips frames rather than lag. */
  readonly writableLength: number;
}

export interface LiveGap {
  startAt: number;
  endAt: number | null;
  lengthMs: number;
}

export type LiveState = 'connecting' | 'live' | 'gap' | 'ended';

export interface LiveStreamOptions {
  id: string;
  source: LiveSource;
  ffmpegPath: string;
  settings: LiveSettings;
  /** One second of encoded silence in the same format (encodeSilence). */
  silence: Frame[];
  clock: Clock;
  logger: Logger;
  /** Called once when the stream has ended (stopped, or a file source played to its end). */
  onEnd?: (why: LiveEndReason) => void;
  /** Frames played before the source's first audio and after its end (an announcement's chime,
   *  encoded in the delivery format). The source's audio waits behind the intro, so it keeps that
   *  delay to the end; a source that ends by itself ends the stream only after the outro. */
  intro?: Frame[];
  outro?: Frame[];
}

const TICK_MS = 100;
/** A listener with this much unsent is behind (a stalled link): frames are skipped for it. */
const MAX_QUEUED_BYTES = 256 * 1024;
/** A run that delivered audio this long resets the restart backoff. */
const HEALTHY_RUN_MS = 5000;

export class LiveStream {
  state: LiveState = 'connecting';
  readonly startedAt: number;
  endedAt: number | null = null;
  restarts = 0;
  bytesEncoded = 0;
  /** Encoded audio produced by the source, ms (silence not counted). */
  audioMs = 0;
  readonly gaps: LiveGap[] = [];
  private readonly listeners = new Set<LiveSink>();
  private ring: Frame[] = [];
  private ringMs = 0;
  private proc: ChildProcess | null = null;
  private lastBytesAt: number;
  private runStartedAt = 0;
  private failures = 0;
  private silenceClock = 0;
  private silenceIndex = 0;
  /** Frames that go out at the real-time pace (intro, the source's audio queued behind it, outro). */
  private paced: Frame[] = [];
  private pacedClock = 0;
  /** A source that ended by itself while frames were still paced: the stream ends once they are out. */
  private endingWhy: LiveEndReason | null = null;
  /** Frames not yet written to listeners: they go out together every flushMs (fewer packets). */
  private outbox: Buffer[] = [];
  private lastFlushAt = 0;
  private ticker: TimerHandle | null = null;
  private restartTimer: TimerHandle | null = null;
  private stopping = false;
  private readonly log: Logger;

  constructor(private readonly o: LiveStreamOptions) {
    this.startedAt = o.clock.now();
    this.lastBytesAt = this.startedAt;
    this.log = o.logger.child({ streamId: o.id });
  }

  start(): void {
    if (this.o.intro?.length) {
      this.paced = [...this.o.intro];
      this.pacedClock = this.o.clock.now();
    }
    this.spawnEncoder();
    const tick = () => {
      this.tick();
      if (!this.stopping) this.ticker = this.o.clock.setTimeout(tick, TICK_MS);
    };
    this.ticker = this.o.clock.setTimeout(tick, TICK_MS);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  get currentGap(): LiveGap | null {
    const g = this.gaps.at(-1);
    if (g && g.endAt === null) return { ...g, lengthMs: this.o.clock.now() - g.startAt };
    // A source that has given no audio at all (a station down from the start) is lost since the
    // stream began, once that is longer than a gap takes to notice (an ordinary connection is
    // quicker); without this the log would show such a relay as played clean.
    if (this.audioMs === 0) {
      const until = this.endedAt ?? this.o.clock.now();
      if (until - this.startedAt >= this.o.settings.silenceAfterMs) return { startAt: this.startedAt, endAt: null, lengthMs: until - this.startedAt };
    }
    return null;
  }

  /** Adds a listener at the live point (plus joinBackMs of the newest audio, if configured). */
  attach(sink: LiveSink): () => void {
    if (this.state === 'ended') {
      sink.end();
      return () => {};
    }
    let back = 0;
    const head: Frame[] = [];
    for (let i = this.ring.length - 1; i >= 0 && back < this.o.settings.joinBackMs; i--) {
      head.unshift(this.ring[i]!);
      back += this.ring[i]!.durationMs;
    }
    for (const f of head) sink.write(f.data);
    this.listeners.add(sink);
    return () => this.listeners.delete(sink);
  }

  /** Ends the stream: ffmpeg goes, listeners' responses end. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.ticker?.cancel();
    this.restartTimer?.cancel();
    const proc = this.proc;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      const gone = new Promise<void>((resolve) => proc.once('close', () => resolve()));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 2000);
      await gone;
      clearTimeout(t);
    }
    this.finish('stopped');
  }

  private finish(why: LiveEndReason): void {
    if (this.state === 'ended') return;
    this.stopping = true;
    this.ticker?.cancel();
    this.closeGap();
    this.state = 'ended';
    this.endedAt = this.o.clock.now();
    for (const l of this.listeners) l.end();
    this.listeners.clear();
    this.log.info({ why, audioMs: Math.round(this.audioMs), bytes: this.bytesEncoded, gaps: this.gaps.length }, 'live stream ended');
    this.o.onEnd?.(why);
  }

  private spawnEncoder(): void {
    const { source, settings } = this.o;
    const input = source.kind === 'url' ? source.url : source.kind === 'file' ? source.path : 'pipe:0';
    // A file is played "as live": -re reads it at its own pace. A URL arrives in real time anyway.
    // A small probe: by default ffmpeg reads ~5 s of a real-time source before its first output.
    const probe = ['-probesize', '32768', '-analyzeduration', '500000'];
    const args = ['-nostdin', '-hide_banner', '-loglevel', 'error', ...probe, ...(source.kind === 'file' ? ['-re'] : []), '-i', input, ...encodeArgs(settings)];
    const push = source.kind === 'push';
    const proc = spawn(this.o.ffmpegPath, args, { stdio: [push ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    if (source.kind === 'push') {
      // ffmpeg leaving early (bad audio) closes its stdin: that is its close below, not an error.
      proc.stdin!.on('error', () => {});
      source.input.pipe(proc.stdin!);
    }
    // lastBytesAt is not reset here: a restart that brings no audio is still part of the gap.
    this.runStartedAt = this.o.clock.now();
    const splitter = new FrameSplitter(settings.format);
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-600)));
    proc.stdout!.on('data', (chunk: Buffer) => {
      if (this.proc !== proc) return;
      this.lastBytesAt = this.o.clock.now();
      this.bytesEncoded += chunk.length;
      for (const f of splitter.push(chunk)) this.onFrame(f);
    });
    proc.on('error', (err) => this.log.error({ err: err.message }, 'live ffmpeg could not start'));
    proc.on('close', (code, signal) => {
      if (this.proc !== proc) return;
      this.proc = null;
      if (this.stopping) return;
      const detail = stderr.trim().split('\n').at(-1) ?? '';
      if (source.kind === 'file' && code === 0) {
        this.endAfterPaced('source-ended');
        return;
      }
      if (source.kind === 'push') {
        if (code !== 0) this.log.warn({ code, signal, detail }, 'live push: ffmpeg could not read the pushed audio');
        this.endAfterPaced(code === 0 ? 'source-ended' : 'source-failed');
        return;
      }
      if (this.o.clock.now() - this.runStartedAt > HEALTHY_RUN_MS && this.state === 'live') this.failures = 0;
      const delay = Math.min(settings.backoffMaxMs, settings.backoffMinMs * 2 ** this.failures);
      this.failures += 1;
      this.log.warn({ code, signal, detail, restartInMs: delay }, 'live source lost; restarting its ffmpeg');
      this.openGap();
      this.restartTimer = this.o.clock.setTimeout(() => {
        this.restartTimer = null;
        if (this.stopping) return;
        this.restarts += 1;
        this.spawnEncoder();
      }, delay);
    });
  }

  private onFrame(f: Frame): void {
    this.closeGap();
    this.state = 'live';
    this.audioMs += f.durationMs;
    // Behind an intro still playing, the source's audio waits its turn.
    if (this.paced.length > 0) this.paced.push(f);
    else this.broadcast(f);
  }

  /** The source is over: the outro (and whatever waits paced) goes out first, then the stream ends. */
  private endAfterPaced(why: LiveEndReason): void {
    if (this.o.outro?.length) {
      if (this.paced.length === 0) this.pacedClock = this.o.clock.now();
      this.paced.push(...this.o.outro);
    }
    if (this.paced.length === 0) return this.finish(why);
    this.endingWhy = why;
  }

  /** Paced frames due by `now` go out; true while some are still waiting. */
  private sendPaced(now: number): boolean {
    while (this.paced.length > 0 && this.pacedClock <= now) {
      const f = this.paced.shift()!;
      this.broadcast(f);
      this.pacedClock += f.durationMs;
    }
    if (this.paced.length > 0) return true;
    if (this.endingWhy) {
      this.flush(now);
      this.finish(this.endingWhy);
    }
    return false;
  }

  /** Every TICK_MS: silence while the source is quiet, and the stall watch. */
  private tick(): void {
    const now = this.o.clock.now();
    const pacing = this.sendPaced(now);
    if (this.state === 'ended') return;
    if (now - this.lastFlushAt >= this.o.settings.flushMs) this.flush(now);
    const quietMs = now - this.lastBytesAt;
    const { silenceAfterMs, stallMs } = this.o.settings;
    // A run gets stallMs from its own start to bring audio (connecting takes a moment).
    const runQuietMs = now - Math.max(this.lastBytesAt, this.runStartedAt);
    // A pushed source is watched on its input instead (hub/live/push.ts): nothing to restart.
    if (runQuietMs >= stallMs && this.proc && this.o.source.kind !== 'push') {
      this.log.warn({ quietMs: runQuietMs }, 'live source stalled; killing its ffmpeg');
      this.proc.kill('SIGKILL');
    }
    // Silence only once the stream has had audio (before that the boxes are still connecting),
    // and not while paced frames (a chime, audio queued behind it) are going out.
    if (quietMs >= silenceAfterMs && this.audioMs > 0 && !pacing && !this.endingWhy) {
      this.openGap();
      if (this.silenceClock === 0) this.silenceClock = now;
      // Silence at the real-time pace, so a box's buffer neither drains nor fills.
      while (this.silenceClock <= now) {
        const f = this.o.silence[this.silenceIndex++ % this.o.silence.length]!;
        this.broadcast(f);
        this.silenceClock += f.durationMs;
      }
    }
  }

  private openGap(): void {
    if (this.audioMs === 0 || this.currentGap) return;
    // The gap began when the last audio came, not when it was noticed.
    this.gaps.push({ startAt: this.lastBytesAt, endAt: null, lengthMs: 0 });
    this.state = 'gap';
    this.log.warn({ since: new Date(this.lastBytesAt).toISOString() }, 'live stream lost its source; sending silence');
  }

  private closeGap(): void {
    this.silenceClock = 0;
    const g = this.gaps.at(-1);
    if (!g || g.endAt !== null) return;
    g.endAt = this.o.clock.now();
    g.lengthMs = g.endAt - g.startAt;
    this.log.warn({ gapStartAt: g.startAt, gapEndAt: g.endAt, gapMs: g.lengthMs }, `live relay lost for ${(g.lengthMs / 1000).toFixed(1)} s`);
  }

  private broadcast(f: Frame): void {
    this.ring.push(f);
    this.ringMs += f.durationMs;
    while (this.ringMs > this.o.settings.bufferMs && this.ring.length > 1) this.ringMs -= this.ring.shift()!.durationMs;
    this.outbox.push(f.data);
  }

  private flush(now: number): void {
    this.lastFlushAt = now;
    if (this.outbox.length === 0) return;
    const data = Buffer.concat(this.outbox);
    this.outbox = [];
    for (const l of this.listeners) {
      if (l.writableLength > MAX_QUEUED_BYTES) continue;
      l.write(data);
    }
  }
}

/** ffmpeg output options that encode to the delivery format on stdout. */
export function encodeArgs(s: LiveSettings): string[] {
  const codec = s.format === 'mp3' ? ['-c:a', 'libmp3lame', '-write_xing', '0', '-id3v2_version', '0', '-f', 'mp3'] : ['-c:a', 'aac', '-f', 'adts'];
  return ['-vn', '-ac', '1', '-ar', String(s.sampleRate), '-b:a', `${s.bitrateKbps}k`, ...codec, '-flush_packets', '1', 'pipe:1'];
}

/** One second of silence in the delivery format, split into frames; encoded once per hub. */
export function encodeSilence(ffmpegPath: string, s: LiveSettings): Promise<Frame[]> {
  return encodeClip(ffmpegPath, s, ['-f', 'lavfi', '-i', `anullsrc=r=${s.sampleRate}:cl=mono`, '-t', '1'], 'silence');
}

/** An audio file (the announcement chime) in the delivery format, split into frames. */
export function encodeFileFrames(ffmpegPath: string, s: LiveSettings, path: string): Promise<Frame[]> {
  return encodeClip(ffmpegPath, s, ['-i', path], path);
}

async function encodeClip(ffmpegPath: string, s: LiveSettings, input: string[], what: string): Promise<Frame[]> {
  const args = ['-nostdin', '-hide_banner', '-loglevel', 'error', ...input, ...encodeArgs(s)];
  const data = await new Promise<Buffer>((resolve, reject) => {
    const p = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const parts: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (d: Buffer) => parts.push(d));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(Buffer.concat(parts)) : reject(new Error(`encoding ${what} failed: ${err.trim()}`))));
  });
  const frames = splitFrames(s.format, data);
  if (frames.length === 0) throw new Error(`encoding ${what} gave no frames`);
  return frames;
}

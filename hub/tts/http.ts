// Text-to-speech through an HTTP service given by URL (commercial Vietnamese voices are sold that
// way). Contract (docs/announce.md): POST <url> with JSON {"text","voice"}; the answer is the audio
// itself (audio/mpeg, audio/wav, audio/ogg, …), anything else is an error naming the service.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LoaError } from '../../common/errors.js';
import type { SpeechAudio, SynthesizeOptions, TtsProvider } from './provider.js';
import { checkTtsText, checkVoice } from './provider.js';

export interface HttpTtsOptions {
  url: string;
  headers?: Record<string, string>;
  timeoutMs: number;
  maxBytes: number;
}

const EXT: Record<string, string> = {
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/wave': 'wav',
  'audio/ogg': 'ogg',
  'audio/opus': 'ogg',
  'audio/aac': 'aac',
};

/** The TTS service failed us (its answer, or reaching it): a bad gateway for the hub's client. */
const serviceError = (message: string, cause?: unknown): LoaError => new LoaError('LOA_TTS_SERVICE_ERROR', message, { status: 502, cause });

export class HttpTtsProvider implements TtsProvider {
  readonly name = 'http';
  private readonly host: string;

  constructor(private readonly opts: HttpTtsOptions) {
    // Named by host only in errors: a path may carry an API key.
    this.host = new URL(opts.url).host;
  }

  async synthesize(text: string, workDir: string, o: SynthesizeOptions): Promise<SpeechAudio> {
    const words = checkTtsText(text);
    const voice = checkVoice(o.voice);
    const timeout = AbortSignal.timeout(this.opts.timeoutMs);
    const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
    const who = `the speech service at ${this.host}`;
    try {
      const res = await fetch(this.opts.url, {
        method: 'POST',
        headers: { ...this.opts.headers, 'content-type': 'application/json', accept: 'audio/*' },
        body: JSON.stringify({ text: words, voice }),
        signal,
      });
      if (!res.ok) {
        const detail = (await res.text().catch(() => '')).slice(0, 200).trim();
        throw serviceError(`${who} answered ${res.status}${detail ? `: ${detail}` : ''}; check tts.http in the hub config or the service's status.`);
      }
      const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (!type.startsWith('audio/')) {
        await res.body?.cancel();
        throw serviceError(`${who} answered ${type || 'no content type'} instead of audio; it must send the audio bytes (e.g. audio/mpeg or audio/wav).`);
      }
      const declared = Number(res.headers.get('content-length') ?? '0');
      if (declared > this.opts.maxBytes) throw this.tooBig(who);
      const chunks: Uint8Array[] = [];
      let total = 0;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        total += chunk.length;
        if (total > this.opts.maxBytes) {
          await res.body?.cancel().catch(() => {});
          throw this.tooBig(who);
        }
        chunks.push(chunk);
      }
      if (total === 0) throw serviceError(`${who} answered with no audio.`);
      const path = join(workDir, `tts-${randomBytes(6).toString('hex')}.${EXT[type] ?? 'bin'}`);
      await writeFile(path, Buffer.concat(chunks));
      return { path, contentType: type };
    } catch (e) {
      if (e instanceof LoaError) throw e;
      if (timeout.aborted) {
        throw new LoaError('LOA_TTS_TIMEOUT', `${who} did not answer within ${this.opts.timeoutMs} ms; try again or raise tts.http.timeoutMs.`, {
          status: 504,
        });
      }
      throw serviceError(
        `${who} could not be reached: ${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}.`,
        e,
      );
    }
  }

  private tooBig(who: string): LoaError {
    return serviceError(`${who} sent more than ${this.opts.maxBytes} bytes of audio; raise tts.http.maxBytes or shorten the text.`);
  }
}

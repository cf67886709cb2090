// Text-to-speech on the hub with espeak-ng (it has a Vietnamese voice, `-v vi`). The text goes in
// on stdin and the arguments as an argv array: nothing passes through a shell.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { LoaError } from '../../common/errors.js';
import type { SpeechAudio, SynthesizeOptions, TtsProvider } from './provider.js';
import { checkTtsText, checkVoice } from './provider.js';

export interface EspeakOptions {
  path?: string | undefined;
  speed: number;
}

export class EspeakProvider implements TtsProvider {
  readonly name = 'espeak';
  private readonly bin: string;

  constructor(private readonly opts: EspeakOptions) {
    this.bin = opts.path ?? 'espeak-ng';
  }

  async synthesize(text: string, workDir: string, o: SynthesizeOptions): Promise<SpeechAudio> {
    const words = checkTtsText(text);
    const voice = checkVoice(o.voice);
    const path = join(workDir, `espeak-${randomBytes(6).toString('hex')}.wav`);
    const args = ['-v', voice, '-s', String(this.opts.speed), '-w', path, '--stdin'];
    const { code, stderr } = await run(this.bin, args, words, o.signal);
    if (code === 'ENOENT') {
      throw new LoaError(
        'LOA_TTS_ENGINE_MISSING',
        `espeak-ng was not found (${this.bin}); install it (apt install espeak-ng) or set tts.espeak.path in the hub config.`,
        { status: 503 },
      );
    }
    if (code !== 0) {
      if (/voice does not exist|Failed to read voice/i.test(stderr)) {
        throw new LoaError('LOA_TTS_UNKNOWN_VOICE', `espeak-ng has no voice "${voice}"; \`espeak-ng --voices\` lists them (Vietnamese is vi).`);
      }
      throw new LoaError('LOA_TTS_FAILED', `espeak-ng failed (${String(code)}): ${stderr.trim().slice(0, 200) || 'no message'}.`, { status: 502 });
    }
    return { path, contentType: 'audio/wav' };
  }
}

function run(bin: string, args: string[], input: string, signal?: AbortSignal): Promise<{ code: number | string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { stdio: ['pipe', 'ignore', 'pipe'], ...(signal ? { signal } : {}) });
    let stderr = '';
    let settled = false;
    const done = (code: number | string): void => {
      if (!settled) resolve({ code, stderr });
      settled = true;
    };
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 4000) stderr += d;
    });
    child.on('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
    child.on('close', (c, sig) => done(c ?? `signal ${sig ?? '?'}`));
    // EPIPE when espeak-ng exits early (bad voice) is reported through its exit status instead.
    child.stdin.on('error', () => {});
    child.stdin.end(input, 'utf8');
  });
}

// The text-to-speech provider interface and the checks every provider's input goes through.
import { LoaError } from '../../common/errors.js';

export const MAX_TTS_CHARS = 5000;

export interface SynthesizeOptions {
  voice: string;
  signal?: AbortSignal;
}

/** Where the speech was written: a file in the caller's work dir, in a format ffmpeg reads. */
export interface SpeechAudio {
  path: string;
  /** MIME type as the engine or service gave it. */
  contentType: string;
}

export interface TtsProvider {
  readonly name: string;
  /** Writes speech for `text` under `workDir` (the caller removes it). */
  synthesize(text: string, workDir: string, opts: SynthesizeOptions): Promise<SpeechAudio>;
}

/** Trimmed text, or a LoaError a person can act on. */
export function checkTtsText(text: string): string {
  const t = text.trim();
  if (t.length === 0) throw new LoaError('LOA_TTS_EMPTY', 'the text to read out is empty; give the words of the announcement.');
  if (t.length > MAX_TTS_CHARS) {
    throw new LoaError(
      'LOA_TTS_TOO_LONG',
      `the text has ${t.length} characters; at most ${MAX_TTS_CHARS} are read out at once: split it into several announcements.`,
      { status: 413 },
    );
  }
  return t;
}

export function checkVoice(voice: string): string {
  // Voices are passed as one argv element or a JSON field, never through a shell; still refuse odd ones early.
  if (!/^[A-Za-z0-9_+\-.:/ ]{1,100}$/.test(voice)) {
    throw new LoaError('LOA_TTS_BAD_VOICE', `voice "${voice.slice(0, 40)}" is not a voice name; use letters, digits and - _ + . (e.g. vi).`);
  }
  return voice;
}

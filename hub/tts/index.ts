// Picks the text-to-speech provider the hub config names.
import { configErrors } from '../../common/config-errors.js';
import type { TtsConfig } from './config.js';
import { EspeakProvider } from './espeak.js';
import { HttpTtsProvider } from './http.js';
import type { TtsProvider } from './provider.js';

export type { TtsProvider, SpeechAudio } from './provider.js';
export { checkTtsText, MAX_TTS_CHARS } from './provider.js';

export function createTtsProvider(config: TtsConfig): TtsProvider {
  if (config.provider === 'http') {
    if (!config.http.url) throw configErrors.invalid('tts.provider is http but tts.http.url is not set in the hub config.');
    return new HttpTtsProvider({ url: config.http.url, headers: config.http.headers, timeoutMs: config.http.timeoutMs, maxBytes: config.http.maxBytes });
  }
  return new EspeakProvider({ path: config.espeak.path, speed: config.espeak.speed });
}

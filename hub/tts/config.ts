// The hub config's `tts:` section (docs/announce.md): which text-to-speech provider reads notices.
import { z } from 'zod';

export const ttsConfigSchema = z
  .strictObject({
    /** espeak-ng runs on the hub; `http` calls a (commercial) speech service by URL. */
    provider: z.enum(['espeak', 'http']).default('espeak'),
    /** Voice used when an announcement names none. */
    voice: z.string().min(1).max(100).default('vi'),
    espeak: z
      .strictObject({
        /** espeak-ng binary; else found on PATH. */
        path: z.string().optional(),
        /** Words per minute; espeak-ng's own default (175) is fast for village loudspeakers. */
        speed: z.number().int().min(80).max(450).default(150),
      })
      .prefault({}),
    http: z
      .strictObject({
        url: z.string().url().optional(),
        /** Sent with every request, e.g. an API key the service wants. */
        headers: z.record(z.string(), z.string()).default({}),
        timeoutMs: z.number().int().min(100).max(300_000).default(30_000),
        /** Largest audio answer accepted. */
        maxBytes: z
          .number()
          .int()
          .min(1024)
          .default(50 * 1024 * 1024),
      })
      .prefault({}),
  })
  .prefault({});

export type TtsConfig = z.infer<typeof ttsConfigSchema>;

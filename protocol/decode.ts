// Turns an MQTT payload into a validated message, or a reason it was dropped. Never throws:
// everything a device sends is untrusted, and one bad payload must not stop the receiver.
import type { Channel } from './topics.js';
import { MAX_PAYLOAD_BYTES, schemasByChannel, type PayloadByChannel } from './schemas.js';

export type Decoded<C extends Channel> = { ok: true; value: PayloadByChannel[C] } | { ok: false; reason: string };

export function decodePayload<C extends Channel>(channel: C, payload: Buffer | string): Decoded<C> {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  if (size > MAX_PAYLOAD_BYTES) return { ok: false, reason: `payload of ${size} bytes exceeds ${MAX_PAYLOAD_BYTES}` };
  let raw: unknown;
  try {
    raw = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch (e) {
    return { ok: false, reason: `not JSON: ${(e as Error).message}` };
  }
  const result = schemasByChannel[channel].safeParse(raw);
  if (!result.success) {
    const first = result.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    return { ok: false, reason: `invalid ${channel} payload: ${first}` };
  }
  return { ok: true, value: result.data as PayloadByChannel[C] };
}

export function encodePayload<C extends Channel>(_channel: C, value: PayloadByChannel[C]): string {
  return JSON.stringify(value);
}
